// Spin-then-block and spin-then-yield helpers for the baselines. On this
// kind of VM waking a thread parked on a condition variable costs
// microseconds, so a waiter first spins for a short, time-bounded budget and
// only then sleeps (or yields).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace cohort::bench {

// How long a waiter spins before it parks. Long enough to cover a queue hop
// or a barrier skew between two busy cores, short compared with a time slice.
inline constexpr std::chrono::microseconds kSpinBeforeBlocking{50};

// How long a waiter spins before it starts yielding (spinThenYieldUntil).
// Short, because a yield is cheap: with nothing else runnable on the core it
// returns at once, so the waiter still sees its producer within a system
// call. Why it matters: when both threads of a two-thread run share one core
// (the other core busy with another process), each hand-over costs this
// budget on top of the context switch; at 50 us that was the ~54 us per step
// slow mode. Covers the usual skew between two running threads at
// sub-microsecond steps, so they rarely yield when they have a core each.
inline constexpr std::chrono::microseconds kSpinBeforeYielding{2};

// Tells the core this is a spin loop (frees pipeline resources for a sibling
// hyperthread and avoids a memory-order mis-speculation on loop exit).
inline void cpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

// A spin budget measured in wall time rather than loop counts, because the
// cost of one pause differs by an order of magnitude between CPU models.
class SpinBudget {
 public:
  explicit SpinBudget(std::chrono::nanoseconds budget = kSpinBeforeBlocking)
      : deadline_(std::chrono::steady_clock::now() + budget) {}

  // Relaxes once; returns false when the budget is used up. Reads the clock
  // only every 64 calls to keep the spin itself cheap.
  bool spinOnce() noexcept {
    cpuRelax();
    if ((++spins_ & 63u) != 0) return true;
    return std::chrono::steady_clock::now() < deadline_;
  }

 private:
  std::chrono::steady_clock::time_point deadline_;
  uint32_t spins_ = 0;
};

// Waits until `ready()` returns true: spins for at most `budget`, then
// yields the core between checks. Why yield rather than block: a blocked
// waiter costs its producer a wake-up (a system call) on every release and
// itself microseconds to come back, which is the slow mode of the barrier
// below; a yielding waiter costs its producer nothing and resumes as soon as
// it is scheduled. Why the spin is bounded: on a 2-core machine shared with
// other processes the producer may be the thread this one keeps off a core.
template <typename Ready>
void spinThenYieldUntil(Ready&& ready, std::chrono::nanoseconds budget = kSpinBeforeYielding) {
  if (ready()) return;
  SpinBudget spin(budget);
  while (!ready()) {
    if (!spin.spinOnce()) {
      while (!ready()) std::this_thread::yield();
      return;
    }
  }
}

// Reusable barrier for a fixed set of threads (std::barrier is C++20).
// Arrivals are counted with an atomic; waiters spin on the phase number for a
// short budget, then sleep on a condition variable until the phase advances.
class SpinThenBlockBarrier {
 public:
  explicit SpinThenBlockBarrier(unsigned participants) : participants_(participants == 0 ? 1 : participants) {}

  SpinThenBlockBarrier(const SpinThenBlockBarrier&) = delete;
  SpinThenBlockBarrier& operator=(const SpinThenBlockBarrier&) = delete;

  void arriveAndWait() {
    // Read before arriving: once we have arrived the phase may advance.
    const uint64_t myPhase = phase_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == participants_) {
      // The reset is ordered before the phase release, so a thread that sees
      // the new phase and arrives at the next barrier counts from zero.
      arrived_.store(0, std::memory_order_relaxed);
      bool wake = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        phase_.store(myPhase + 1, std::memory_order_release);
        wake = sleepers_ > 0;
      }
      if (wake) phaseAdvanced_.notify_all();
      return;
    }
    SpinBudget budget;
    while (budget.spinOnce()) {
      if (phase_.load(std::memory_order_acquire) != myPhase) return;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    ++sleepers_;
    phaseAdvanced_.wait(lock, [&] { return phase_.load(std::memory_order_acquire) != myPhase; });
    --sleepers_;
  }

 private:
  const unsigned participants_;
  std::atomic<unsigned> arrived_{0};
  std::atomic<uint64_t> phase_{0};
  std::mutex mutex_;
  std::condition_variable phaseAdvanced_;
  unsigned sleepers_ = 0;  // guarded by mutex_
};

}  // namespace cohort::bench
