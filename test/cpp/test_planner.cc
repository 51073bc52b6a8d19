// The planner: plans of known programs, with their kinds, locations, waits
// and exclusion keys; no task objects, no events, and a refused launch plans
// nothing.
#include <string>
#include <vector>

#include "check.h"
#include "mapping/default_mapper.h"
#include "plan/planner.h"
#include "util/error.h"

using namespace cohort;

namespace {

int noop(const cohort_api*, cohort_task_context*) { return 0; }

struct World {
  RegionForest forest;
  DependenceAnalyzer analyzer{forest};
  Machine machine;
  MapperRegistry mappers;
  ShardingRegistry sharding;
  TaskRegistry tasks;
  Planner planner{machine, mappers, sharding, 2};
  uint64_t next = 1;
  TaskId cpp = 0, js = 0, both = 0;

  World() {
    machine.processors = {{0, ProcessorKind::Cpu, 0}, {1, ProcessorKind::Cpu, 0}, {2, ProcessorKind::Js, 0}};
    cpp = tasks.registerCpp("kernel", &noop, nullptr, VariantProps{});
    js = tasks.registerJs("script", VariantProps{});
    both = tasks.registerCpp("either", &noop, nullptr, VariantProps{});
    tasks.registerJs("either", VariantProps{});
  }
  RegionHandle region(const Rect& bounds) { return forest.createRegion(bounds, {{"x", FieldType::F64}}); }

  LaunchPlan single(TaskId task, RegionRequirements reqs, LaunchOptions options = {}, MapperId mapper = 0) {
    LaunchRequest r;
    r.task = &tasks.get(task);
    r.options = options;
    r.mapper = mapper;
    r.points.resize(1);
    r.points[0].requirements = std::move(reqs);
    LaunchPlan plan = planner.planLaunch(analyzer, next, r);
    next += Planner::positionsOf(r);
    return plan;
  }
  LaunchPlan index(TaskId task, const Domain& domain, PartitionHandle part, Privilege p, RedopId redop = kNoRedop) {
    LaunchRequest r;
    r.task = &tasks.get(task);
    r.index = true;
    r.domain = domain;
    LaunchRequirement lr{projectIdentity(forest, part), {0}, p, redop, Coherence::Exclusive};
    for (const Point& pt : pointsOf(domain)) r.points.push_back(PointRequirements{pt, {lr.at(pt)}});
    LaunchPlan plan = planner.planLaunch(analyzer, next, r);
    next += Planner::positionsOf(r);
    return plan;
  }
};

RegionRequirement rw(RegionHandle r) {
  return RegionRequirement{r, {0}, Privilege::ReadWrite, kNoRedop, Coherence::Exclusive};
}
RegionRequirement ro(RegionHandle r) {
  return RegionRequirement{r, {0}, Privilege::ReadOnly, kNoRedop, Coherence::Exclusive};
}

// A mapper that answers mapTask with a processor that does not exist.
class BadProcessorMapper : public Mapper {
 public:
  std::string name() const override { return "bad"; }
  void selectTaskOptions(const MappableTask& t, const Machine& m, TaskOptions& out) override {
    base_.selectTaskOptions(t, m, out);
  }
  void sliceTask(const MappableTask& t, const Domain& d, const Machine& m, std::vector<TaskSlice>& out) override {
    base_.sliceTask(t, d, m, out);
  }
  void mapTask(const MappableTask& t, const Machine& m, MapTaskOutput& out) override {
    base_.mapTask(t, m, out);
    out.targetProcessors = {bogus_};
    out.priority = priority_;
  }
  void selectShardingFunctor(const MappableTask& t, const Machine& m, ShardingOutput& out) override {
    base_.selectShardingFunctor(t, m, out);
  }
  void replicateTask(const MappableTask& t, const Machine& m, ReplicateTaskOutput& out) override {
    base_.replicateTask(t, m, out);
  }

 protected:
  int bogus_ = 17;
  int priority_ = 0;

 private:
  DefaultMapper base_;
};

// Answers mapTask with worker 1 and priority 5.
class PriorityMapper final : public BadProcessorMapper {
 public:
  PriorityMapper() {
    bogus_ = 1;
    priority_ = 5;
  }
};

}  // namespace

TEST("a write then a read of one region: the read's entry waits for the write's position") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  LaunchPlan a = w.single(w.cpp, {rw(r)});
  LaunchPlan b = w.single(w.cpp, {ro(r)});
  REQUIRE(a.entries.size() == 1 && b.entries.size() == 1);
  CHECK(a.position == 1 && b.position == 2);
  CHECK(a.analyzed && b.analyzed);
  CHECK(a.entries[0].kind == EntryKind::Task);
  CHECK(a.entries[0].task == w.cpp);
  CHECK(a.entries[0].waitsFor.empty());
  CHECK(b.entries[0].waitsFor == PooledVector<OpId>{1});
}

