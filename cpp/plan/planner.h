// The planner: mapping, then dependence analysis, for every operation the
// program issues in one context. Its output is data — plan entries of an
// explicit kind with a filled location (rank, processor, variant,
// priority), the earlier operations each waits for (by position in the
// context) and its exclusion keys — and it creates no task objects and no
// events: the executor (ops/executor.h) turns entries into running work.
//
// Names: every operation has a position in its context, counted from 1 in
// program order. A single task, an inline mapping and a fill take one; an
// index launch takes one for itself and one per point, in row-major order,
// so every point has a name of its own; a fence takes one. The analyzer of a
// context knows operations by these positions (an index launch by the
// launch's), so the plan is the same whatever order promises and threads
// ran in.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/dependence_analyzer.h"
#include "analysis/plan.h"
#include "analysis/region_requirement.h"
#include "mapping/mapper_registry.h"
#include "mapping/placement.h"
#include "mapping/sharding.h"

namespace cohort {

// How a launch is placed when the program says so itself (overriding the
// mapper), and how it counts.
struct LaunchOptions {
  int variant = -1;       // -1: the mapper's choice; else a VariantKind
  int pinnedWorker = -1;  // -1: the mapper's choice (any worker by default)
  // Not counted as outstanding: it does not keep the process alive or
  // delay shutdown by itself (inline mappings, which the program ends).
  bool background = false;
};

// One launch as the program asked for it, requirements already projected
// per point (a single launch has one point, (0)).
struct LaunchRequest {
  EntryKind kind = EntryKind::Task;  // Task, Fill or InlineMap; points of an index launch are IndexPoint
  const TaskInfo* task = nullptr;
  bool index = false;
  Domain domain;                          // index launches
  std::vector<PointRequirements> points;  // row-major over the domain
  MapperId mapper = 0;
  uint32_t tag = 0;
  LaunchOptions options;
  std::string label;                     // names the launch in analysis errors (launches with regions)
  const MapperInput* mapping = nullptr;  // what the mapper sees of it (requirements as given, mapper argument)
  bool nested = false;                   // issued by a running task (its subtasks with regions stay on its rank)
};

struct LaunchPlan {
  uint64_t position = 0;           // the launch's position; point i is position + 1 + i for index launches
  bool analyzed = false;           // it has region requirements: later operations may wait for it
  std::vector<PlanEntry> entries;  // one per point, row-major
};

class Planner {
 public:
  // `rank`: this process's rank (entries for other ranks are not run here).
  Planner(const Machine& machine, MapperRegistry& mappers, const ShardingRegistry& sharding, uint32_t jsProcessor)
      : machine_(machine), mappers_(mappers), sharding_(sharding), jsProcessor_(jsProcessor) {}

  // Plans a launch at `position` (reserve 1 for a single launch, 1 + points
  // for an index launch). Throws cohort::Error, planning nothing and leaving
  // the analyzer untouched, on a bad mapper answer, bad requirements or
  // requirements that interfere.
  LaunchPlan planLaunch(DependenceAnalyzer& analyzer, uint64_t position, const LaunchRequest& request) const;
  // The same into `out`, reusing its storage (the issuer's hot path).
  void planLaunch(DependenceAnalyzer& analyzer, uint64_t position, const LaunchRequest& request, LaunchPlan& out) const;

  // An execution fence at `position`: it waits for everything before it in
  // the context (not through the analyzer: also for tasks without regions).
  static PlanEntry planFence(uint64_t position);

  // Positions an operation takes (see the naming rule above).
  static uint64_t positionsOf(const LaunchRequest& request) { return request.index ? 1 + request.points.size() : 1; }

  // Control replication is on (see MappingContext::replicated).
  void setReplicated(bool on) { replicated_ = on; }

 private:
  const Machine& machine_;
  MapperRegistry& mappers_;
  const ShardingRegistry& sharding_;
  uint32_t jsProcessor_;
  bool replicated_ = false;
};

}  // namespace cohort
