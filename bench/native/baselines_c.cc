#include "baselines_c.h"

#include <limits>

#include "compute_kernel.h"
#include "stencil_baseline.h"
#include "thread_pool_baseline.h"

namespace {

constexpr double kFailed = -1.0;
constexpr double kInvalidValue = std::numeric_limits<double>::quiet_NaN();

// Runs `body`, mapping any exception to kFailed so nothing unwinds into C.
template <typename Body>
double guarded(Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return kFailed;
  }
}

}  // namespace

extern "C" {

double cohort_bench_empty_throughput(unsigned threads, size_t tasks) {
  return guarded([&] { return cohort::bench::baselineEmptyTaskThroughput(threads, tasks); });
}

double cohort_bench_chain_latency_us(unsigned threads, size_t length) {
  return guarded([&] { return cohort::bench::baselineChainLatencyMicros(threads, length); });
}

double cohort_bench_stencil_seconds(unsigned width, unsigned steps, uint64_t iters, unsigned threads,
                                    double* checksum) {
  return guarded([&] {
    const auto result = cohort::bench::runStencilBaseline(width, steps, iters, threads);
    if (checksum != nullptr) *checksum = result.checksum;
    return result.wallSeconds;
  });
}

double cohort_bench_stencil_flags_seconds(unsigned width, unsigned steps, uint64_t iters, unsigned threads,
                                          double* checksum) {
  return guarded([&] {
    const auto result = cohort::bench::runStencilFlagBaseline(width, steps, iters, threads);
    if (checksum != nullptr) *checksum = result.checksum;
    return result.wallSeconds;
  });
}

double cohort_bench_kernel_flops(uint64_t iters) { return static_cast<double>(cohort::bench::flopsPerCall(iters)); }

double cohort_bench_stencil_point(unsigned step, unsigned point, unsigned width, const double* inputs,
                                  size_t input_count, uint64_t iters) {
  if (inputs == nullptr && input_count != 0) return kInvalidValue;
  return cohort::bench::stencilPointValue(step, point, width, inputs, input_count, iters);
}

double cohort_bench_stencil_checksum(const double* outputs, size_t width) {
  if (outputs == nullptr && width != 0) return kInvalidValue;
  return cohort::bench::stencilChecksum(outputs, width);
}

}  // extern "C"
