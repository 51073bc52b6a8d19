// The JS processor: everything the core decides about running work on the
// JS thread, in one place. Any thread may hand it a ready TS task, a watch
// (a JS promise waiting on a future) or a notice that the outstanding count
// fell; the binding's notifier (a thread-safe function call) is invoked once
// per batch, when the inbox goes from empty to non-empty, and the JS thread
// takes the whole batch at once (`takeReady`), so a burst of ready TS tasks
// costs one wake-up. Runtime threads never wait on JS.
//
// `takeReady` returns tasks already holding their exclusion locks and marked
// running, in the running table until `end`. A task that cannot take its
// locks is parked and handed out again only after a lock is released: the
// JS thread neither blocks nor spins on a lock.
//
// The issue window lives here too: the JS thread issues every operation, so
// it is the one that counts them outstanding, waits for the count to fall
// (`armWindow`), and is told when it reaches zero (idle).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "procs/processor.h"

namespace cohort {

class JsProcessor final : public Processor {
 public:
  explicit JsProcessor(ProcessorId id) : id_(id) {}
  JsProcessor(const JsProcessor&) = delete;
  JsProcessor& operator=(const JsProcessor&) = delete;

  ProcessorKind kind() const override { return ProcessorKind::Js; }
  ProcessorId firstId() const override { return id_; }
  unsigned size() const override { return 1; }
  // Any thread: `task` is ready to run on the JS thread (`local` is ignored).
  void enqueue(ProcessorTaskPtr task, int local, int priority) override;

  // Called once per batch, on the thread whose post started it.
  using Notifier = std::function<void()>;
  void setNotifier(Notifier n);
  // Any thread: the future JS watches under this id is ready.
  void postWatch(uint64_t watchId);
  // Any thread: wakes the JS thread with nothing to take (so the binding
  // re-decides whether the event loop must stay alive).
  void wake();
  // True when nothing waits to be taken (parked tasks are not waiting: they
  // come back only through a lock release, which some running task makes).
  bool inboxEmpty();

  // What the JS thread has to do, from one takeReady().
  struct Batch {
    std::vector<ProcessorTaskPtr> tasks;  // locked, marked running, in the running table
    std::vector<uint64_t> watches;
    bool idle = false;        // nothing outstanding (checked now, not when posted)
    bool windowOpen = false;  // the armed window mark was reached: release throttle()
  };
  // JS thread: takes everything posted so far.
  Batch takeReady();

  // JS thread: the running TS task with that id (null if none) / removes it
  // from the table and returns it (null if none).
  ProcessorTask* running(uint64_t id) const;
  ProcessorTaskPtr end(uint64_t id);

  // Any thread: a task released exclusion locks; parked tasks try again.
  void locksReleased();

  // Outstanding operations (any thread) and the issue window.
  void operationStarted() { operationsStarted(1); }
  void operationsStarted(uint64_t n) { outstanding_.fetch_add(n, std::memory_order_acq_rel); }
  void operationCompleted();
  uint64_t outstanding() const { return outstanding_.load(std::memory_order_acquire); }
  // JS thread: when outstanding() next drops to `mark`, the next batch says
  // windowOpen. Returns false (and arms nothing) when it is already there.
  bool armWindow(uint64_t mark);

 private:
  struct Item {
    ProcessorTaskPtr task;
    uint64_t watchId = 0;
    bool notice = false;  // the outstanding count fell to zero or to the mark
  };
  void post(Item item);
  void park(ProcessorTaskPtr task, uint64_t generationSeen);

  const ProcessorId id_;

  std::mutex inboxMutex_;
  std::vector<Item> inbox_;
  bool notified_ = false;  // a notification is in flight for this batch
  Notifier notifier_;

  // Parking: a release bumps the generation, so a task that failed to lock
  // before a release it did not see is retried at once instead of parked.
  std::mutex parkMutex_;
  std::atomic<uint64_t> lockGeneration_{0};
  std::vector<ProcessorTaskPtr> parked_;

  std::unordered_map<uint64_t, ProcessorTaskPtr> running_;  // JS thread only

  std::atomic<uint64_t> outstanding_{0};
  std::atomic<int64_t> lowWater_{-1};  // armed mark, claimed (-1) by whoever posts its notice
  int64_t windowMark_ = -1;            // JS thread: the mark throttle() waits for, -1: none
};

}  // namespace cohort
