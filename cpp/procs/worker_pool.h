// The CPU processors: a pool of worker threads. Each worker has a local
// deque (stealable) and a pinned deque (never stolen: a mapper chose that
// processor). A worker that makes work ready by completing a task keeps it
// on its own deque and runs it next (continuation, no queue hop); idle
// workers steal, spin briefly, then sleep, because waking a sleeping thread
// through a condition variable costs microseconds on this VM.
//
// Priorities (a mapper's): work of priority 0 takes the paths above. Work of
// any other priority waits in a priority queue (shared, or the worker's own
// for pinned work), higher first and in submission order among equals; a
// worker looks there only while the atomic count of such work is non-zero,
// so the priority-0 path costs one load. Positive priorities run before any
// priority-0 work a worker could take, negative ones only when it finds none.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "procs/processor.h"
#include "util/ring_queue.h"

namespace cohort {

class WorkerPool final : public Processor {
 public:
  explicit WorkerPool(unsigned workers);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Processor: the CPU processors, ids 0 .. size() - 1 (worker indices).
  ProcessorKind kind() const override { return ProcessorKind::Cpu; }
  ProcessorId firstId() const override { return 0; }
  unsigned size() const override { return static_cast<unsigned>(workers_.size()); }
  // How long an idle worker spins before it sleeps, in pause rounds. The
  // default (~100-200 us) suits a process that has its cores to itself;
  // several ranks sharing a node's cores spin less (runtime.cc).
  static constexpr int kDefaultSpinRounds = 20000;
  void setSpinRounds(int rounds) { spinRounds_.store(rounds, std::memory_order_relaxed); }

  // A task runs its own body (run) on the worker; local >= 0 pins it there.
  void enqueue(ProcessorTaskPtr task, int local, int priority) override;

  // Queues r to run on any worker. From one of this pool's workers it goes
  // to that worker's own deque (it runs next unless stolen); from any other
  // thread to the shared queue. A priority other than 0 goes to the shared
  // priority queue instead.
  void submit(RunnablePtr r, int priority = 0);
  // Queues r to run on worker `index` only (by priority among its pinned work).
  void submitPinned(RunnablePtr r, unsigned index, int priority = 0);

  // Index of the calling worker of this pool, or -1 on any other thread.
  int currentWorker() const;

  // Stops the workers once every queued runnable has run; joins them.
  void shutdown();

  // What the pool did, for tests of its hot path (counted without a shared
  // read-modify-write per task: each worker counts its own).
  struct Stats {
    uint64_t localPushes = 0;   // runnables a worker queued on its own deque (continuations)
    uint64_t ownPops = 0;       // runnables a worker took back from its own deque
    uint64_t steals = 0;        // runnables a worker took from another's deque
    uint64_t sharedPushes = 0;  // runnables queued on the shared queue (from other threads)
    uint64_t wakes = 0;         // sleeping workers woken
    uint64_t sleeps = 0;        // times a worker went to sleep
    uint64_t spins = 0;         // times a worker spun waiting for work
    int maxSpinners = 0;        // most workers seen spinning at once
    unsigned asleep = 0;        // workers asleep (or about to be) right now
  };
  Stats stats() const;

 private:
  // Work of a priority other than 0; `seq` keeps submission order among equals.
  struct Prioritized {
    int priority;
    uint64_t seq;
    RunnablePtr runnable;
  };
  // A max-heap of Prioritized (std::push_heap with runsLater).
  using PriorityHeap = std::vector<Prioritized>;
  static bool runsLater(const Prioritized& a, const Prioritized& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.seq > b.seq;
  }

  struct Worker {
    std::mutex mutex;
    PriorityHeap pinnedPrioritized;  // counted in pinnedCount
    RingQueue<RunnablePtr> local;
    RingQueue<RunnablePtr> pinned;
    std::atomic<size_t> pinnedCount{0};
    std::atomic<bool> sleeping{false};
    std::condition_variable cv;
    std::thread thread;
    // Stats, each written by this worker's thread only (wakes: under mutex).
    std::atomic<uint64_t> localPushes{0}, ownPops{0}, steals{0}, sleeps{0}, spins{0}, wakes{0};
  };
  // One more on a counter only its own thread writes: no atomic read-modify-write.
  static void bump(std::atomic<uint64_t>& c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  void loop(unsigned index);
  RunnablePtr findWork(unsigned index);
  // The best prioritized work for `index` (its pinned or the shared), or
  // null; with positiveOnly, only work of priority > 0.
  RunnablePtr takePrioritized(unsigned index, bool positiveOnly);
  bool hasWorkFor(unsigned index) const;
  void wake(Worker& w);
  void wakeAnySleeper();

  std::vector<std::unique_ptr<Worker>> workers_;
  mutable std::mutex sharedMutex_;
  RingQueue<RunnablePtr> shared_;
  uint64_t sharedPushes_ = 0;  // under sharedMutex_
  std::atomic<int> maxSpinners_{0};
  std::atomic<size_t> stealable_{0};  // items in shared_, prioritized_ and all local deques
  std::mutex prioritizedMutex_;
  PriorityHeap prioritized_;
  std::atomic<size_t> prioritizedCount_{0};  // prioritized_ plus every pinnedPrioritized
  std::atomic<uint64_t> prioritySeq_{0};
  // Workers spinning for work right now. At most one spins at a time (the
  // others sleep), so spinning never starves the JS thread of a core, and
  // a submitter need not wake anyone while a spinner will find the work.
  std::atomic<int> spinners_{0};
  std::atomic<int> spinRounds_{kDefaultSpinRounds};
  std::atomic<bool> stopping_{false};
  bool joined_ = false;
};

}  // namespace cohort
