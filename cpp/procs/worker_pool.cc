#include "procs/worker_pool.h"

#include <algorithm>

#include "util/fatal_signals.h"

namespace cohort {

namespace {
// Identity of the calling thread within a pool. Per-thread identity, not
// shared mutable state.
struct WorkerIdentity {
  const WorkerPool* pool = nullptr;
  int index = -1;
};
thread_local WorkerIdentity tlsWorker;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
}  // namespace

WorkerPool::WorkerPool(unsigned workers) {
  if (workers == 0) workers = 1;
  workers_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>());
  for (unsigned i = 0; i < workers; ++i) workers_[i]->thread = std::thread([this, i] { loop(i); });
}

WorkerPool::~WorkerPool() { shutdown(); }

int WorkerPool::currentWorker() const { return tlsWorker.pool == this ? tlsWorker.index : -1; }

void WorkerPool::submit(RunnablePtr r, int priority) {
  int self = currentWorker();
  if (priority != 0) {
    {
      std::lock_guard<std::mutex> lock(prioritizedMutex_);
      prioritized_.push_back(Prioritized{priority, prioritySeq_.fetch_add(1, std::memory_order_relaxed), std::move(r)});
      std::push_heap(prioritized_.begin(), prioritized_.end(), runsLater);
    }
    prioritizedCount_.fetch_add(1, std::memory_order_seq_cst);
  } else if (self >= 0) {
    Worker& w = *workers_[self];
    std::lock_guard<std::mutex> lock(w.mutex);
    w.local.push_front(std::move(r));
    bump(w.localPushes);
  } else {
    std::lock_guard<std::mutex> lock(sharedMutex_);
    shared_.push_back(std::move(r));
    ++sharedPushes_;
  }
  stealable_.fetch_add(1, std::memory_order_seq_cst);
  // A spinning worker will find it. Otherwise wake a sleeper, unless a
  // worker submitted it (it runs the continuation itself) and there is no
  // more than it can take right away.
  if (spinners_.load(std::memory_order_seq_cst) > 0) return;
  if (self < 0 || stealable_.load(std::memory_order_relaxed) > 1) wakeAnySleeper();
}

void WorkerPool::enqueue(ProcessorTaskPtr task, int local, int priority) {
  if (local >= 0)
    submitPinned(std::move(task), static_cast<unsigned>(local), priority);
  else
    submit(std::move(task), priority);
}

void WorkerPool::submitPinned(RunnablePtr r, unsigned index, int priority) {
  Worker& w = *workers_[index % workers_.size()];
  {
    std::lock_guard<std::mutex> lock(w.mutex);
    if (priority == 0) {
      w.pinned.push_back(std::move(r));
    } else {
      w.pinnedPrioritized.push_back(
          Prioritized{priority, prioritySeq_.fetch_add(1, std::memory_order_relaxed), std::move(r)});
      std::push_heap(w.pinnedPrioritized.begin(), w.pinnedPrioritized.end(), runsLater);
    }
  }
  if (priority != 0) prioritizedCount_.fetch_add(1, std::memory_order_seq_cst);
  w.pinnedCount.fetch_add(1, std::memory_order_seq_cst);
  bool expected = true;
  if (w.sleeping.compare_exchange_strong(expected, false, std::memory_order_seq_cst)) wake(w);
}

void WorkerPool::wake(Worker& w) {
  std::lock_guard<std::mutex> lock(w.mutex);
  w.wakes.fetch_add(1, std::memory_order_relaxed);
  w.cv.notify_one();
}

WorkerPool::Stats WorkerPool::stats() const {
  Stats s;
  for (const auto& w : workers_) {
    s.localPushes += w->localPushes.load(std::memory_order_relaxed);
    s.ownPops += w->ownPops.load(std::memory_order_relaxed);
    s.steals += w->steals.load(std::memory_order_relaxed);
    s.sleeps += w->sleeps.load(std::memory_order_relaxed);
    s.spins += w->spins.load(std::memory_order_relaxed);
    s.wakes += w->wakes.load(std::memory_order_relaxed);
    if (w->sleeping.load(std::memory_order_relaxed)) ++s.asleep;
  }
  {
    std::lock_guard<std::mutex> lock(sharedMutex_);
    s.sharedPushes = sharedPushes_;
  }
  s.maxSpinners = maxSpinners_.load(std::memory_order_relaxed);
  return s;
}

void WorkerPool::wakeAnySleeper() {
  // Claim one sleeper (true -> false) so that two submissions in a row wake
  // two different workers, not the same one twice.
  for (auto& w : workers_) {
    bool expected = true;
    if (w->sleeping.compare_exchange_strong(expected, false, std::memory_order_seq_cst)) {
      wake(*w);
      return;
    }
  }
}

bool WorkerPool::hasWorkFor(unsigned index) const {
  return stealable_.load(std::memory_order_seq_cst) > 0 ||
         workers_[index]->pinnedCount.load(std::memory_order_seq_cst) > 0;
}

