// Sharding functors decide which shard owns each point of a launch under
// control replication. Every answer is validated: a shard outside
// [0, totalShards) is an error naming the functor, the point, the domain
// and the shard count. Built-ins: 0 cyclic (Legion's: the point linearized
// in Fortran order, dimension 0 fastest, relative to the domain's lower
// corner, modulo the shard count) and 1 block (contiguous runs of that
// linear order).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/geometry.h"
#include "mapping/mapper.h"

namespace cohort {

class ShardingFunctor {
 public:
  virtual ~ShardingFunctor() = default;
  virtual std::string name() const = 0;
  // Must be a pure function of its inputs (every shard calls it).
  virtual int64_t shard(const Point& point, const Domain& domain, uint32_t totalShards) = 0;
};

using ShardingFunctorPtr = std::shared_ptr<ShardingFunctor>;

constexpr ShardingId kCyclicSharding = 0;
constexpr ShardingId kBlockSharding = 1;

// Limits of a shardPoints query, whose answer lists one array per shard and
// every point of the domain: more shards than any machine cohort targets has
// ranks, and domains of up to 2^24 points.
constexpr uint32_t kMaxShardsQueried = 1u << 16;
constexpr uint64_t kMaxShardQueryPoints = uint64_t{1} << 24;

// Fortran-order (dimension 0 fastest) index of `p` inside `domain`.
uint64_t linearizeFortran(const Point& p, const Domain& domain);

class ShardingRegistry {
 public:
  ShardingRegistry();
  // Registers a functor under `id`; ids 0 and 1 are the built-ins.
  void add(ShardingId id, ShardingFunctorPtr functor);
  bool has(ShardingId id) const { return functors_.count(id) != 0; }
  ShardingFunctor& get(ShardingId id) const;  // throws for an unknown id

  // The owner of `point`, validated.
  uint32_t shardOf(ShardingId id, const Point& point, const Domain& domain, uint32_t totalShards) const;
  // The points each shard owns, in row-major point order.
  std::vector<std::vector<Point>> shardPoints(ShardingId id, const Domain& domain, uint32_t totalShards) const;

 private:
  std::map<ShardingId, ShardingFunctorPtr> functors_;
};

}  // namespace cohort
