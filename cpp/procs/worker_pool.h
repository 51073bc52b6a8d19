// The CPU processors: a pool of worker threads. Each worker has a local
// deque (stealable) and a pinned deque (never stolen: a mapper chose that
// processor). A worker that makes work ready by completing a task keeps it
// on its own deque and runs it next (continuation, no queue hop); idle
// workers steal, spin briefly, then sleep, because waking a sleeping thread
// through a condition variable costs microseconds on this VM.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "procs/processor.h"

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
  // A task runs its own body (run) on the worker; local >= 0 pins it there.
  void enqueue(ProcessorTaskPtr task, int local) override;

  // Queues r to run on any worker. From one of this pool's workers it goes
  // to that worker's own deque (it runs next unless stolen); from any other
  // thread to the shared queue.
  void submit(RunnablePtr r);
  // Queues r to run on worker `index` only.
  void submitPinned(RunnablePtr r, unsigned index);

  // Index of the calling worker of this pool, or -1 on any other thread.
  int currentWorker() const;

  // Stops the workers once every queued runnable has run; joins them.
  void shutdown();

 private:
  struct Worker {
    std::mutex mutex;
    std::deque<RunnablePtr> local;
    std::deque<RunnablePtr> pinned;
    std::atomic<size_t> pinnedCount{0};
    std::atomic<bool> sleeping{false};
    std::condition_variable cv;
    std::thread thread;
  };

  void loop(unsigned index);
  RunnablePtr findWork(unsigned index);
  bool hasWorkFor(unsigned index) const;
  void wake(Worker& w);
  void wakeAnySleeper();

  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex sharedMutex_;
  std::deque<RunnablePtr> shared_;
  std::atomic<size_t> stealable_{0};  // items in shared_ plus all local deques
  // Workers spinning for work right now. At most one spins at a time (the
  // others sleep), so spinning never starves the JS thread of a core, and
  // a submitter need not wake anyone while a spinner will find the work.
  std::atomic<int> spinners_{0};
  std::atomic<bool> stopping_{false};
  bool joined_ = false;
};

}  // namespace cohort
