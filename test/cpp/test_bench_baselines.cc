// Tests for the hand-written C++ baselines in bench/native: the compute
// kernel, the shared-queue thread pool, the barrier, the stencil_1d baselines
// (barrier and per-point flags) and the METG computation. Build from the
// repository root:
//   g++ -std=c++17 -O2 -Wall -Wextra -Werror -pthread -Ibench/native
//       test/cpp/test_bench_baselines.cc bench/native/*.cc -o /tmp/tb
#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "baselines_c.h"
#include "check.h"
#include "compute_kernel.h"
#include "metg.h"
#include "spin_wait.h"
#include "stencil_baseline.h"
#include "thread_pool_baseline.h"

using namespace cohort::bench;

namespace {

bool closeTo(double actual, double expected, double relative = 1e-9) {
  return std::fabs(actual - expected) <= relative * std::fabs(expected);
}

// A reference stencil written straight from the pattern's definition, with a
// switch to break it in one specific way, to show the checksum notices.
enum class StencilFault { None, DropRightNeighbour, ReadTwoStepsBack };

double referenceStencilChecksum(unsigned width, unsigned steps, uint64_t iterations, StencilFault fault) {
  // history[t][p]: every step kept, so "two steps back" is expressible.
  std::vector<std::vector<double>> history(steps, std::vector<double>(width));
  for (unsigned t = 0; t < steps; ++t) {
    for (unsigned p = 0; p < width; ++p) {
      std::vector<double> inputs;
      if (t > 0) {
        const unsigned source = (fault == StencilFault::ReadTwoStepsBack && t >= 2) ? t - 2 : t - 1;
        const unsigned first = p == 0 ? 0 : p - 1;
        const unsigned last = p + 1 < width ? p + 1 : p;
        for (unsigned q = first; q <= last; ++q) inputs.push_back(history[source][q]);
        if (fault == StencilFault::DropRightNeighbour && last > p) inputs.back() = 0.0;
      }
      history[t][p] = stencilPointValue(t, p, width, inputs.data(), inputs.size(), iterations);
    }
  }
  return stencilChecksum(history[steps - 1].data(), width);
}

}  // namespace

// ---------------------------------------------------------------- kernel

TEST("the kernel counts two flops per block element per iteration") {
  CHECK(flopsPerCall(0) == 0);
  CHECK(flopsPerCall(1) == 128);
  CHECK(flopsPerCall(uint64_t{1} << 14) == 2097152);
  CHECK(cohort_bench_kernel_flops(1000) == 128000.0);
}

TEST("zero kernel iterations return the untouched starting block") {
  // Start values are 2^-40 * (1 + (i + seed)/64); their sum is
  // 2^-40 * (64 + 31.5 + seed) for 64 elements.
  CHECK(closeTo(runComputeKernel(0, 0.0), kKernelBlockScale * 95.5, 1e-14));
  CHECK(closeTo(runComputeKernel(0, 0.5), kKernelBlockScale * 96.0, 1e-14));
}

TEST("kernel block values stay normal and within twice their start") {
  KernelBlock start;
  KernelBlock block;
  initKernelBlock(start, 0.75);
  initKernelBlock(block, 0.75);
  const uint64_t iterations = uint64_t{1} << 20;
  advanceKernelBlock(block, iterations);
  for (std::size_t i = 0; i < kKernelBlockDoubles; ++i) {
    CHECK(std::fpclassify(block[i]) == FP_NORMAL);
    CHECK(block[i] > start[i]);  // the work really changed every value
    CHECK(block[i] < 2.0 * start[i]);
    // a_n <= a_0 / (1 - n a_0), the bound the kernel's comment relies on;
    // a_n sits within rounding of it, hence the 1e-9 slack.
    const double bound = start[i] / (1.0 - static_cast<double>(iterations) * start[i]);
    CHECK(block[i] <= bound * (1.0 + 1e-9));
  }
  CHECK(start[kKernelBlockDoubles - 1] < 2.0 * kKernelBlockScale);
  CHECK(start[0] >= kKernelBlockScale);
  CHECK(kKernelBlockScale > DBL_MIN * 1e200);  // nowhere near denormals
}

TEST("kernel results depend on the seed and on the iteration count") {
  CHECK(runComputeKernel(100, 0.25) != runComputeKernel(100, 0.5));
  CHECK(runComputeKernel(100, 0.25) != runComputeKernel(101, 0.25));
  CHECK(runComputeKernel(100, 0.25) == runComputeKernel(100, 0.25));
}

// ---------------------------------------------------------------- barrier

