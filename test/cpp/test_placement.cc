// Placement: a mapper's answers become where each point runs, and every
// bad answer is refused naming the mapper, the callback and the value.
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "mapping/default_mapper.h"
#include "mapping/placement.h"
#include "util/error.h"

using namespace cohort;

namespace {

int noop(const cohort_api*, cohort_task_context*) { return 0; }

// A mapper whose answers the test sets; the rest are the default's.
class ScriptedMapper final : public Mapper {
 public:
  std::function<void(std::vector<TaskSlice>&, const Domain&)> slices;
  std::function<void(MapTaskOutput&)> map;
  int eachPointWorker = -2;  // >= -1: mapTask answers per point, point 0's coordinate picks the worker
  std::string name() const override { return "scripted"; }
  void selectTaskOptions(const MappableTask& t, const Machine& m, TaskOptions& out) override {
    base_.selectTaskOptions(t, m, out);
  }
  void sliceTask(const MappableTask& t, const Domain& d, const Machine& m, std::vector<TaskSlice>& out) override {
    if (slices)
      slices(out, d);
    else
      base_.sliceTask(t, d, m, out);
  }
  void mapTask(const MappableTask& t, const Machine& m, MapTaskOutput& out) override {
    base_.mapTask(t, m, out);
    if (eachPointWorker >= -1 && t.hasPoint) out.targetProcessors = {static_cast<int>(t.point[0] % 2)};
    if (map) map(out);
  }
  bool mapsEachPoint() const override { return eachPointWorker >= -1; }
  void selectShardingFunctor(const MappableTask& t, const Machine& m, ShardingOutput& out) override {
    base_.selectShardingFunctor(t, m, out);
  }
  void replicateTask(const MappableTask& t, const Machine& m, ReplicateTaskOutput& out) override {
    base_.replicateTask(t, m, out);
  }

 private:
  DefaultMapper base_;
};

struct World {
  Machine machine;
  ShardingRegistry sharding;
  TaskRegistry tasks;
  ScriptedMapper mapper;
  DefaultMapper defaults;
  TaskId cpp = 0, js = 0;
  World() {
    machine.processors = {{0, ProcessorKind::Cpu, 0}, {1, ProcessorKind::Cpu, 0}, {2, ProcessorKind::Js, 0}};
    cpp = tasks.registerCpp("kernel", &noop, nullptr, VariantProps{});
    js = tasks.registerJs("script", VariantProps{});
  }
  MappableTask task(TaskId id, const Domain& domain = Domain()) {
    MappableTask t;
    t.task = &tasks.get(id);
    if (domain.dim() > 0) {
      t.isIndexLaunch = true;
      t.launchDomain = domain;
    }
    return t;
  }
  MappingContext with(Mapper& m) { return MappingContext{m, 9, machine, sharding}; }
};

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST("the default mapper puts every point of an index launch on any worker with the C++ variant") {
  World w;
  Domain d(0, 7);
  LaunchPlacement p = placeIndex(w.with(w.defaults), w.task(w.cpp, d), pointsOf(d));
  REQUIRE(p.points.size() == 8);
  for (const auto& pt : p.points) {
    CHECK(pt.variant == VariantKind::Cpp);
    CHECK(pt.worker == kAnyProcessor);
    CHECK(pt.rank == 0);
  }
}

TEST("a slice's processor becomes the worker of each of its points") {
  World w;
  Domain d(0, 7);
  w.mapper.slices = [](std::vector<TaskSlice>& out, const Domain&) {
    out = {TaskSlice{Domain(0, 3), 0}, TaskSlice{Domain(4, 7), 1}};
  };
  LaunchPlacement p = placeIndex(w.with(w.mapper), w.task(w.cpp, d), pointsOf(d));
  REQUIRE(p.points.size() == 8);
  for (size_t i = 0; i < 8; ++i) CHECK(p.points[i].worker == (i < 4 ? 0 : 1));
}

TEST("mapTask asked per point places each point as answered") {
  World w;
  w.mapper.eachPointWorker = 0;
  Domain d(0, 5);
  LaunchPlacement p = placeIndex(w.with(w.mapper), w.task(w.cpp, d), pointsOf(d));
  REQUIRE(p.points.size() == 6);
  for (size_t i = 0; i < 6; ++i) CHECK(p.points[i].worker == static_cast<int>(i % 2));
}

TEST("slices that leave a point out or cover one twice are refused, naming the point") {
  World w;
  Domain d(0, 7);
  w.mapper.slices = [](std::vector<TaskSlice>& out, const Domain&) { out = {TaskSlice{Domain(0, 6), -1}}; };
  CHECK(errorOf([&] {
          placeIndex(w.with(w.mapper), w.task(w.cpp, d), pointsOf(d));
        }).find("sliceTask, task 'kernel': the slices leave point (7) of [0..7] uncovered") != std::string::npos);
  w.mapper.slices = [](std::vector<TaskSlice>& out, const Domain&) {
    out = {TaskSlice{Domain(0, 4), -1}, TaskSlice{Domain(4, 7), -1}};
  };
  CHECK(errorOf([&] {
          placeIndex(w.with(w.mapper), w.task(w.cpp, d), pointsOf(d));
        }).find("slices 0 and 1 both cover point (4)") != std::string::npos);
}

TEST("a processor that does not exist, or cannot run the variant, is refused naming mapper and callback") {
  World w;
  w.mapper.map = [](MapTaskOutput& out) { out.targetProcessors = {17}; };
  const std::string missing = errorOf([&] { placeSingle(w.with(w.mapper), w.task(w.cpp)); });
  CHECK(missing.find("mapper 'scripted' (id 9), mapTask, task 'kernel'") != std::string::npos);
  CHECK(missing.find("17") != std::string::npos);
  w.mapper.map = [](MapTaskOutput& out) { out.targetProcessors = {2}; };  // the JS processor
  CHECK(!errorOf([&] { placeSingle(w.with(w.mapper), w.task(w.cpp)); }).empty());
}

TEST("a variant the task lacks is refused") {
  World w;
  w.mapper.map = [](MapTaskOutput& out) { out.variant = static_cast<int>(VariantKind::Cpp); };
  CHECK(errorOf([&] { placeSingle(w.with(w.mapper), w.task(w.js)); }).find("mapTask") != std::string::npos);
}

TEST("a TS-only task is placed with its TS variant") {
  World w;
  PointPlacement p = placeSingle(w.with(w.defaults), w.task(w.js));
  CHECK(p.variant == VariantKind::Js);
}

TEST_MAIN("placement")
