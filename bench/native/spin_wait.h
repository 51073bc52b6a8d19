// Spin-then-block helpers for the baselines. On this kind of VM waking a
// thread parked on a condition variable costs microseconds, so a waiter first
// spins for a short, time-bounded budget and only then sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace cohort::bench {

// How long a waiter spins before it parks. Long enough to cover a queue hop
// or a barrier skew between two busy cores, short compared with a time slice.
inline constexpr std::chrono::microseconds kSpinBeforeBlocking{50};

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
