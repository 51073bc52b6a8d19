#include "stencil_baseline.h"

#include <algorithm>
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

  auto participate = [&](unsigned index) {
    const unsigned begin = static_cast<unsigned>(uint64_t{width} * index / participants);
    const unsigned stop = static_cast<unsigned>(uint64_t{width} * (index + 1) / participants);
    barrier.arriveAndWait();  // everyone is running before the clock starts
    if (index == 0) start = Clock::now();
    for (unsigned t = 0; t < steps; ++t) {
      computePointRange(outputs, t, begin, stop, width, iterations);
      barrier.arriveAndWait();
    }
    if (index == 0) end = Clock::now();  // the last barrier means all are done
  };

  StartGate gate;
  {
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
  }

  StencilResult result;
  result.wallSeconds = std::chrono::duration<double>(end - start).count();
  result.checksum = outputs.checksumAfter(steps - 1);
  result.threadsUsed = participants;
  return result;
}

}  // namespace cohort::bench
