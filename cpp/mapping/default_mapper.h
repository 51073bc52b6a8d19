// The default mapper, in C++ so that launches that use it make no JS call:
// C++ variant when the task has one, any worker (the pool balances load),
// one slice for the whole launch, the cyclic sharding functor (id 0), one
// shard per rank.
#pragma once
#include "mapping/mapper.h"

namespace cohort {

class DefaultMapper final : public Mapper {
 public:
  std::string name() const override { return "default"; }
  bool isBuiltinDefault() const override { return true; }
  void selectTaskOptions(const MappableTask& task, const Machine& m, TaskOptions& out) override;
  void sliceTask(const MappableTask& task, const Domain& domain, const Machine& m,
                 std::vector<TaskSlice>& out) override;
  void mapTask(const MappableTask& task, const Machine& m, MapTaskOutput& out) override;
  void selectShardingFunctor(const MappableTask& task, const Machine& m, ShardingOutput& out) override;
  void replicateTask(const MappableTask& task, const Machine& m, ReplicateTaskOutput& out) override;
};

}  // namespace cohort
