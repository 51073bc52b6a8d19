// The executor, driven through the issuer without JS: entries run once, in
// dependence order (futures and regions), failures poison successors, TS
// tasks reach the JS inbox, pinned entries run where they are located, and
// an entry for another rank is refused before anything of its launch runs.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "check.h"
#include "cohort/value.hpp"
#include "ops/issuer.h"
#include "ops/trace.h"
#include "plan/launch_description.h"
#include "runtime/runtime.h"
#include "util/error.h"

using namespace cohort;

namespace {
// add_one(): its future's value (or 0) plus one.
int addOne(const cohort_api* api, cohort_task_context* ctx) {
  double v = 0;
  if (api->task_future_count(ctx) > 0) {
    size_t n = 0;
    const uint8_t* p = api->task_future(ctx, 0, &n);
    v = Value::decode(p, n).asNumber();
  }
  Encoder e;
  e.number(v + 1);
  api->task_set_result(ctx, e.bytes().data(), e.bytes().size());
  return 0;
}
int sumFutures(const cohort_api* api, cohort_task_context* ctx) {
  double s = 0;
  for (uint32_t i = 0; i < api->task_future_count(ctx); ++i) {
    size_t n = 0;
    const uint8_t* p = api->task_future(ctx, i, &n);
    s += Value::decode(p, n).asNumber();
  }
  Encoder e;
  e.number(s);
  api->task_set_result(ctx, e.bytes().data(), e.bytes().size());
  return 0;
}
int failing(const cohort_api* api, cohort_task_context* ctx) {
  api->task_fail(ctx, "kernel failed on purpose");
  return 1;
}
std::vector<uint8_t> noArgs() {
  Encoder e;
  e.beginArray(0);
  return e.take();
}
void waitFor(const FuturePtr& f) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!f->ready().hasFired() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  REQUIRE(f->ready().hasFired());
}
double valueOf(const FuturePtr& f) { return Value::decode(f->bytes().data(), f->bytes().size()).asNumber(); }

FuturePtr launch(Runtime& rt, TaskId task, std::vector<FuturePtr> futures, LaunchOptions options = {},
                 RegionRequirements regions = {}) {
  SingleLaunch l;
  l.task = task;
  l.args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  l.futures = std::move(futures);
  l.options = options;
  l.regions = std::move(regions);
  return issueTask(rt, std::move(l));
}

// Test instrumentation: the order in which `logged` tasks ran (by their
// first argument) and how often.
struct RunLog {
  std::mutex mutex;
  std::vector<double> order;
};
RunLog& runLog() {
  static RunLog log;
  return log;
}
int logged(const cohort_api* api, cohort_task_context* ctx) {
  size_t n = 0;
  const uint8_t* p = api->task_args(ctx, &n);
  const double id = Value::decode(p, n)[0].asNumber();
  std::lock_guard<std::mutex> lock(runLog().mutex);
  runLog().order.push_back(id);
  return 0;
}
int processorOf(const cohort_api* api, cohort_task_context* ctx) {
  Encoder e;
  e.number(api->task_processor(ctx));
  api->task_set_result(ctx, e.bytes().data(), e.bytes().size());
  return 0;
}
FuturePtr launchLogged(Runtime& rt, TaskId task, double id, RegionRequirements regions) {
  Encoder e;
  e.beginArray(1);
  e.number(id);
  SingleLaunch l;
  l.task = task;
  l.args = std::make_shared<const std::vector<uint8_t>>(e.take());
  l.regions = std::move(regions);
  return issueTask(rt, std::move(l));
}
}  // namespace

TEST("a chain of dependent tasks runs in order and yields the sequential result") {
  Runtime rt(RuntimeOptions{2});
  TaskId t = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  FuturePtr f = launch(rt, t, {});
  for (int i = 1; i < 2000; ++i) f = launch(rt, t, {f});
  waitFor(f);
  CHECK(valueOf(f) == 2000);
  rt.shutdown();
}

