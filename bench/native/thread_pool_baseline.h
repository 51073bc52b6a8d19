// The "hand-written C++ thread pool with a queue" baseline: N workers share
// ONE task queue guarded by a mutex and a condition variable. Idle workers
// spin briefly on the queue before sleeping. This is the ordinary pool a C++
// programmer would write by hand; cohort's per-task overheads are compared
// against it in `npm run bench`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cohort::bench {

class SharedQueueThreadPool {
 public:
  // Starts `threads` workers (at least 1). Throws std::invalid_argument for 0.
  explicit SharedQueueThreadPool(unsigned threads);
  // Waits for all submitted work (including work submitted by tasks), then
  // stops and joins the workers.
  ~SharedQueueThreadPool();

  SharedQueueThreadPool(const SharedQueueThreadPool&) = delete;
  SharedQueueThreadPool& operator=(const SharedQueueThreadPool&) = delete;

  // Enqueues a task; callable from any thread, including from a running
  // task. Tasks must not throw (an escaping exception terminates).
  void submit(std::function<void()> task);

  // Blocks until every task submitted so far, and every task those tasks
  // submitted, has finished.
  void waitUntilIdle();

  unsigned threadCount() const { return static_cast<unsigned>(workers_.size()); }

 private:
  void workerLoop();
  // Takes the next task, spinning then sleeping; false once stopping and empty.
  bool takeTask(std::function<void()>& task);
  bool tryPopLocked(std::function<void()>& task);
  void finishTask();
  void stopAndJoin();

  std::mutex mutex_;
  std::condition_variable workAvailable_;
  std::condition_variable becameIdle_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  unsigned sleepingWorkers_ = 0;             // guarded by mutex_
  unsigned sleepingIdleWaiters_ = 0;         // guarded by mutex_
  // Mirrors queue_.size() so spinning workers can poll without the lock.
  std::atomic<std::size_t> queuedHint_{0};
  // Submitted but not yet finished; a child is counted before its parent
  // finishes, so this only reaches zero when the whole tree is done.
  std::atomic<std::size_t> unfinished_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

// Runs a dependent chain of `length` links on `pool`: link i calls
// onLink(i) and, as its last act, submits link i+1 (the "each task waits on
// the previous one's future" pattern). Returns when the last link is done.
void runDependentChain(SharedQueueThreadPool& pool, std::size_t length, const std::function<void(std::size_t)>& onLink);

// Tasks per second for submitting `tasks` empty tasks from one thread and
// waiting for all of them (pool start-up excluded from the timing).
double baselineEmptyTaskThroughput(unsigned threads, std::size_t tasks);

// Microseconds per link of a dependent chain of `length` empty links.
double baselineChainLatencyMicros(unsigned threads, std::size_t length);

}  // namespace cohort::bench
