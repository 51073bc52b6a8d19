// The JS processor without JS: batching (one notification per batch), lock
// parking (a task that cannot lock comes back only after a release), the
// running table, and the issue window's notices. Tasks are fakes of the
// procs-level interface, so nothing above procs is involved.
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "check.h"
#include "procs/js_processor.h"

using namespace cohort;

namespace {
constexpr ProcessorId kJsId = 3;

class FakeTask final : public ProcessorTask {
 public:
  explicit FakeTask(
      uint64_t id, std::function<bool()> lock = [] { return true; })
      : id_(id), lock_(std::move(lock)) {}
  uint64_t taskId() const override { return id_; }
  bool tryAcquireLocks() override {
    ++lockAttempts;
    return lock_();
  }
  void markRunning(ProcessorId proc) override { runningOn = static_cast<int64_t>(proc); }
  void run(ProcessorId) override {}

  int lockAttempts = 0;
  int64_t runningOn = -1;

 private:
  uint64_t id_;
  std::function<bool()> lock_;
};

std::shared_ptr<FakeTask> task(uint64_t id) { return std::make_shared<FakeTask>(id); }

std::vector<uint64_t> idsOf(const JsProcessor::Batch& b) {
  std::vector<uint64_t> ids;
  for (const auto& t : b.tasks) ids.push_back(t->taskId());
  return ids;
}
}  // namespace

TEST("it is one JS processor of kind Js with the id it was given") {
  JsProcessor js(kJsId);
  CHECK(js.kind() == ProcessorKind::Js);
  CHECK(js.firstId() == kJsId);
  CHECK(js.size() == 1u);
}

TEST("posts are batched: one notification per batch, everything taken at once in post order") {
  JsProcessor js(kJsId);
  int notified = 0;
  js.setNotifier([&] { ++notified; });
  CHECK(js.inboxEmpty());
  auto a = task(1), b = task(2), c = task(3);
  js.enqueue(a, -1, 0);
  js.enqueue(b, -1, 0);
  js.postWatch(42);
  js.enqueue(c, -1, 0);
  CHECK(notified == 1);
  CHECK(!js.inboxEmpty());
  JsProcessor::Batch batch = js.takeReady();
  CHECK((idsOf(batch) == std::vector<uint64_t>{1, 2, 3}));
  CHECK((batch.watches == std::vector<uint64_t>{42}));
  CHECK(!batch.idle && !batch.windowOpen);
  CHECK(js.inboxEmpty());
  // Handed out already running on the JS processor.
  CHECK(a->runningOn == kJsId && b->runningOn == kJsId && c->runningOn == kJsId);
  // The next post starts a new batch.
  js.enqueue(task(4), -1, 0);
  CHECK(notified == 2);
  CHECK((idsOf(js.takeReady()) == std::vector<uint64_t>{4}));
}

TEST("posts from many threads at once make one notification and lose nothing") {
  JsProcessor js(kJsId);
  std::atomic<int> notified{0};
  js.setNotifier([&] { notified.fetch_add(1); });
  constexpr int kThreads = 4, kEach = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&js, t] {
      for (int i = 0; i < kEach; ++i) js.enqueue(task(static_cast<uint64_t>(t * kEach + i + 1)), -1, 0);
    });
  for (auto& t : threads) t.join();
  CHECK(notified.load() == 1);
  CHECK(js.takeReady().tasks.size() == static_cast<size_t>(kThreads * kEach));
}

TEST("a wake notifies with nothing to take") {
  JsProcessor js(kJsId);
  int notified = 0;
  js.setNotifier([&] { ++notified; });
  js.wake();
  CHECK(notified == 1);
  CHECK(!js.inboxEmpty());
  JsProcessor::Batch b = js.takeReady();
  CHECK(b.tasks.empty() && b.watches.empty() && !b.idle && !b.windowOpen);
  CHECK(js.inboxEmpty());
}