TEST("a fan-in task waits for all its futures") {
  Runtime rt(RuntimeOptions{2});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  TaskId sum = rt.tasks().registerCpp("sum", &sumFutures, nullptr, VariantProps{});
  std::vector<FuturePtr> parts;
  for (int i = 0; i < 100; ++i) parts.push_back(launch(rt, one, {}));
  FuturePtr total = launch(rt, sum, parts);
  waitFor(total);
  CHECK(valueOf(total) == 100);
  rt.shutdown();
}

TEST("a failed task poisons its future and dependents do not run") {
  Runtime rt(RuntimeOptions{2});
  TaskId bad = rt.tasks().registerCpp("bad", &failing, nullptr, VariantProps{});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  FuturePtr f = launch(rt, bad, {});
  FuturePtr g = launch(rt, one, {f});
  FuturePtr h = launch(rt, one, {g});
  waitFor(h);
  REQUIRE(f->ready().isPoisoned());
  CHECK(f->ready().failure()->message == "kernel failed on purpose");
  REQUIRE(h->ready().isPoisoned());
  // The grandchild names the task that actually failed.
  CHECK(h->ready().failure()->message.find("task 'bad'") != std::string::npos);
  CHECK(h->ready().failure()->message.find("kernel failed on purpose") != std::string::npos);
  rt.shutdown();
}

TEST("a TS task reaches the JS processor running once its future is ready") {
  Runtime rt(RuntimeOptions{1});
  std::atomic<int> notified{0};
  rt.jsProcessor().setNotifier([&] { notified.fetch_add(1); });
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  TaskId js = rt.tasks().registerJs("js_task", VariantProps{});
  FuturePtr f = launch(rt, one, {});
  FuturePtr g = launch(rt, js, {f});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  // The C++ task may finish before the TS task is even launched, so an
  // "idle" batch can come first: look for the task.
  ProcessorTaskPtr task;
  while (!task && std::chrono::steady_clock::now() < deadline) {
    JsProcessor::Batch b = rt.jsProcessor().takeReady();
    if (!b.tasks.empty()) task = b.tasks[0];
    std::this_thread::yield();
  }
  REQUIRE(task != nullptr);
  CHECK(notified.load() >= 1);
  REQUIRE(rt.runningJsTask(task->taskId()) != nullptr);
  TaskOpPtr op = rt.endJsTask(task->taskId());
  REQUIRE(op != nullptr);
  CHECK(op->task().name == "js_task");
  CHECK(op->status().phase == TaskOp::Phase::Running);
  CHECK(op->processor() == rt.jsProcessor().firstId());
  CHECK(rt.runningJsTask(op->id()) == nullptr);
  op->completeJs({static_cast<uint8_t>(ValueTag::Null)});
  CHECK(g->ready().hasFired());
  rt.shutdown();
}

TEST("launching after shutdown is an error that says so") {
  Runtime rt(RuntimeOptions{1});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  rt.shutdown();
  try {
    launch(rt, one, {});
    CHECK(false);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("after shutdown") != std::string::npos);
  }
}

TEST("an entry located on a worker runs there") {
  Runtime rt(RuntimeOptions{2});
  TaskId where = rt.tasks().registerCpp("processor_of", &processorOf, nullptr, VariantProps{});
  LaunchOptions pin;
  pin.pinnedWorker = 1;
  std::vector<FuturePtr> fs;
  for (int i = 0; i < 50; ++i) fs.push_back(launch(rt, where, {}, pin));
  for (auto& f : fs) waitFor(f);
  for (auto& f : fs) CHECK(valueOf(f) == 1);
  rt.shutdown();
}

TEST("entries that depend through a region run once each, in program order") {
  Runtime rt(RuntimeOptions{2});
  runLog().order.clear();
  TaskId t = rt.tasks().registerCpp("logged", &logged, nullptr, VariantProps{});
  RegionHandle r = rt.forest().createRegion(Rect(0, 9), {{"x", FieldType::F64}});
  RegionRequirement writes{r, {0}, Privilege::ReadWrite, kNoRedop, Coherence::Exclusive};
  FuturePtr last;
  for (int i = 0; i < 200; ++i) last = launchLogged(rt, t, i, {writes});
  waitFor(last);
  std::vector<double> expected;
  for (int i = 0; i < 200; ++i) expected.push_back(i);
  std::lock_guard<std::mutex> lock(runLog().mutex);
  CHECK(runLog().order == expected);
  rt.shutdown();
}

