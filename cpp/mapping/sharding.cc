#include "mapping/sharding.h"

#include "util/error.h"

namespace cohort {

uint64_t linearizeFortran(const Point& p, const Domain& domain) {
  uint64_t idx = 0, stride = 1;
  for (int d = 0; d < domain.dim(); ++d) {
    idx += static_cast<uint64_t>(p[d] - domain.lo[d]) * stride;
    stride *= static_cast<uint64_t>(domain.hi[d] - domain.lo[d] + 1);
  }
  return idx;
}

namespace {

class CyclicShardingFunctor final : public ShardingFunctor {
 public:
  std::string name() const override { return "cyclic"; }
  int64_t shard(const Point& p, const Domain& d, uint32_t total) override {
    return static_cast<int64_t>(linearizeFortran(p, d) % total);
  }
};

class BlockShardingFunctor final : public ShardingFunctor {
 public:
  std::string name() const override { return "block"; }
  int64_t shard(const Point& p, const Domain& d, uint32_t total) override {
    uint64_t volume = d.volume();
    return static_cast<int64_t>(linearizeFortran(p, d) * total / (volume ? volume : 1));
  }
};

}  // namespace

ShardingRegistry::ShardingRegistry() {
  functors_[kCyclicSharding] = std::make_shared<CyclicShardingFunctor>();
  functors_[kBlockSharding] = std::make_shared<BlockShardingFunctor>();
}

void ShardingRegistry::add(ShardingId id, ShardingFunctorPtr functor) {
  if (id == kCyclicSharding || id == kBlockSharding)
    throw Error("sharding functor id " + std::to_string(id) + " is reserved for the built-in " +
                (id == kCyclicSharding ? "cyclic" : "block") + " functor; use an id of 2 or more");
  if (functors_.count(id))
    throw Error("a sharding functor is already registered with id " + std::to_string(id) + " ('" +
                functors_[id]->name() + "')");
  functors_[id] = std::move(functor);
}

ShardingFunctor& ShardingRegistry::get(ShardingId id) const {
  auto it = functors_.find(id);
  if (it == functors_.end()) throw Error("no sharding functor is registered with id " + std::to_string(id));
  return *it->second;
}

uint32_t ShardingRegistry::shardOf(ShardingId id, const Point& point, const Domain& domain,
                                   uint32_t totalShards) const {
  ShardingFunctor& f = get(id);
  if (totalShards == 0) throw Error("sharding: the shard count must be at least 1");
  int64_t s;
  try {
    s = f.shard(point, domain, totalShards);
  } catch (const std::exception& e) {
    throw Error("sharding functor '" + f.name() + "' (id " + std::to_string(id) + ") failed for point " +
                point.toString() + " of domain " + domain.toString() + ": " + e.what());
  }
  if (s < 0 || s >= static_cast<int64_t>(totalShards))
    throw Error("sharding functor '" + f.name() + "' (id " + std::to_string(id) + ") returned shard " +
                std::to_string(s) + " for point " + point.toString() + " of domain " + domain.toString() +
                "; shards must be in [0, " + std::to_string(totalShards) + ")");
  return static_cast<uint32_t>(s);
}

std::vector<std::vector<Point>> ShardingRegistry::shardPoints(ShardingId id, const Domain& domain,
                                                              uint32_t totalShards) const {
  std::vector<std::vector<Point>> out(totalShards);
  for (const Point& p : pointsOf(domain)) out[shardOf(id, p, domain, totalShards)].push_back(p);
  return out;
}

}  // namespace cohort
