// stencil_1d (Task Bench's headline pattern) as a hand-written baseline.
//
// Width W points, T steps. Point p at step t > 0 reads the outputs of points
// max(0, p-1) .. min(p+1, W-1) of step t-1 (3 inputs, 2 at the edges, in
// ascending point order), runs the compute kernel, and writes one output.
// Step 0 has no inputs. Outputs are double-buffered: step t writes
// generation t % 2.
//
// The per-point function and the checksum are inline here so cohort's own
// stencil tasks compute exactly the same values and the run can be checked
// against the baseline: same inputs in, bit-identical checksum out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "compute_kernel.h"

namespace cohort::bench {

// Point outputs are integers modulo this prime, stored exactly in doubles
// (< 2^31 << 2^53). Why integers: the value must not depend on whether a
// build contracts `a*a + a` into an FMA, or cohort's and the baseline's
// checksums could differ for reasons other than a wrong dependence.
inline constexpr uint64_t kStencilValueModulus = 2147483647;  // 2^31 - 1
inline constexpr uint64_t kStencilMixMultiplier = 1000003;

// First and last dependence of `point` (inclusive), clipped to [0, width).
inline unsigned stencilFirstInput(unsigned point) { return point == 0 ? 0 : point - 1; }
inline unsigned stencilLastInput(unsigned point, unsigned width) { return point + 1 < width ? point + 1 : point; }
// How many inputs point `point` of a step t > 0 has (3, or 2 at an edge, or
// 1 when width is 1).
inline std::size_t stencilInputCount(unsigned point, unsigned width) {
  return stencilLastInput(point, width) - stencilFirstInput(point) + 1;
}

// Output of point `point` at `step`. `inputs` are the step-1 outputs of
// stencilFirstInput(point) .. stencilLastInput(point, width) in that order
// (none at step 0). The value hashes (step, point, iterations) and every input
// with its position, so a missing, swapped or stale input changes it; the
// kernel is seeded from that hash, so it cannot be hoisted or precomputed.
// Returns NaN for a wrong input count or an input that is not a valid output.
inline double stencilPointValue(unsigned step, unsigned point, unsigned width, const double* inputs,
                                std::size_t inputCount, uint64_t iterations) {
  constexpr double kInvalid = std::numeric_limits<double>::quiet_NaN();
  constexpr uint64_t P = kStencilValueModulus;
  if (point >= width) return kInvalid;
  const std::size_t expected = step == 0 ? 0 : stencilInputCount(point, width);
  if (inputCount != expected) return kInvalid;

  uint64_t hash = (static_cast<uint64_t>(step) % P * 40503 + point + 1) % P;
  hash = (hash * kStencilMixMultiplier + iterations % P) % P;
  const unsigned first = stencilFirstInput(point);
  for (std::size_t i = 0; i < inputCount; ++i) {
    const double input = inputs[i];
    if (!(input >= 0.0 && input < static_cast<double>(P))) return kInvalid;
    const uint64_t sourcePoint = first + i;
    hash = (hash * kStencilMixMultiplier + static_cast<uint64_t>(input) + sourcePoint + 1) % P;
  }

  const double seed = static_cast<double>(hash & 0xFFFF) / 65536.0;
  const double kernelSum = runComputeKernel(iterations, seed);
  // Only a rounding-insensitive property of the kernel result enters the
  // value (the block is always positive); using it at all keeps the work live.
  const uint64_t kernelDigest = kernelSum > 0.0 ? 1 : 0;
  return static_cast<double>((hash + kernelDigest) % P);
}

// Order-sensitive checksum of one step's outputs (point 0 first). Exact, so
// equal runs give bit-identical checksums. NaN if any output is invalid.
inline double stencilChecksum(const double* outputs, std::size_t width) {
  constexpr uint64_t P = kStencilValueModulus;
  uint64_t sum = 0;
  for (std::size_t p = 0; p < width; ++p) {
    const double value = outputs[p];
    if (!(value >= 0.0 && value < static_cast<double>(P))) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    sum = (sum * kStencilMixMultiplier + static_cast<uint64_t>(value) + p) % P;
  }
  return static_cast<double>(sum);
}

struct StencilResult {
  double wallSeconds = 0.0;  // steps only: thread start-up excluded
  double checksum = 0.0;     // stencilChecksum of the last step's outputs
  unsigned threadsUsed = 0;  // min(threads, width)
};

// Barrier baseline: min(threads, width) threads (the caller plus helpers),
// points split into equal contiguous ranges, one spin-then-block barrier
// after each step, no runtime. Throws std::invalid_argument when width,
// steps or threads is 0.
StencilResult runStencilBaseline(unsigned width, unsigned steps, uint64_t iterations, unsigned threads);

// Per-point flags baseline: the same threads and ranges, no barrier. Every
// point publishes how many steps it has completed (an atomic counter on its
// own cache line, next to its outputs); point p of step t waits only for
// points p-1, p, p+1 to have completed step t-1, so a thread waits only at
// its range's edges, for its two neighbouring threads, and never for the
// slowest thread of the step. Waits spin, then yield (spinThenYieldUntil).
// Each thread is pinned to its own CPU for the run (on Linux; the caller's
// affinity is restored afterwards). Same errors as runStencilBaseline.
StencilResult runStencilFlagBaseline(unsigned width, unsigned steps, uint64_t iterations, unsigned threads);

// The same computation on the calling thread, for checking.
StencilResult runStencilSequential(unsigned width, unsigned steps, uint64_t iterations);

}  // namespace cohort::bench
