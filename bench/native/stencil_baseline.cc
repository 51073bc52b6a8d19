#include "stencil_baseline.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "spin_wait.h"

namespace cohort::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One cache line per point output: neighbouring points are written by
// different threads every step, and sharing a line would make the baseline
// measure false sharing instead of the pattern.
struct alignas(64) PaddedOutput {
  double value = 0.0;
};

// Two generations of outputs: step t writes generation t % 2 and reads the
// other. The barrier after each step orders the reads of step t before the
// writes of step t + 1 into the same generation.
class DoubleBufferedOutputs {
 public:
  explicit DoubleBufferedOutputs(unsigned width)
      : generations_{std::vector<PaddedOutput>(width), std::vector<PaddedOutput>(width)} {}

  PaddedOutput* written(unsigned step) { return generations_[step % 2].data(); }
  const PaddedOutput* read(unsigned step) const { return generations_[(step + 1) % 2].data(); }

  double checksumAfter(unsigned lastStep) const {
    const auto& last = generations_[lastStep % 2];
    std::vector<double> values;
    values.reserve(last.size());
    for (const auto& output : last) values.push_back(output.value);
    return stencilChecksum(values.data(), values.size());
  }

 private:
  std::vector<PaddedOutput> generations_[2];
};

void computePointRange(DoubleBufferedOutputs& outputs, unsigned step, unsigned begin, unsigned end, unsigned width,
                       uint64_t iterations) {
  PaddedOutput* out = outputs.written(step);
  const PaddedOutput* previous = outputs.read(step);
  for (unsigned p = begin; p < end; ++p) {
    double inputs[3];
    std::size_t count = 0;
    if (step > 0) {
      for (unsigned q = stencilFirstInput(p); q <= stencilLastInput(p, width); ++q) {
        inputs[count++] = previous[q].value;
      }
    }
    out[p].value = stencilPointValue(step, p, width, inputs, count, iterations);
  }
}

void validateShape(unsigned width, unsigned steps) {
  if (width == 0) throw std::invalid_argument("stencil width must be at least 1");
  if (steps == 0) throw std::invalid_argument("stencil needs at least one step");
}

// Holds helper threads until every one has been created, so a failed
// std::thread creation can release the started ones instead of leaving them
// stuck in a barrier that will never fill.
class StartGate {
 public:
  // Returns true to run, false if the run was abandoned.
  bool waitForStart() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return state_ != State::Closed; });
    return state_ == State::Open;
  }
  void open() { settle(State::Open); }
  void abandon() { settle(State::Abandoned); }

 private:
  enum class State { Closed, Open, Abandoned };
  void settle(State state) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      state_ = state;
    }
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  State state_ = State::Closed;  // guarded by mutex_
};

// Joins every thread it holds when it goes out of scope.
class JoiningThreads {
 public:
  ~JoiningThreads() {
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  template <typename Body>
  void spawn(Body&& body) {
    threads_.emplace_back(std::forward<Body>(body));
  }
  void reserve(std::size_t n) { threads_.reserve(n); }

 private:
  std::vector<std::thread> threads_;
};

// Runs participate(0) on the calling thread and participate(1..n-1) on
// helper threads, each helper starting only once all of them exist.
template <typename Participate>
void runParticipants(unsigned participants, Participate&& participate) {
  StartGate gate;
  JoiningThreads helpers;
  helpers.reserve(participants - 1);
  try {
    for (unsigned i = 1; i < participants; ++i) {
      helpers.spawn([&, i] {
        if (gate.waitForStart()) participate(i);
      });
    }
  } catch (...) {
    gate.abandon();
    throw;  // helpers joins the started threads on the way out
  }
  gate.open();
  participate(0);
}  // helpers joins every thread here

struct PointRange {
  unsigned begin;
  unsigned end;  // exclusive; never equal to begin (participants <= width)
};

// Participant `index`'s equal contiguous share of the points.
PointRange rangeOf(unsigned index, unsigned participants, unsigned width) {
  return {static_cast<unsigned>(uint64_t{width} * index / participants),
          static_cast<unsigned>(uint64_t{width} * (index + 1) / participants)};
}

// One cache line per point for the flags baseline: both generations of its
// output and its completed-step count. A consumer's acquire load of the count
// and its read of the value then cost one line transfer, not two.
struct alignas(64) FlaggedPoint {
  double value[2] = {0.0, 0.0};  // step t writes value[t % 2]
  // Steps 0..n-1 done: stored with release after value[(n-1) % 2] is written.
  std::atomic<unsigned> completedSteps{0};
};

// Pins the calling thread to one CPU for as long as it lives, then restores
// the thread's previous affinity (participant 0 is a cohort worker, which
// must not stay pinned). Why pin: unpinned, when another process takes one
// of two cores, the scheduler tends to put both threads on the other core,
// where every step becomes a context switch (~4 us instead of ~0.2 us at
// tiny sizes); pinned to different CPUs they lose only the time their CPU is
// lent to that process. A no-op where affinity is not available.
class ScopedCpuPin {
 public:
#if defined(__linux__)
  // `allowed`: the CPUs to choose from; the thread takes the index-th of them (wrapping).
  ScopedCpuPin(const cpu_set_t& allowed, unsigned index) {
    const int count = CPU_COUNT(&allowed);
    if (count <= 1 || pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_) != 0) return;
    int wanted = static_cast<int>(index % static_cast<unsigned>(count));
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (!CPU_ISSET(cpu, &allowed) || wanted-- != 0) continue;
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      restore_ = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
      return;
    }
  }
  ~ScopedCpuPin() {
    if (restore_) pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
  }

 private:
  cpu_set_t saved_{};
  bool restore_ = false;
