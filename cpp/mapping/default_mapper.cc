#include "mapping/default_mapper.h"

#include "registry/task_registry.h"

namespace cohort {

void DefaultMapper::selectTaskOptions(const MappableTask&, const Machine&, TaskOptions& out) { out = TaskOptions{}; }

void DefaultMapper::sliceTask(const MappableTask&, const Domain& domain, const Machine&, std::vector<TaskSlice>& out) {
  out.assign(1, TaskSlice{domain, kAnyProcessor});
}

void DefaultMapper::mapTask(const MappableTask& task, const Machine&, MapTaskOutput& out) {
  out = MapTaskOutput{};
  out.variant = static_cast<int>(task.task->cpp ? VariantKind::Cpp : VariantKind::Js);
}

void DefaultMapper::selectShardingFunctor(const MappableTask&, const Machine&, ShardingOutput& out) { out.functor = 0; }

void DefaultMapper::replicateTask(const MappableTask&, const Machine& m, ReplicateTaskOutput& out) {
  out.shardRanks.clear();
  for (uint32_t r = 0; r < m.ranks; ++r) out.shardRanks.push_back(r);
}

}  // namespace cohort