RunnablePtr WorkerPool::takePrioritized(unsigned index, bool positiveOnly) {
  Worker& self = *workers_[index];
  std::lock_guard<std::mutex> own(self.mutex);  // always before prioritizedMutex_
  std::lock_guard<std::mutex> shared(prioritizedMutex_);
  PriorityHeap* from = nullptr;
  if (!self.pinnedPrioritized.empty()) from = &self.pinnedPrioritized;
  if (!prioritized_.empty() && (!from || runsLater(from->front(), prioritized_.front()))) from = &prioritized_;
  if (!from || (positiveOnly && from->front().priority <= 0)) return nullptr;
  std::pop_heap(from->begin(), from->end(), runsLater);
  RunnablePtr r = std::move(from->back().runnable);
  from->pop_back();
  prioritizedCount_.fetch_sub(1, std::memory_order_acq_rel);
  (from == &prioritized_ ? stealable_ : self.pinnedCount).fetch_sub(1, std::memory_order_acq_rel);
  return r;
}

RunnablePtr WorkerPool::findWork(unsigned index) {
  RunnablePtr r;
  Worker& self = *workers_[index];
  // Prioritized work first, but only while there is any (one load otherwise).
  if (prioritizedCount_.load(std::memory_order_acquire) > 0 && (r = takePrioritized(index, true))) return r;
  {
    std::lock_guard<std::mutex> lock(self.mutex);
    if (!self.pinned.empty()) {
      r = self.pinned.pop_front();
      self.pinnedCount.fetch_sub(1, std::memory_order_acq_rel);
      return r;
    }
    if (!self.local.empty()) {
      r = self.local.pop_front();
      bump(self.ownPops);
    }
  }
  if (!r) {
    std::lock_guard<std::mutex> lock(sharedMutex_);
    if (!shared_.empty()) {
      r = shared_.pop_front();
    }
  }
  for (size_t k = 1; !r && k < workers_.size(); ++k) {
    Worker& victim = *workers_[(index + k) % workers_.size()];
    std::lock_guard<std::mutex> lock(victim.mutex);
    if (!victim.local.empty()) {
      r = victim.local.pop_back();  // steal the oldest
      bump(self.steals);
    }
  }
  if (r)
    stealable_.fetch_sub(1, std::memory_order_acq_rel);
  else if (prioritizedCount_.load(std::memory_order_acquire) > 0)
    r = takePrioritized(index, false);  // negative ones
  return r;
}

void WorkerPool::loop(unsigned index) {
  tlsWorker = {this, static_cast<int>(index)};
  AltSignalStack altStack;  // a task's stack overflow is reported (util/fatal_signals.h)
  Worker& self = *workers_[index];
  for (;;) {
    if (RunnablePtr r = findWork(index)) {
      // More queued than this worker takes and nobody looking for it: wake
      // a helper (a submitter may have skipped waking because we were
      // spinning when it looked).
      if (stealable_.load(std::memory_order_seq_cst) > 0 && spinners_.load(std::memory_order_seq_cst) == 0)
        wakeAnySleeper();
      r->run(index);
      continue;
    }
    // Spin briefly (one spinner at a time): new work usually arrives within
    // microseconds, and waking a sleeper costs more than that.
    bool found = false;
    int expected = 0;
    if (spinners_.compare_exchange_strong(expected, 1, std::memory_order_seq_cst)) {
      bump(self.spins);
      const int now = spinners_.load(std::memory_order_relaxed);
      int seen = maxSpinners_.load(std::memory_order_relaxed);
      while (now > seen && !maxSpinners_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
      }
      for (int i = 0, n = spinRounds_.load(std::memory_order_relaxed); i < n && !found; ++i) {
        if (hasWorkFor(index))
          found = true;
        else if (stopping_.load(std::memory_order_relaxed))
          break;
        else
          cpuRelax();
      }
      spinners_.fetch_sub(1, std::memory_order_seq_cst);
    } else {
      found = hasWorkFor(index);
    }
    if (found) continue;
    if (stopping_.load(std::memory_order_acquire) && !hasWorkFor(index)) return;
    // Publish `sleeping` before the last check (submitters publish work
    // before reading it), so either we see the work or they see us.
    std::unique_lock<std::mutex> lock(self.mutex);
    for (;;) {
      self.sleeping.store(true, std::memory_order_seq_cst);
      if (hasWorkFor(index) || stopping_.load(std::memory_order_seq_cst)) break;
      bump(self.sleeps);
      self.cv.wait(lock);
    }
    self.sleeping.store(false, std::memory_order_seq_cst);
  }
}

void WorkerPool::shutdown() {
  if (joined_) return;
  stopping_.store(true, std::memory_order_seq_cst);
  for (auto& w : workers_) wake(*w);
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
  joined_ = true;
}

}  // namespace cohort
