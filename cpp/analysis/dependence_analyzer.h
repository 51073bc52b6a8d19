// The logical dependence analysis. Operations are issued in program order;
// for each one (or each point of an index launch) the analyzer returns the
// earlier operations it must wait for so that running the program in
// parallel gives the same result as running it in order, element by element
// and field by field.
//
// Two operations depend iff they share a field, their element sets
// intersect, and their accesses must be ordered (see privilege.h). Geometry
// is exact: disjoint siblings never depend; aliased siblings, parents and
// children, and different partitions of one region depend exactly when they
// share elements.
//
// State is one PieceMap<PieceState> per (region tree, field), created on
// first use. The cost of one requirement follows the pieces it overlaps and
// the live users it must wait for, not the number of earlier operations nor
// the number of pieces elsewhere in the region (see notes/analysis-design.md).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/piece_map.h"
#include "analysis/piece_state.h"
#include "analysis/plan.h"
#include "analysis/region_requirement.h"
#include "analysis/self_conflicts.h"
#include "data/region_forest.h"

namespace cohort {

class DependenceAnalyzer {
 public:
  // The forest must outlive the analyzer.
  explicit DependenceAnalyzer(const RegionForest& forest);

  // One operation with its requirements. `op` must be larger than every
  // OpId analyzed before. Throws cohort::Error (and records nothing) for a
  // bad handle, field or privilege, or when two requirements of the
  // operation touch the same elements of a field with accesses that would
  // have to be ordered. `label` names the operation in errors.
  PlanEntry analyzeOperation(OpId op, const RegionRequirements& requirements, const std::string& label = "");

  // An index launch over `domain`: every point gets the requirements
  // projected for it; entries come back in row-major point order. Points of
  // one launch never wait for each other. Throws cohort::Error (and records
  // nothing) when two points touch the same elements of a field with
  // accesses that would have to be ordered (e.g. two writers of an aliased
  // partition), naming the launch, both points and the field.
  std::vector<PlanEntry> analyzeIndexLaunch(OpId op, const Domain& domain,
                                            const std::vector<LaunchRequirement>& requirements,
                                            const std::string& label = "");
  // Same, with the points and their requirements listed by the caller.
  std::vector<PlanEntry> analyzeIndexLaunch(OpId op, const std::vector<PointRequirements>& points,
                                            const std::string& label = "");

  // The operation finished: later operations need not wait for it, and its
  // records are dropped as they are met. Call it only after everything the
  // operation waited for completed (an executor does so naturally).
  // Unknown or repeated ids are ignored.
  void markCompleted(OpId op);

  // Forgets all analysis state of a tree (call when the tree is destroyed).
  void dropTree(TreeId tree);

  const AnalysisCounters& counters() const { return counters_; }
  void resetCounters() { counters_ = AnalysisCounters{}; }

  // Introspection for tests and diagnostics.
  size_t liveOperationCount() const { return live_.size(); }
  size_t pieceCount(TreeId tree, FieldId field) const;

 private:
  std::vector<PlanEntry> analyzePoints(const OperationName& name);
  // Validates the requirements and lists their (point, requirement, field)
  // accesses, grouped by point.
  std::vector<OperationAccess> resolve(const OperationName& name) const;
  PieceMap<PieceState>& stateFor(TreeId tree, FieldId field);

  const RegionForest& forest_;
  std::unordered_map<TreeId, std::map<FieldId, PieceMap<PieceState>>> trees_;
  LiveOps live_;
  bool anyAnalyzed_ = false;
  OpId lastOp_ = 0;
  AnalysisCounters counters_;
};

}  // namespace cohort
