// Placement uses or refuses every mapper answer: the sharding functor's
// shard becomes each point's rank (its Location), priorities reach the
// placement, replicate is refused, and the mapper is told where a
// placement begins and ends (also when it fails).
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "mapping/default_mapper.h"
#include "mapping/placement.h"
#include "util/error.h"

using namespace cohort;

namespace {

// A machine of two ranks: a CPU worker and the JS processor on each.
Machine twoRanks() {
  Machine m;
  m.ranks = 2;
  m.processors = {
      {0, ProcessorKind::Cpu, 0}, {1, ProcessorKind::Js, 0}, {2, ProcessorKind::Cpu, 1}, {3, ProcessorKind::Js, 1}};
  return m;
}

// The default's answers, except the sharding functor, the priority and
// replicate, which the test sets; counts the placement brackets.
class Scripted final : public Mapper {
 public:
  ShardingId functor = 0;
  int priority = 0;
  bool replicate = false;
  int begun = 0, ended = 0;
  std::string name() const override { return "scripted"; }
  void selectTaskOptions(const MappableTask&, const Machine&, TaskOptions& out) override {
    out = TaskOptions{};
    out.replicate = replicate;
  }
  void sliceTask(const MappableTask& t, const Domain& d, const Machine& m, std::vector<TaskSlice>& out) override {
    fallback.sliceTask(t, d, m, out);
  }
  void mapTask(const MappableTask& t, const Machine& m, MapTaskOutput& out) override {
    fallback.mapTask(t, m, out);
    out.priority = priority + (t.hasPoint ? static_cast<int>(t.point[0]) : 0);
  }
  bool mapsEachPoint() const override { return true; }
  void selectShardingFunctor(const MappableTask&, const Machine&, ShardingOutput& out) override {
    out.functor = functor;
  }
  void replicateTask(const MappableTask& t, const Machine& m, ReplicateTaskOutput& out) override {
    fallback.replicateTask(t, m, out);
  }
  void beginPlacement() override { ++begun; }
  void endPlacement() override { ++ended; }

 private:
  DefaultMapper fallback;
};

class Always final : public ShardingFunctor {
 public:
  explicit Always(int64_t s) : s_(s) {}
  std::string name() const override { return "always"; }
  int64_t shard(const Point&, const Domain&, uint32_t) override { return s_; }

 private:
  int64_t s_;
};

TaskInfo cppTask() {
  TaskInfo t;
  t.id = 1;
  t.name = "work";
  t.cpp = std::make_unique<CppVariant>();
  return t;
}

MappableTask indexTask(const TaskInfo& info, const Domain& d) {
  MappableTask t;
  t.task = &info;
  t.isIndexLaunch = true;
  t.launchDomain = d;
  return t;
}

std::vector<uint32_t> ranksOf(const LaunchPlacement& p, const Machine& m) {
  std::vector<uint32_t> out;
  for (const auto& pp : p.points) out.push_back(locationOf(pp, m).rank);
  return out;
}

}  // namespace

TEST("the sharding functor's shard is each point's rank (cyclic and block over two ranks)") {
  Machine m = twoRanks();
  ShardingRegistry sharding;
  Scripted mapper;
  TaskInfo info = cppTask();
  Domain d(Point(0), Point(3));
  MappingContext ctx{mapper, 7, m, sharding};
  mapper.functor = kCyclicSharding;
  CHECK((ranksOf(placeIndex(ctx, indexTask(info, d), pointsOf(d)), m) == std::vector<uint32_t>{0, 1, 0, 1}));
  mapper.functor = kBlockSharding;
  CHECK((ranksOf(placeIndex(ctx, indexTask(info, d), pointsOf(d)), m) == std::vector<uint32_t>{0, 0, 1, 1}));
}

TEST("with one rank every point is rank 0, and a shard out of range is refused naming the functor") {
  Machine m = twoRanks();
  m.ranks = 1;
  m.processors.resize(2);
  ShardingRegistry sharding;
  sharding.add(9, std::make_shared<Always>(0));
  sharding.add(10, std::make_shared<Always>(1));
  Scripted mapper;
  TaskInfo info = cppTask();
  Domain d(Point(0), Point(2));
  MappingContext ctx{mapper, 7, m, sharding};
  mapper.functor = 9;
  CHECK((ranksOf(placeIndex(ctx, indexTask(info, d), pointsOf(d)), m) == std::vector<uint32_t>{0, 0, 0}));
  mapper.functor = 10;
  bool refused = false;
  try {
    placeIndex(ctx, indexTask(info, d), pointsOf(d));
  } catch (const Error& e) {
    refused = std::string(e.what()).find("always") != std::string::npos;
  }
  CHECK(refused);
}

TEST("priorities and workers reach each point's location") {
  Machine m = twoRanks();
  ShardingRegistry sharding;
  Scripted mapper;
  mapper.priority = 10;
  TaskInfo info = cppTask();
  Domain d(Point(0), Point(1));
  MappingContext ctx{mapper, 7, m, sharding};
  LaunchPlacement p = placeIndex(ctx, indexTask(info, d), pointsOf(d));
  REQUIRE(p.points.size() == 2);
  CHECK(locationOf(p.points[0], m).priority == 10);
  CHECK(locationOf(p.points[1], m).priority == 11);
  CHECK(locationOf(p.points[1], m).processor == -1);
  CHECK(locationOf(p.points[1], m).variant == VariantKind::Cpp);
}

TEST("replicate is refused as not supported yet, and every placement is bracketed, failed ones too") {
  Machine m = twoRanks();
  ShardingRegistry sharding;
  Scripted mapper;
  TaskInfo info = cppTask();
  MappingContext ctx{mapper, 7, m, sharding};
  MappableTask single;
  single.task = &info;
  placeSingle(ctx, single);
  CHECK(mapper.begun == 1 && mapper.ended == 1);
  mapper.replicate = true;
  std::string message;
  try {
    placeSingle(ctx, single);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message.find("mapper 'scripted' (id 7), selectTaskOptions, task 'work'") == 0);
  CHECK(message.find("not supported yet") != std::string::npos);
  CHECK(mapper.begun == 2 && mapper.ended == 2);
}

TEST_MAIN("mapping placement")
