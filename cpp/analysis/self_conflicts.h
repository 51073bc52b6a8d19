// The accesses of one operation, resolved to geometry, and the check that
// its points (index launch) or requirements (any operation) do not
// interfere with each other: points of a launch run unordered, so two of
// them writing the same element - or one writing what another reads - would
// be a race, and two requirements of one task aliasing with a write would
// give the task two views of one element.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/privilege.h"
#include "analysis/region_requirement.h"
#include "data/region_forest.h"

namespace cohort {

// One (point, requirement, field) of an operation.
struct OperationAccess {
  uint32_t point;
  uint32_t requirement;
  RegionHandle region;
  FieldId field;
  const RectList* rects;  // the region node's rects (stable during a call)
  Access access;
};

// How errors name the operation being analyzed.
struct OperationName {
  uint64_t op;
  const std::string& label;
  bool isLaunch;
  const std::vector<PointRequirements>& points;

  // "index launch 'stencil' (op 7)" or "operation 12"
  std::string operation() const;
  // "<operation>, requirement 1 of point (3)"
  std::string requirement(uint32_t point, uint32_t requirement) const;
};

// Throws cohort::Error naming the operation, both points (or both
// requirements) and the field when two accesses of the operation touch a
// common element of a field with accesses that must be ordered.
// `accesses` must be grouped by point, in requirement order.
void checkSelfConflicts(const RegionForest& forest, const std::vector<OperationAccess>& accesses,
                        const OperationName& name);

}  // namespace cohort
