// Turns a mapper's answers into where and how each task of a launch runs,
// validating every answer first: a callback that throws, a processor that
// does not exist or cannot run the variant, a variant the task lacks,
// slices that leave a point out or cover one twice, a sharding functor
// that is not registered or answers out of range. Each is an Error naming
// the mapper, the callback, the task and the bad value. Nothing is issued
// before all of this succeeded, so a bad mapper loses nothing.
//
// Every answer is used or refused, never dropped: the variant, processor,
// priority and the owning rank (the shard the sharding functor chose; one
// shard per rank) of each point are in its PointPlacement; `inline` makes
// the TS variant run on the JS processor (and contradicting it in mapTask is
// an error); `replicate` is refused until control replication exists.
#pragma once
#include <vector>

#include "analysis/plan.h"
#include "mapping/mapper.h"
#include "mapping/sharding.h"
#include "registry/task_registry.h"

namespace cohort {

struct PointPlacement {
  VariantKind variant = VariantKind::Cpp;
  int worker = kAnyProcessor;  // a CPU worker, or any
  int priority = 0;            // higher runs first among ready tasks of a pool
  uint32_t rank = 0;           // the owning rank: the shard the sharding functor chose...
  bool rankChosen = false;     // ...or the rank of the processor the mapper chose
  bool mapOnTarget = false;    // the rank the sharding chose maps it (TaskOptions::mapLocally false)
};

struct LaunchPlacement {
  std::vector<PointPlacement> points;  // one for a single launch
};

// Where a placed point runs, as the plan records it (analysis/plan.h).
Location locationOf(const PointPlacement& p, const Machine& m);

struct MappingContext {
  Mapper& mapper;
  MapperId mapperId;
  const Machine& machine;
  const ShardingRegistry& sharding;
  bool nested = false;  // a running task's launch: points with regions stay on this rank
  // Control replication: every shard places every launch the same way; a
  // single task the mapper did not put on a processor belongs to shard 0
  // (the runtime's own tasks, fills and inline mappings, run on every shard).
  bool replicated = false;
};

PointPlacement placeSingle(const MappingContext& ctx, const MappableTask& task);
LaunchPlacement placeIndex(const MappingContext& ctx, const MappableTask& task, const std::vector<Point>& points);

}  // namespace cohort
