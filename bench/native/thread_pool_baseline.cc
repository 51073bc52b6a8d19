#include "thread_pool_baseline.h"

#include <chrono>
#include <stdexcept>
#include <utility>

#include "spin_wait.h"

namespace cohort::bench {

SharedQueueThreadPool::SharedQueueThreadPool(unsigned threads) {
  if (threads == 0) throw std::invalid_argument("thread pool needs at least one thread");
  workers_.reserve(threads);
  try {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { workerLoop(); });
  } catch (...) {
    stopAndJoin();  // don't leave already-started workers running
    throw;
  }
}

SharedQueueThreadPool::~SharedQueueThreadPool() {
  waitUntilIdle();
  stopAndJoin();
}

void SharedQueueThreadPool::stopAndJoin() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true, std::memory_order_release);
  }
  workAvailable_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void SharedQueueThreadPool::submit(std::function<void()> task) {
  // Count before the task becomes visible, so waitUntilIdle can never see
  // zero while this task (or anything it will submit) is still pending.
  unfinished_.fetch_add(1, std::memory_order_relaxed);
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(task));
    queuedHint_.fetch_add(1, std::memory_order_relaxed);
    wake = sleepingWorkers_ > 0;
  }
  // Only pay for a futex wake when someone is actually asleep; spinning
  // workers see the queue hint change on their own.
  if (wake) workAvailable_.notify_one();
}

bool SharedQueueThreadPool::tryPopLocked(std::function<void()>& task) {
  if (queue_.empty()) return false;
  task = std::move(queue_.front());
  queue_.pop_front();
  queuedHint_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool SharedQueueThreadPool::takeTask(std::function<void()>& task) {
  SpinBudget budget;
  do {
    if (queuedHint_.load(std::memory_order_relaxed) > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (tryPopLocked(task)) return true;
    }
    if (stopping_.load(std::memory_order_acquire)) break;
  } while (budget.spinOnce());

  std::unique_lock<std::mutex> lock(mutex_);
  ++sleepingWorkers_;
  workAvailable_.wait(lock, [&] { return !queue_.empty() || stopping_.load(std::memory_order_relaxed); });
  --sleepingWorkers_;
  return tryPopLocked(task);  // empty here means stopping
}

void SharedQueueThreadPool::finishTask() {
  if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  bool wake = false;
  {
    // Taking the lock orders this wake after a waiter's predicate check.
    std::lock_guard<std::mutex> lock(mutex_);
    wake = sleepingIdleWaiters_ > 0;
  }
  if (wake) becameIdle_.notify_all();
}

void SharedQueueThreadPool::workerLoop() {
  std::function<void()> task;
  while (takeTask(task)) {
    task();
    task = nullptr;  // release captures before reporting completion
    finishTask();
  }
}

void SharedQueueThreadPool::waitUntilIdle() {
  SpinBudget budget;
  do {
    if (unfinished_.load(std::memory_order_acquire) == 0) return;
  } while (budget.spinOnce());

  std::unique_lock<std::mutex> lock(mutex_);
  ++sleepingIdleWaiters_;
  becameIdle_.wait(lock, [&] { return unfinished_.load(std::memory_order_acquire) == 0; });
  --sleepingIdleWaiters_;
}

namespace {

// Lives on the caller's stack for the whole chain: runDependentChain does
// not return before the last link has finished.
struct ChainContext {
  SharedQueueThreadPool& pool;
  std::size_t length;
  const std::function<void(std::size_t)>& onLink;
};

void submitChainLink(ChainContext& chain, std::size_t index) {
  chain.pool.submit([&chain, index] {
    chain.onLink(index);
    if (index + 1 < chain.length) submitChainLink(chain, index + 1);
  });
}

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

void runDependentChain(SharedQueueThreadPool& pool, std::size_t length,
                       const std::function<void(std::size_t)>& onLink) {
  if (length == 0) return;
  ChainContext chain{pool, length, onLink};
  submitChainLink(chain, 0);
  pool.waitUntilIdle();
}

double baselineEmptyTaskThroughput(unsigned threads, std::size_t tasks) {
  if (tasks == 0) throw std::invalid_argument("need at least one task");
  SharedQueueThreadPool pool(threads);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < tasks; ++i) pool.submit([] {});
  pool.waitUntilIdle();
  return static_cast<double>(tasks) / secondsSince(start);
}

double baselineChainLatencyMicros(unsigned threads, std::size_t length) {
  if (length == 0) throw std::invalid_argument("need at least one link");
  SharedQueueThreadPool pool(threads);
  const std::function<void(std::size_t)> emptyLink = [](std::size_t) {};
  const auto start = Clock::now();
  runDependentChain(pool, length, emptyLink);
  return secondsSince(start) * 1e6 / static_cast<double>(length);
}

}  // namespace cohort::bench
