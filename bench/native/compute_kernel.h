// The compute-bound kernel shared by the C++ baselines and cohort's own
// benchmark tasks: a block of 64 doubles, each updated `a = a*a + a` per
// iteration, as Task Bench's compute_bound kernel does. Both sides of every
// comparison must run this exact code, so it lives in one header.
//
// Portable C++ only: with -O2/-O3 the compiler vectorises the 64-wide update
// (and contracts it into FMAs when the target has them); no intrinsics.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cohort::bench {

inline constexpr std::size_t kKernelBlockDoubles = 64;

// Block values start in [2^-40, 2^-39). Why so small: a_{n+1} = a_n(1 + a_n)
// gives 1/a_{n+1} >= 1/a_n - 1, so a_n <= a_0 / (1 - n*a_0); for n < 2^38
// iterations every value stays below 2*a_0 < 2^-38. That is far from both
// overflow and the denormal range (< 2^-1022), so the arithmetic runs at full
// speed for any realistic sweep, and the relative step a_n (~1e-12) is still
// far above one ulp (~1.1e-16), so every update really changes the value.
inline constexpr double kKernelBlockScale = 1.0 / 1099511627776.0;  // 2^-40

// Iterations below this keep every block value within [2^-40, 2^-38).
inline constexpr uint64_t kKernelBoundedIterations = uint64_t{1} << 38;

// Useful floating-point work of one call: one multiply and one add per block
// element per iteration. (Task Bench also counts 64 for its setup; we count
// only the loop, so iterations = 0 is an empty task with zero flops.)
inline constexpr uint64_t flopsPerCall(uint64_t iterations) { return 2 * kKernelBlockDoubles * iterations; }

using KernelBlock = double[kKernelBlockDoubles];

// seed in [0, 1) shifts every start value; it must come from run-time data so
// the compiler cannot precompute the kernel or hoist it out of a loop.
inline void initKernelBlock(KernelBlock& block, double seed) {
  for (std::size_t i = 0; i < kKernelBlockDoubles; ++i) {
    const double offset = (static_cast<double>(i) + seed) / kKernelBlockDoubles;
    block[i] = kKernelBlockScale * (1.0 + offset);
  }
}

// Iteration-outer, element-inner: the 64 independent chains give the
// vectoriser whole registers of work and hide the multiply/add latency.
inline void advanceKernelBlock(KernelBlock& block, uint64_t iterations) {
  for (uint64_t it = 0; it < iterations; ++it) {
    for (std::size_t i = 0; i < kKernelBlockDoubles; ++i) {
      block[i] = block[i] * block[i] + block[i];
    }
  }
}

// Eight independent partial sums instead of one serial chain of 63 adds: the
// result is only a liveness witness, and a serial sum would add ~60 ns of
// add latency to every task, which matters at iterations 0..16.
inline double sumKernelBlock(const KernelBlock& block) {
  constexpr std::size_t kLanes = 8;
  double partial[kLanes] = {};
  for (std::size_t i = 0; i < kKernelBlockDoubles; i += kLanes) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) partial[lane] += block[i + lane];
  }
  double sum = 0.0;
  for (double p : partial) sum += p;
  return sum;
}

// One task's worth of work. Returns the sum of the final block, which
// depends on every update, so the work cannot be elided by the optimiser
// as long as the caller uses the result.
inline double runComputeKernel(uint64_t iterations, double seed) {
  KernelBlock block;
  initKernelBlock(block, seed);
  advanceKernelBlock(block, iterations);
  return sumKernelBlock(block);
}

}  // namespace cohort::bench