TEST("a C++ task is located on any worker with its C++ variant; a TS task on the JS processor") {
  World w;
  LaunchPlan c = w.single(w.cpp, {});
  LaunchPlan t = w.single(w.js, {});
  CHECK(!c.analyzed);
  CHECK(c.entries[0].where == (Location{0, -1, VariantKind::Cpp, 0}));
  CHECK(t.entries[0].where == (Location{0, 2, VariantKind::Js, 0}));
}

TEST("the program's explicit variant and worker override the mapper's choice") {
  World w;
  LaunchOptions pinned;
  pinned.pinnedWorker = 1;
  CHECK(w.single(w.both, {}, pinned).entries[0].where == (Location{0, 1, VariantKind::Cpp, 0}));
  LaunchOptions ts;
  ts.variant = static_cast<int>(VariantKind::Js);
  CHECK(w.single(w.both, {}, ts).entries[0].where == (Location{0, 2, VariantKind::Js, 0}));
}

TEST("an index launch takes one position for itself and one per point; its points wait for earlier launches") {
  World w;
  RegionHandle r = w.region(Rect(0, 15));
  PartitionHandle p = w.forest.partitionEqual(r, 4);
  LaunchPlan first = w.index(w.cpp, Rect(0, 3), p, Privilege::ReadWrite);
  LaunchPlan second = w.index(w.cpp, Rect(0, 3), p, Privilege::ReadOnly);
  CHECK(first.position == 1);
  CHECK(second.position == 6);
  REQUIRE(first.entries.size() == 4 && second.entries.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(first.entries[i].kind == EntryKind::IndexPoint);
    CHECK(first.entries[i].pointIndex == i);
    CHECK(first.entries[i].waitsFor.empty());  // points of one launch never wait for each other
    CHECK(second.entries[i].waitsFor == PooledVector<OpId>{1});
  }
}

TEST("a reduction's entry carries its exclusion key (tree, field)") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  LaunchPlan red = w.single(w.cpp, {RegionRequirement{r, {0}, Privilege::Reduce, kRedopSum, Coherence::Exclusive}});
  REQUIRE(red.entries[0].exclusionKeys.size() == 1);
  CHECK(red.entries[0].exclusionKeys[0].tree == r.tree);
  CHECK(red.entries[0].exclusionKeys[0].field == 0);
}

TEST("a bad mapper answer plans nothing: the analyzer never saw the launch") {
  World w;
  w.mappers.add(5, std::make_shared<BadProcessorMapper>());
  RegionHandle r = w.region(Rect(0, 9));
  LaunchPlan a = w.single(w.cpp, {rw(r)});
  bool refused = false;
  try {
    w.single(w.cpp, {rw(r)}, {}, 5);
  } catch (const Error& e) {
    refused = std::string(e.what()).find("bad") != std::string::npos;
  }
  CHECK(refused);
  // The next launch still waits for the first write, not for the refused one.
  LaunchPlan b = w.single(w.cpp, {ro(r)});
  CHECK(b.entries[0].waitsFor == PooledVector<OpId>{a.position});
}

TEST("the mapper's processor and priority are the entry's location") {
  World w;
  w.mappers.add(6, std::make_shared<PriorityMapper>());
  CHECK(w.single(w.cpp, {}, {}, 6).entries[0].where == (Location{0, 1, VariantKind::Cpp, 5}));
}

TEST("a variant the task lacks is refused with its name") {
  World w;
  LaunchOptions cppOnly;
  cppOnly.variant = static_cast<int>(VariantKind::Cpp);
  std::string message;
  try {
    w.single(w.js, {}, cppOnly);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message == "task 'script' has no C++ variant");
}

TEST("a fence is its own kind of entry at its position") {
  PlanEntry f = Planner::planFence(7);
  CHECK(f.kind == EntryKind::Fence);
  CHECK(f.op == 7);
  CHECK(std::string(entryKindName(f.kind)) == "fence");
}

TEST("operation names print as dotted positions") {
  const OpName three{{3}}, nested{{3, 2, 1}}, second{{3, 2}}, tenth{{3, 10}}, child{{3, 1}};
  CHECK(three.toString() == "3");
  CHECK(nested.toString() == "3.2.1");
  CHECK(second < tenth);
  CHECK(three < child);
}

TEST_MAIN("planner")