TEST("no thread leaves a barrier phase before every thread has arrived") {
  constexpr unsigned kThreads = 4;
  constexpr unsigned kPhases = 300;
  SpinThenBlockBarrier barrier(kThreads);
  std::vector<std::atomic<unsigned>> arrivals(kPhases);
  std::atomic<unsigned> violations{0};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (unsigned phase = 0; phase < kPhases; ++phase) {
        arrivals[phase].fetch_add(1);
        // Stagger one thread now and then so some waits go to sleep.
        if (phase % 50 == 0 && i == phase % kThreads) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        barrier.arriveAndWait();
        if (arrivals[phase].load() != kThreads) violations.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(violations.load() == 0);
}

// ---------------------------------------------------------------- pool

TEST("the pool runs every submitted task exactly once") {
  constexpr std::size_t kTasks = 20000;
  for (unsigned threads : {1u, 2u, 4u}) {
    std::vector<std::atomic<int>> runs(kTasks);
    {
      SharedQueueThreadPool pool(threads);
      CHECK(pool.threadCount() == threads);
      for (std::size_t i = 0; i < kTasks; ++i) pool.submit([&runs, i] { runs[i].fetch_add(1); });
      pool.waitUntilIdle();
      std::size_t exactlyOnce = 0;
      for (auto& r : runs) exactlyOnce += r.load() == 1 ? 1 : 0;
      CHECK(exactlyOnce == kTasks);
    }
    std::size_t total = 0;
    for (auto& r : runs) total += static_cast<std::size_t>(r.load());
    CHECK(total == kTasks);  // nothing ran again during shutdown
  }
}

TEST("waiting for idle also waits for tasks that tasks submitted") {
  SharedQueueThreadPool pool(2);
  std::atomic<int> children{0};
  for (int round = 0; round < 3; ++round) {
    children = 0;
    for (int parent = 0; parent < 100; ++parent) {
      pool.submit([&] {
        for (int c = 0; c < 10; ++c) pool.submit([&] { children.fetch_add(1); });
      });
    }
    pool.waitUntilIdle();
    CHECK(children.load() == 1000);
  }
}

TEST("destroying the pool finishes the work still queued") {
  std::atomic<int> done{0};
  {
    SharedQueueThreadPool pool(2);
    for (int i = 0; i < 200; ++i) {
      pool.submit([&] {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        done.fetch_add(1);
      });
    }
  }
  CHECK(done.load() == 200);
}

TEST("a pool with zero threads is rejected") {
  CHECK_THROWS(SharedQueueThreadPool(0));
  CHECK_THROWS(baselineEmptyTaskThroughput(0, 10));
  CHECK_THROWS(baselineEmptyTaskThroughput(1, 0));
  CHECK_THROWS(baselineChainLatencyMicros(1, 0));
}

TEST("a dependent chain runs every link once, in order, one at a time") {
  for (unsigned threads : {1u, 2u, 3u}) {
    for (std::size_t length : {std::size_t{1}, std::size_t{2}, std::size_t{2000}}) {
      SharedQueueThreadPool pool(threads);
      std::vector<std::size_t> order;  // ordered by the chain's own hand-offs
      std::atomic<int> running{0};
      std::atomic<int> overlaps{0};
      runDependentChain(pool, length, [&](std::size_t index) {
        if (running.fetch_add(1) != 0) overlaps.fetch_add(1);
        order.push_back(index);
        running.fetch_sub(1);
      });
      REQUIRE(order.size() == length);
      bool inOrder = true;
      for (std::size_t i = 0; i < length; ++i) inOrder = inOrder && order[i] == i;
      CHECK(inOrder);
      CHECK(overlaps.load() == 0);
    }
  }
}

TEST("the pool baselines report positive finite figures") {
  const double throughput = baselineEmptyTaskThroughput(2, 2000);
  const double latency = baselineChainLatencyMicros(2, 500);
  CHECK(std::isfinite(throughput) && throughput > 0.0);
  CHECK(std::isfinite(latency) && latency > 0.0);
  CHECK(cohort_bench_empty_throughput(2, 1000) > 0.0);
  CHECK(cohort_bench_chain_latency_us(1, 100) > 0.0);
  CHECK(cohort_bench_empty_throughput(0, 1000) < 0.0);
  CHECK(cohort_bench_chain_latency_us(2, 0) < 0.0);
}

// ---------------------------------------------------------------- stencil

TEST("the parallel stencil matches the sequential one for many shapes") {
  int mismatches = 0;
  int runs = 0;
  for (unsigned width : {1u, 2u, 3u, 7u, 16u}) {
    for (unsigned steps : {1u, 2u, 41u}) {
      for (uint64_t iterations : {uint64_t{0}, uint64_t{17}}) {
        const StencilResult sequential = runStencilSequential(width, steps, iterations);
        REQUIRE(std::isfinite(sequential.checksum));
        for (unsigned threads : {1u, 2u, 3u, 5u}) {
          const StencilResult parallel = runStencilBaseline(width, steps, iterations, threads);
          ++runs;
          if (parallel.checksum != sequential.checksum) {
            ++mismatches;
            std::printf("  mismatch W=%u T=%u iters=%llu threads=%u\n", width, steps,
                        static_cast<unsigned long long>(iterations), threads);
          }
          CHECK(parallel.wallSeconds >= 0.0);
        }
      }
    }
  }
  CHECK(runs == 120);
  CHECK(mismatches == 0);
}

TEST("the flags stencil matches the sequential one for many shapes") {
  // Thread counts up to the width cover ranges of one point (both edges
  // waited for at once), of two (no interior) and longer ones.
  int mismatches = 0;
  int runs = 0;
  for (unsigned width : {1u, 2u, 3u, 4u, 7u, 16u}) {
    for (unsigned steps : {1u, 2u, 3u, 41u}) {
      for (uint64_t iterations : {uint64_t{0}, uint64_t{17}}) {
        const StencilResult sequential = runStencilSequential(width, steps, iterations);
        REQUIRE(std::isfinite(sequential.checksum));
        for (unsigned threads : {1u, 2u, 3u, 5u, 16u}) {
          const StencilResult flags = runStencilFlagBaseline(width, steps, iterations, threads);
          ++runs;
          if (flags.checksum != sequential.checksum) {
            ++mismatches;
            std::printf("  mismatch W=%u T=%u iters=%llu threads=%u\n", width, steps,
                        static_cast<unsigned long long>(iterations), threads);
          }
          CHECK(flags.wallSeconds >= 0.0);
          CHECK(flags.threadsUsed == std::min(threads, width));
        }
      }
    }
  }
  CHECK(runs == 240);
  CHECK(mismatches == 0);
}

TEST("the flags stencil stays correct when threads are skewed") {
  // More threads than cores and long runs: some waiters exhaust their spin
  // budget and fall back to yielding while their neighbour is descheduled.
  const unsigned threads = std::thread::hardware_concurrency() * 2 + 3;
  for (unsigned width : {8u, 33u}) {
    const StencilResult sequential = runStencilSequential(width, 400, 64);
    CHECK(runStencilFlagBaseline(width, 400, 64, threads).checksum == sequential.checksum);
  }
}

TEST("the stencil baseline uses at most one thread per point") {
  CHECK(runStencilBaseline(3, 4, 1, 8).threadsUsed == 3);
  CHECK(runStencilBaseline(16, 4, 1, 2).threadsUsed == 2);
  CHECK(runStencilFlagBaseline(3, 4, 1, 8).threadsUsed == 3);
  CHECK(runStencilSequential(16, 4, 1).threadsUsed == 1);
}

TEST("the sequential stencil equals a reference written from the definition") {
  for (unsigned width : {1u, 2u, 5u}) {
    for (unsigned steps : {1u, 3u, 20u}) {
      CHECK(runStencilSequential(width, steps, 9).checksum ==
            referenceStencilChecksum(width, steps, 9, StencilFault::None));
    }
  }
}

TEST("the checksum changes when a dependence is dropped or stale") {
  const double correct = referenceStencilChecksum(6, 10, 4, StencilFault::None);
  CHECK(referenceStencilChecksum(6, 10, 4, StencilFault::DropRightNeighbour) != correct);
  CHECK(referenceStencilChecksum(6, 10, 4, StencilFault::ReadTwoStepsBack) != correct);
  CHECK(runStencilSequential(6, 10, 5).checksum != correct);  // iterations are hashed in
  CHECK(runStencilSequential(6, 11, 4).checksum != correct);
}

TEST("a stencil point rejects a wrong input count or an invalid input") {
  const double inputs[3] = {1.0, 2.0, 3.0};
  CHECK(std::isnan(stencilPointValue(1, 1, 4, inputs, 2, 0)));  // interior needs 3
  CHECK(std::isnan(stencilPointValue(1, 0, 4, inputs, 3, 0)));  // edge needs 2
  CHECK(std::isnan(stencilPointValue(0, 0, 4, inputs, 1, 0)));  // step 0 needs none
  CHECK(std::isnan(stencilPointValue(1, 4, 4, inputs, 2, 0)));  // point out of range
  const double negative[3] = {1.0, -2.0, 3.0};
  CHECK(std::isnan(stencilPointValue(1, 1, 4, negative, 3, 0)));
  CHECK(!std::isnan(stencilPointValue(1, 1, 4, inputs, 3, 0)));
  CHECK(std::isnan(cohort_bench_stencil_point(1, 1, 4, nullptr, 3, 0)));
  CHECK(cohort_bench_stencil_point(1, 1, 4, inputs, 3, 7) == stencilPointValue(1, 1, 4, inputs, 3, 7));
  const double outputs[2] = {5.0, std::nan("")};
  CHECK(std::isnan(stencilChecksum(outputs, 2)));
  CHECK(cohort_bench_stencil_checksum(outputs, 1) == stencilChecksum(outputs, 1));
}

TEST("invalid stencil shapes are rejected") {
  CHECK_THROWS(runStencilBaseline(0, 10, 1, 2));
  CHECK_THROWS(runStencilBaseline(4, 0, 1, 2));
  CHECK_THROWS(runStencilBaseline(4, 10, 1, 0));
  CHECK_THROWS(runStencilSequential(0, 10, 1));
  CHECK(cohort_bench_stencil_seconds(0, 10, 1, 2, nullptr) < 0.0);
  CHECK_THROWS(runStencilFlagBaseline(0, 10, 1, 2));
  CHECK_THROWS(runStencilFlagBaseline(4, 0, 1, 2));
  CHECK_THROWS(runStencilFlagBaseline(4, 10, 1, 0));
  CHECK(cohort_bench_stencil_flags_seconds(4, 10, 1, 0, nullptr) < 0.0);
}

TEST("the C stencil entry point reports the baseline's checksum") {
  double checksum = -5.0;
  const double seconds = cohort_bench_stencil_seconds(4, 30, 8, 2, &checksum);
  CHECK(seconds >= 0.0);
  CHECK(checksum == runStencilSequential(4, 30, 8).checksum);
  CHECK(cohort_bench_stencil_seconds(4, 30, 8, 2, nullptr) >= 0.0);
  checksum = -5.0;
  CHECK(cohort_bench_stencil_flags_seconds(4, 30, 8, 2, &checksum) >= 0.0);
  CHECK(checksum == runStencilSequential(4, 30, 8).checksum);
}

// ---------------------------------------------------------------- METG
//
// Synthetic sweeps with hand-computed answers. flops per task = 128 * iters.

namespace {

// cores = 2, tasks = 2000 (width 2 x 1000 steps), peak 1e11 flops/s at 1024:
//   iters 1024: wall 2.62144e-3  -> 1e11 flops/s, eff 1.0, g 2.62144 us
//   iters  256: walls 7.192e-4 and 9.192e-4, mean 8.192e-4
//                                -> 8e10,  eff 0.8, g 0.8192 us
//   iters   64: wall 4.096e-4    -> 4e10,  eff 0.4, g 0.4096 us
//   iters   16: wall 4.096e-4    -> 1e10,  eff 0.1, g 0.4096 us
std::vector<MetgSample> monotonicSweep() {
  return {
      {64, 4.096e-4, 2000, 2}, {1024, 2.62144e-3, 2000, 2}, {256, 7.192e-4, 2000, 2},
      {16, 4.096e-4, 2000, 2}, {256, 9.192e-4, 2000, 2},
  };
}

}  // namespace

TEST("METG averages reps, orders by iterations and derives efficiency") {
  const MetgResult r = computeMetg(monotonicSweep());
  REQUIRE(r.points.size() == 4);
  CHECK(r.points[0].iterations == 1024 && r.points[3].iterations == 16);
  CHECK(r.points[1].reps == 2 && r.points[0].reps == 1);
  CHECK(closeTo(r.points[1].wallSeconds, 8.192e-4));
  CHECK(closeTo(r.peakFlopsPerSecond, 1e11));
  CHECK(closeTo(r.points[0].granularityMicros, 2.62144));
  CHECK(closeTo(r.points[1].granularityMicros, 0.8192));
  CHECK(closeTo(r.points[1].efficiency, 0.8));
  CHECK(closeTo(r.points[2].efficiency, 0.4));
  CHECK(closeTo(r.points[3].efficiency, 0.1));
}

TEST("METG interpolates toward the next smaller point below the threshold") {
  // Selected: iters 256 (g 0.8192, e 0.8); next: iters 64 (g 0.4096, e 0.4).
  // 0.4096 + (0.5 - 0.4) / (0.8 - 0.4) * (0.8192 - 0.4096) = 0.512 us.
  const MetgResult r = computeMetg(monotonicSweep());
  CHECK(r.reached);
  CHECK(r.bracketed);
  CHECK(r.selectedIndex == 1);
  CHECK(closeTo(r.metgMicros, 0.512));
}

TEST("METG picks the smallest granularity at threshold even after a dip") {
  // cores 1, tasks 1000; efficiencies 1.0, 0.45, 0.7, 0.3 at shrinking sizes:
  //   iters 1000: flops 1.28e8, wall 0.0128      -> 1e10 (peak), g 12.8
  //   iters  100: flops 1.28e7, wall 1.28e7/4.5e9 -> eff 0.45
  //   iters   50: flops 6.4e6,  wall 6.4e6/7e9   -> eff 0.7, g 32/35
  //   iters   10: flops 1.28e6, wall 1.28e6/3e9  -> eff 0.3, g 32/75
  // METG = 32/75 + (0.5-0.3)/(0.7-0.3) * (32/35 - 32/75) = 1760/2625 us.
  const std::vector<MetgSample> sweep = {
      {1000, 0.0128, 1000, 1},
      {100, 1.28e7 / 4.5e9, 1000, 1},
      {50, 6.4e6 / 7e9, 1000, 1},
      {10, 1.28e6 / 3e9, 1000, 1},
  };
  const MetgResult r = computeMetg(sweep);
  CHECK(r.reached && r.bracketed);
  CHECK(r.selectedIndex == 2);
  CHECK(closeTo(r.points[1].efficiency, 0.45));
  CHECK(closeTo(r.metgMicros, 1760.0 / 2625.0));
}

TEST("METG is the selected point itself when nothing smaller is below threshold") {
  // Truncated sweep: the last point is still at 80%, so 0.8192 us is only an
  // upper bound.
  const std::vector<MetgSample> truncated = {{1024, 2.62144e-3, 2000, 2}, {256, 8.192e-4, 2000, 2}};
  const MetgResult t = computeMetg(truncated);
  CHECK(t.reached && !t.bracketed);
  CHECK(closeTo(t.metgMicros, 0.8192));

  // The next point is below threshold but at a LARGER granularity (a slow
  // outlier: wall 2e-3 gives g 2.0 us, eff 0.08192): no interpolation.
  std::vector<MetgSample> outlier = truncated;
  outlier.push_back({64, 2e-3, 2000, 2});
  const MetgResult o = computeMetg(outlier);
  CHECK(o.reached && !o.bracketed);
  CHECK(closeTo(o.points[2].efficiency, 0.08192));
  CHECK(closeTo(o.metgMicros, 0.8192));
}

TEST("METG is undefined when no point reaches the threshold") {
  MetgOptions fixedPeak;
  fixedPeak.fixedPeakFlopsPerSecond = 1e12;  // best measured point is only 10%
  const MetgResult r = computeMetg(monotonicSweep(), fixedPeak);
  CHECK(!r.reached);
  CHECK(std::isnan(r.metgMicros));
  CHECK(closeTo(r.points[0].efficiency, 0.1));

  // Only empty tasks: zero flops, so no peak and no efficiency at all.
  const MetgResult empty = computeMetg({{0, 1e-3, 2000, 2}, {0, 2e-3, 2000, 2}});
  CHECK(!empty.reached);
  CHECK(std::isnan(empty.metgMicros));
  REQUIRE(empty.points.size() == 1);
  CHECK(empty.points[0].reps == 2);
}

TEST("a point exactly at the threshold counts as reaching it") {
  // A fixed peak of exactly twice the iters-256 point's rate puts it at
  // efficiency 0.5 with no rounding (x / 2x is exact in binary floating point).
  const std::vector<MetgSample> sweep = {
      {1024, 2.62144e-3, 2000, 2}, {256, 1.31072e-3, 2000, 2}, {64, 4.096e-4, 2000, 2}};
  MetgOptions options;
  options.fixedPeakFlopsPerSecond = 2.0 * (2000.0 * 128 * 256 / 1.31072e-3);
  const MetgResult r = computeMetg(sweep, options);
  CHECK(r.points[1].efficiency == 0.5);
  CHECK(r.reached && r.bracketed && r.selectedIndex == 1);
  CHECK(closeTo(r.metgMicros, 1.31072));  // interpolation lands on the point itself
}

TEST("METG rejects samples that cannot be measurements") {
  CHECK_THROWS(computeMetg({{16, 0.0, 2000, 2}}));
  CHECK_THROWS(computeMetg({{16, 1e-3, 0, 2}}));
  CHECK_THROWS(computeMetg({{16, 1e-3, 2000, 0}}));
  CHECK_THROWS(computeMetg({{16, 1e-3, 2000, 2}, {16, 1e-3, 1000, 2}}));
}

TEST_MAIN("bench baselines")
