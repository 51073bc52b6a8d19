// Turns a mapper's answers into where and how each task of a launch runs,
// validating every answer first: a callback that throws, a processor that
// does not exist or cannot run the variant, a variant the task lacks,
// slices that leave a point out or cover one twice, a sharding functor
// that is not registered or answers out of range. Each is an Error naming
// the mapper, the callback, the task and the bad value. Nothing is issued
// before all of this succeeded, so a bad mapper loses nothing.
#pragma once
#include <vector>

#include "mapping/mapper.h"
#include "mapping/sharding.h"
#include "registry/task_registry.h"

namespace cohort {

struct PointPlacement {
  VariantKind variant = VariantKind::Cpp;
  int worker = kAnyProcessor;  // a CPU worker, or any
  int priority = 0;
  uint32_t shard = 0;  // owning shard (control replication)
};

struct LaunchPlacement {
  std::vector<PointPlacement> points;  // one for a single launch
  bool inlineTask = false;
  bool replicate = false;
  std::vector<uint32_t> shardRanks;  // from replicateTask, when replicate
  ShardingId functor = 0;
};

struct MappingContext {
  Mapper& mapper;
  MapperId mapperId;
  const Machine& machine;
  const ShardingRegistry& sharding;
};

LaunchPlacement placeSingle(const MappingContext& ctx, const MappableTask& task);
LaunchPlacement placeIndex(const MappingContext& ctx, const MappableTask& task, const std::vector<Point>& points);

}  // namespace cohort