#else
  ScopedCpuPin(const int&, unsigned) {}
#endif
  ScopedCpuPin(const ScopedCpuPin&) = delete;
  ScopedCpuPin& operator=(const ScopedCpuPin&) = delete;
};

// The CPUs this process may run on, for ScopedCpuPin.
#if defined(__linux__)
using CpuSet = cpu_set_t;
CpuSet allowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) CPU_ZERO(&set);  // empty: pin nothing
  return set;
}
#else
using CpuSet = int;
CpuSet allowedCpus() { return 0; }
#endif

}  // namespace

StencilResult runStencilSequential(unsigned width, unsigned steps, uint64_t iterations) {
  validateShape(width, steps);
  DoubleBufferedOutputs outputs(width);
  const auto start = Clock::now();
  for (unsigned t = 0; t < steps; ++t) computePointRange(outputs, t, 0, width, width, iterations);
  StencilResult result;
  result.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.checksum = outputs.checksumAfter(steps - 1);
  result.threadsUsed = 1;
  return result;
}

StencilResult runStencilBaseline(unsigned width, unsigned steps, uint64_t iterations, unsigned threads) {
  validateShape(width, steps);
  if (threads == 0) throw std::invalid_argument("stencil needs at least one thread");
  // A thread without points would only add barrier traffic.
  const unsigned participants = std::min(threads, width);

  DoubleBufferedOutputs outputs(width);
  SpinThenBlockBarrier barrier(participants);
  Clock::time_point start;  // written and read by participant 0 only
  Clock::time_point end;

  runParticipants(participants, [&](unsigned index) {
    const PointRange range = rangeOf(index, participants, width);
    barrier.arriveAndWait();  // everyone is running before the clock starts
    if (index == 0) start = Clock::now();
    for (unsigned t = 0; t < steps; ++t) {
      computePointRange(outputs, t, range.begin, range.end, width, iterations);
      barrier.arriveAndWait();
    }
    if (index == 0) end = Clock::now();  // the last barrier means all are done
  });

  StencilResult result;
  result.wallSeconds = std::chrono::duration<double>(end - start).count();
  result.checksum = outputs.checksumAfter(steps - 1);
  result.threadsUsed = participants;
  return result;
}

StencilResult runStencilFlagBaseline(unsigned width, unsigned steps, uint64_t iterations, unsigned threads) {
  validateShape(width, steps);
  if (threads == 0) throw std::invalid_argument("stencil needs at least one thread");
  const unsigned participants = std::min(threads, width);

  std::vector<FlaggedPoint> points(width);
  SpinThenBlockBarrier startLine(participants);
  Clock::time_point start;  // written and read by participant 0 only
  Clock::time_point end;

  // Why double buffering is enough without a barrier: point p writes step t
  // into the generation that held its step t-2 output, whose readers are
  // points p-1..p+1 at step t-1, and p waits for exactly those to complete
  // step t-1 before it starts step t.
  auto computePoint = [&](unsigned step, unsigned p) {
    double inputs[3];
    std::size_t count = 0;
    if (step > 0) {
      for (unsigned q = stencilFirstInput(p); q <= stencilLastInput(p, width); ++q) {
        inputs[count++] = points[q].value[(step - 1) % 2];
      }
    }
    points[p].value[step % 2] = stencilPointValue(step, p, width, inputs, count, iterations);
    points[p].completedSteps.store(step + 1, std::memory_order_release);
  };
  auto awaitCompleted = [&](unsigned q, unsigned completed) {
    spinThenYieldUntil([&] { return points[q].completedSteps.load(std::memory_order_acquire) >= completed; });
  };

  const CpuSet cpus = allowedCpus();
  runParticipants(participants, [&](unsigned index) {
    const ScopedCpuPin pin(cpus, index);
    const PointRange range = rangeOf(index, participants, width);
    const unsigned first = range.begin;
    const unsigned last = range.end - 1;
    startLine.arriveAndWait();  // everyone is running before the clock starts
    if (index == 0) start = Clock::now();
    for (unsigned t = 0; t < steps; ++t) {
      // Inputs inside the range were written by this thread in step t-1 (in
      // program order); only the points just outside it need waiting for.
      // The two edge points go first because they are what the neighbouring
      // threads wait for; the interior, which needs nobody, comes after and
      // gives those neighbours a range's worth of slack.
      if (t > 0 && first > 0) awaitCompleted(first - 1, t);
      if (t > 0 && first == last && last + 1 < width) awaitCompleted(last + 1, t);
      computePoint(t, first);
      if (last != first) {
        if (t > 0 && last + 1 < width) awaitCompleted(last + 1, t);
        computePoint(t, last);
      }
      for (unsigned p = first + 1; p < last; ++p) computePoint(t, p);
    }
    if (index == 0) {
      for (unsigned q = 0; q < width; ++q) awaitCompleted(q, steps);
      end = Clock::now();
    }
  });

  std::vector<double> values;
  values.reserve(width);
  for (const FlaggedPoint& point : points) values.push_back(point.value[(steps - 1) % 2]);
  StencilResult result;
  result.wallSeconds = std::chrono::duration<double>(end - start).count();
  result.checksum = stencilChecksum(values.data(), values.size());
  result.threadsUsed = participants;
  return result;
}

}  // namespace cohort::bench
