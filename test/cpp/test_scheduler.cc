// The runtime's scheduling of C++ tasks without JS: chains, fan-in,
// failure propagation, and TS tasks reaching the JS inbox.
#include <atomic>
#include <chrono>
#include <thread>

#include "check.h"
#include "cohort/value.hpp"
#include "ops/issuer.h"
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
// Through the normal issue path (mapping, analysis context, fence epoch).
FuturePtr launch(Runtime& rt, TaskId task, std::vector<FuturePtr> futures = {}) {
  SingleLaunch l;
  l.task = task;
  l.args = noArgs();
  l.futures = std::move(futures);
  return issueTask(rt, std::move(l));
}
double valueOf(const FuturePtr& f) { return Value::decode(f->bytes().data(), f->bytes().size()).asNumber(); }
}  // namespace

TEST("a chain of dependent tasks runs in order and yields the sequential result") {
  Runtime rt(RuntimeOptions{2});
  TaskId t = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  FuturePtr f = launch(rt, t);
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
  for (int i = 0; i < 100; ++i) parts.push_back(launch(rt, one));
  FuturePtr total = launch(rt, sum, parts);
  waitFor(total);
  CHECK(valueOf(total) == 100);
  rt.shutdown();
}

TEST("a failed task poisons its future and dependents do not run") {
  Runtime rt(RuntimeOptions{2});
  TaskId bad = rt.tasks().registerCpp("bad", &failing, nullptr, VariantProps{});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  FuturePtr f = launch(rt, bad);
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
  FuturePtr f = launch(rt, one);
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
    launch(rt, one);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("after shutdown") != std::string::npos);
  }
}

TEST("a task pinned to a worker runs there") {
  Runtime rt(RuntimeOptions{2});
  TaskId one = rt.tasks().registerCpp("add_one", &addOne, nullptr, VariantProps{});
  LaunchOptions pin;
  pin.pinnedWorker = 1;
  std::vector<TaskOpPtr> ops;
  for (int i = 0; i < 50; ++i) {
    TaskOpPtr op = rt.createTask(one, noArgs(), {}, pin);
    rt.start(op);
    ops.push_back(op);
  }
  for (auto& op : ops) waitFor(op->result());
  for (auto& op : ops) CHECK(op->processor() == 1u);
  rt.shutdown();
}

TEST_MAIN("scheduler")
