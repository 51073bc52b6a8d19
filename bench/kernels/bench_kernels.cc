// Task library of `npm run bench`: the tasks cohort runs in the benchmarks,
// and tasks that run the hand-written C++ baselines (bench/native/) inside
// the same shared object, so both sides are compiled with the same flags
// (scripts/build-examples.js builds this with -O3 -march=native together
// with bench/native/*.cc) and run in the same process and the same run.
//
//   empty()                          -> undefined; does nothing
//   chain_link()                     -> (value of its first future) + 1, or 1
//                                       when launched without futures
//   compute(iterations[, seed])      -> sum of the shared compute kernel's block
//   baseline_empty_throughput(threads, tasks)          -> tasks/s
//   baseline_chain_latency_us(threads, length)         -> us per link
//   baseline_stencil_seconds(width, steps, iterations, threads)
//                                    -> {seconds, checksum}
//   kernel_flops(iterations)         -> flops of one compute-kernel call
//
// The baseline tasks throw (failing the task) when the baseline reports a
// failure, so a broken measurement never shows up as a number.
#include <cohort/cohort.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "baselines_c.h"
#include "compute_kernel.h"

namespace {

// A non-negative integer argument that fits `Limit`; throws otherwise.
template <typename T>
T countArg(const cohort::TaskContext& ctx, size_t index, const char* what) {
  if (ctx.argCount() <= index) throw std::invalid_argument(std::string("missing argument ") + what);
  const int64_t v = ctx.arg(index).asInt();
  if (v < 0 || static_cast<uint64_t>(v) > static_cast<uint64_t>(static_cast<T>(-1)))
    throw std::invalid_argument(std::string("argument ") + what + " is out of range: " + std::to_string(v));
  return static_cast<T>(v);
}

double checkedMeasurement(double value, const char* what) {
  if (!(value >= 0.0)) throw std::runtime_error(std::string(what) + " failed (invalid arguments?)");
  return value;
}

void empty(cohort::TaskContext&) {}

void chainLink(cohort::TaskContext& ctx) {
  const double previous = ctx.futureCount() > 0 ? ctx.future(0).asNumber() : 0.0;
  ctx.result(previous + 1.0);
}

void compute(cohort::TaskContext& ctx) {
  const auto iterations = countArg<uint64_t>(ctx, 0, "iterations");
  const double seed = ctx.argCount() > 1 ? ctx.arg(1).asNumber() : 0.5;
  ctx.result(cohort::bench::runComputeKernel(iterations, seed));
}

void baselineEmptyThroughput(cohort::TaskContext& ctx) {
  const auto threads = countArg<unsigned>(ctx, 0, "threads");
  const auto tasks = countArg<size_t>(ctx, 1, "tasks");
  ctx.result(checkedMeasurement(cohort_bench_empty_throughput(threads, tasks), "baseline_empty_throughput"));
}

void baselineChainLatencyUs(cohort::TaskContext& ctx) {
  const auto threads = countArg<unsigned>(ctx, 0, "threads");
  const auto length = countArg<size_t>(ctx, 1, "length");
  ctx.result(checkedMeasurement(cohort_bench_chain_latency_us(threads, length), "baseline_chain_latency_us"));
}

void baselineStencilSeconds(cohort::TaskContext& ctx) {
  const auto width = countArg<unsigned>(ctx, 0, "width");
  const auto steps = countArg<unsigned>(ctx, 1, "steps");
  const auto iterations = countArg<uint64_t>(ctx, 2, "iterations");
  const auto threads = countArg<unsigned>(ctx, 3, "threads");
  double checksum = 0.0;
  const double seconds = checkedMeasurement(
      cohort_bench_stencil_seconds(width, steps, iterations, threads, &checksum), "baseline_stencil_seconds");
  cohort::Encoder e;
  e.beginObject(2);
  e.key("seconds").number(seconds);
  e.key("checksum").number(checksum);
  ctx.result(e);
}

void kernelFlops(cohort::TaskContext& ctx) {
  ctx.result(cohort_bench_kernel_flops(countArg<uint64_t>(ctx, 0, "iterations")));
}

void registerTasks(cohort::Registrar& r) {
  r.task<empty>("empty");
  r.task<chainLink>("chain_link");
  r.task<compute>("compute");
  r.task<baselineEmptyThroughput>("baseline_empty_throughput");
  r.task<baselineChainLatencyUs>("baseline_chain_latency_us");
  r.task<baselineStencilSeconds>("baseline_stencil_seconds");
  r.task<kernelFlops>("kernel_flops");
}

}  // namespace

COHORT_LIBRARY(registerTasks)