TEST("a task that cannot take its locks is parked and handed out again only after a release") {
  JsProcessor js(kJsId);
  int notified = 0;
  js.setNotifier([&] { ++notified; });
  bool lockFree = false;
  auto t = std::make_shared<FakeTask>(7, [&] { return lockFree; });
  js.enqueue(t, -1, 0);
  CHECK(js.takeReady().tasks.empty());
  CHECK(t->lockAttempts == 1);
  CHECK(t->runningOn == -1);
  CHECK(js.running(7) == nullptr);
  // Parked: not in the inbox, not retried, no notification.
  CHECK(js.inboxEmpty());
  CHECK(js.takeReady().tasks.empty());
  CHECK(t->lockAttempts == 1);
  CHECK(notified == 1);
  // A release while the lock is still taken: tried again, parked again.
  js.locksReleased();
  CHECK(notified == 2);
  CHECK(js.takeReady().tasks.empty());
  CHECK(t->lockAttempts == 2);
  CHECK(js.inboxEmpty());
  // Free now, but nothing released: still parked.
  lockFree = true;
  CHECK(js.takeReady().tasks.empty());
  CHECK(t->lockAttempts == 2);
  js.locksReleased();
  CHECK(notified == 3);
  JsProcessor::Batch b = js.takeReady();
  CHECK((idsOf(b) == std::vector<uint64_t>{7}));
  CHECK(t->runningOn == kJsId);
  CHECK(js.running(7) == t.get());
}

TEST("a release between a failed lock attempt and parking retries at once instead of losing the task") {
  JsProcessor js(kJsId);
  int notified = 0;
  js.setNotifier([&] { ++notified; });
  int attempts = 0;
  std::shared_ptr<FakeTask> t;
  // The first attempt fails and a holder releases right then (as another
  // thread would, after takeReady read the lock generation).
  t = std::make_shared<FakeTask>(9, [&] {
    if (++attempts > 1) return true;
    js.locksReleased();
    return false;
  });
  js.enqueue(t, -1, 0);
  CHECK(js.takeReady().tasks.empty());
  CHECK(!js.inboxEmpty());  // re-posted, not parked
  CHECK(notified == 2);
  CHECK((idsOf(js.takeReady()) == std::vector<uint64_t>{9}));
}

TEST("the running table finds tasks until they end") {
  JsProcessor js(kJsId);
  auto a = task(11), b = task(12);
  js.enqueue(a, -1, 0);
  js.enqueue(b, -1, 0);
  CHECK(js.running(11) == nullptr);  // queued is not running
  js.takeReady();
  CHECK(js.running(11) == a.get());
  CHECK(js.running(12) == b.get());
  CHECK(js.running(13) == nullptr);
  ProcessorTaskPtr ended = js.end(11);
  CHECK(ended.get() == a.get());
  CHECK(js.running(11) == nullptr);
  CHECK(js.end(11) == nullptr);
  CHECK(js.running(12) == b.get());
  CHECK(js.end(12).get() == b.get());
}

TEST("window notices fire when outstanding drops to the armed mark, and idle at zero") {
  JsProcessor js(kJsId);
  int notified = 0;
  js.setNotifier([&] { ++notified; });
  for (int i = 0; i < 10; ++i) js.operationStarted();
  CHECK(js.outstanding() == 10u);
  // Nothing armed: falling counts post nothing.
  js.operationCompleted();
  CHECK(notified == 0);
  CHECK(js.armWindow(5));  // 9 outstanding: wait for 5
  for (int i = 0; i < 3; ++i) js.operationCompleted();
  CHECK(notified == 0);  // 6: not yet
  js.operationCompleted();
  CHECK(notified == 1);  // 5: the mark
  JsProcessor::Batch b = js.takeReady();
  CHECK(b.windowOpen);
  CHECK(!b.idle);
  // Already at or below the mark: nothing to wait for.
  CHECK(!js.armWindow(5));
  CHECK(!js.armWindow(7));
  // Down to zero: idle (and an armed window opens too).
  for (int i = 0; i < 5; ++i) js.operationCompleted();
  b = js.takeReady();
  CHECK(b.idle);
  CHECK(js.outstanding() == 0u);
}

TEST("a stale window notice does not open the window while the count is above the mark again") {
  JsProcessor js(kJsId);
  int notified = 0;
  js.setNotifier([&] { ++notified; });
  for (int i = 0; i < 6; ++i) js.operationStarted();
  CHECK(js.armWindow(4));
  js.operationCompleted();
  js.operationCompleted();  // 4: notice posted
  CHECK(notified == 1);
  js.operationStarted();
  js.operationStarted();  // 6 again before the JS thread looked
  JsProcessor::Batch b = js.takeReady();
  CHECK(!b.windowOpen);  // re-armed instead
  CHECK(!b.idle);
  js.operationCompleted();
  CHECK(js.inboxEmpty());
  js.operationCompleted();  // 4 again: the re-armed mark
  CHECK(js.takeReady().windowOpen);
}

TEST_MAIN("js_processor")