TEST("a failed entry poisons the entries that wait for it through a region; others run") {
  Runtime rt(RuntimeOptions{2});
  TaskId bad = rt.tasks().registerCpp("bad", &failing, nullptr, VariantProps{});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  RegionHandle r = rt.forest().createRegion(Rect(0, 9), {{"x", FieldType::F64}, {"y", FieldType::F64}});
  RegionRequirement x{r, {0}, Privilege::ReadWrite, kNoRedop, Coherence::Exclusive};
  RegionRequirement y{r, {1}, Privilege::ReadWrite, kNoRedop, Coherence::Exclusive};
  FuturePtr f = launch(rt, bad, {}, {}, {x});
  FuturePtr reader = launch(rt, one, {}, {}, {x});
  FuturePtr other = launch(rt, one, {}, {}, {y});
  waitFor(reader);
  waitFor(other);
  REQUIRE(reader->ready().isPoisoned());
  CHECK(reader->ready().failure()->message.find("did not run because task 'bad' (op #1)") != std::string::npos);
  CHECK(!other->ready().isPoisoned());
  CHECK(valueOf(other) == 1);
  rt.shutdown();
}

TEST("an entry for another rank is refused before anything of its launch runs") {
  Runtime rt(RuntimeOptions{1});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  const AnalysisContextPtr& ctx = rt.context(0);
  std::vector<PlanEntry> entries(2);
  for (auto& e : entries) e.task = one;
  entries[1].where.rank = 3;
  LaunchWork work;
  work.points.resize(2);
  for (auto& p : work.points) {
    p.task = one;
    p.args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  }
  std::string message;
  try {
    rt.executor().execute(ctx, 1, entries, std::move(work));
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message.find("belongs to rank 3, but this process is rank 0 and has no transport") != std::string::npos);
  CHECK(rt.outstanding() == 0);
  rt.shutdown();
}

TEST("a trace records each point as its launch description, which round-trips through bytes") {
  Runtime rt(RuntimeOptions{2});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  RegionHandle r = rt.forest().createRegion(Rect(0, 15), {{"x", FieldType::F64}});
  PartitionHandle blocks = rt.forest().partitionEqual(r, 4);
  launch(rt, one, {});  // op 1, before the trace
  beginTrace(rt, 0);
  launch(rt, one, {}, {}, {RegionRequirement{r, {0}, Privilege::Reduce, kRedopSum, Coherence::Exclusive}});
  IndexLaunch l;
  l.task = one;
  l.domain = Rect(0, 3);
  l.args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  l.regions.push_back(LaunchRequirement{
      projectIdentity(rt.forest(), blocks), {0}, Privilege::ReadWrite, kNoRedop, Coherence::Exclusive});
  issueIndexLaunch(rt, std::move(l));
  TracePtr t = endTrace(rt, 0);
  REQUIRE(t->launches() == 2);
  const LaunchDescription& single = t->recorded(0).at(0).description;
  CHECK(single.name.toString() == "2");
  CHECK(single.task.name == "add_one");
  CHECK(!single.isIndexPoint());
  REQUIRE(single.requirements.size() == 1);
  CHECK(single.requirements[0].privilege == Privilege::Reduce);
  CHECK(single.requirements[0].rects == std::vector<Rect>{Rect(0, 15)});
  REQUIRE(t->recorded(1).size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    const LaunchDescription& d = t->recorded(1)[i].description;
    CHECK(d.name.toString() == std::to_string(4 + i));  // the launch is op 3, its points 4..7
    CHECK(d.point == Point(static_cast<coord_t>(i)));
    CHECK(d.requirements.at(0).rects == std::vector<Rect>{Rect(4 * i, 4 * i + 3)});
    CHECK(decodeLaunch(encode(d)) == d);
  }
  CHECK(decodeLaunch(encode(single)) == single);
  waitFor(t->replay(rt, rt.context(0), 3, 0));
  rt.shutdown();
}

TEST_MAIN("executor")
