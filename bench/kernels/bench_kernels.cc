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
//                                    -> {seconds, checksum}; barrier per step
//   baseline_stencil_flags_seconds(width, steps, iterations, threads)
//                                    -> {seconds, checksum}; per-point flags
//   kernel_flops(iterations)         -> flops of one compute-kernel call
//   stencil_point(iterations, width) -> undefined; one point of one step of
//                                       stencil_1d over regions (see below)
//   stencil_checksum(width, steps)   -> the baseline's checksum of a region
//                                       written by `steps` stencil_point steps
//   touch_cell()                     -> undefined; adds 1 to every cell of its
//                                       region requirement 0, if it has one
//
// The baseline tasks throw (failing the task) when the baseline reports a
// failure, so a broken measurement never shows up as a number.
#include <cohort/cohort.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

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

using StencilBaselineFn = double (*)(unsigned, unsigned, uint64_t, unsigned, double*);

void stencilBaselineResult(cohort::TaskContext& ctx, StencilBaselineFn baseline, const char* what) {
  const auto width = countArg<unsigned>(ctx, 0, "width");
  const auto steps = countArg<unsigned>(ctx, 1, "steps");
  const auto iterations = countArg<uint64_t>(ctx, 2, "iterations");
  const auto threads = countArg<unsigned>(ctx, 3, "threads");
  double checksum = 0.0;
  const double seconds = checkedMeasurement(baseline(width, steps, iterations, threads, &checksum), what);
  cohort::Encoder e;
  e.beginObject(2);
  e.key("seconds").number(seconds);
  e.key("checksum").number(checksum);
  ctx.result(e);
}

void baselineStencilSeconds(cohort::TaskContext& ctx) {
  stencilBaselineResult(ctx, cohort_bench_stencil_seconds, "baseline_stencil_seconds");
}

void baselineStencilFlagsSeconds(cohort::TaskContext& ctx) {
  stencilBaselineResult(ctx, cohort_bench_stencil_flags_seconds, "baseline_stencil_flags_seconds");
}

void kernelFlops(cohort::TaskContext& ctx) {
  ctx.result(cohort_bench_kernel_flops(countArg<uint64_t>(ctx, 0, "iterations")));
}

// ---- stencil_1d over regions (bench/benches/metg_stencil_1d.ts) ----------
//
// A region of `width` f64 cells; each step is an index launch of
// stencil_point over points 0..width-1 with
//   requirement 0: read field 0 of the point's ghost piece
//                  [p-1, p+1] clipped to [0, width) (partitionByBlocks(r, 1, 1)),
//   requirement 1: write field 0 of the point's own cell (partitionEqual(r, W)).
// The value is exactly the baseline's (cohort_bench_stencil_point with the
// inputs in ascending point order), so the final checksum must equal the one
// baseline_stencil_seconds reports for the same width, steps and iterations.
//
// Why the step is not an argument: the steps are replayed by a trace, which
// issues the same arguments on every replay. So each cell stores
//   generation * 2^31 + value     (generation = step + 1; 0 = never written)
// exactly in a double (value < 2^31 - 1; generation <= a few thousand, so the
// sum stays far below 2^53). A point's step is the generation of its inputs,
// which must all agree: a stale or missing input fails the task instead of
// silently producing a different checksum. The region is filled with 0 before
// the first step (generation 0: step 0, no inputs).

constexpr double kGenerationScale = 2147483648.0;  // 2^31 > every point value

struct StencilCell {
  uint64_t generation;
  double value;
};

StencilCell decodeCell(double stored, int64_t point) {
  if (!(stored >= 0.0 && stored < 9007199254740992.0) || stored != std::floor(stored))
    throw std::runtime_error("stencil cell " + std::to_string(point) + " holds " + std::to_string(stored) +
                             ", not generation * 2^31 + value");
  const double generation = std::floor(stored / kGenerationScale);
  return {static_cast<uint64_t>(generation), stored - generation * kGenerationScale};
}

void stencilPoint(cohort::TaskContext& ctx) {
  const auto iterations = countArg<uint64_t>(ctx, 0, "iterations");
  const auto width = countArg<unsigned>(ctx, 1, "width");
  const int64_t p = ctx.point(0);
  if (width == 0 || p < 0 || p >= static_cast<int64_t>(width))
    throw std::invalid_argument("stencil_point: point " + std::to_string(p) + " outside width " +
                                std::to_string(width));
  const auto in = ctx.field<double>(0, 0);
  const auto out = ctx.field<double>(1, 0);
  const int64_t first = p == 0 ? 0 : p - 1;
  const int64_t last = p + 1 < static_cast<int64_t>(width) ? p + 1 : p;
  if (in.lo() > first || in.hi() < last)
    throw std::runtime_error("stencil_point: the ghost piece of point " + std::to_string(p) + " is [" +
                             std::to_string(in.lo()) + ", " + std::to_string(in.hi()) + "], needs [" +
                             std::to_string(first) + ", " + std::to_string(last) + "]");
  if (out.lo() > p || out.hi() < p)
    throw std::runtime_error("stencil_point: the written piece does not hold point " + std::to_string(p));

  double inputs[3];
  uint64_t generation = 0;
  for (int64_t q = first; q <= last; ++q) {
    const StencilCell cell = decodeCell(in(q), q);
    if (q == first)
      generation = cell.generation;
    else if (cell.generation != generation)
      throw std::runtime_error("stencil_point: point " + std::to_string(p) + " sees inputs of different steps (cell " +
                               std::to_string(q) + " generation " + std::to_string(cell.generation) + ", cell " +
                               std::to_string(first) + " generation " + std::to_string(generation) + ")");
    inputs[q - first] = cell.value;
  }
  const unsigned step = static_cast<unsigned>(generation);
  const std::size_t count = step == 0 ? 0 : static_cast<std::size_t>(last - first + 1);
  const double value = cohort_bench_stencil_point(step, static_cast<unsigned>(p), width, inputs, count, iterations);
  if (std::isnan(value)) throw std::runtime_error("stencil_point: invalid inputs at point " + std::to_string(p));
  out(p) = static_cast<double>(step + 1) * kGenerationScale + value;
}

void stencilChecksum(cohort::TaskContext& ctx) {
  const auto width = countArg<unsigned>(ctx, 0, "width");
  const auto steps = countArg<unsigned>(ctx, 1, "steps");
  const auto cells = ctx.field<double>(0, 0);
  if (cells.lo() > 0 || cells.hi() < static_cast<int64_t>(width) - 1)
    throw std::runtime_error("stencil_checksum: the region does not hold points 0.." + std::to_string(width - 1));
  std::vector<double> values(width);
  for (unsigned p = 0; p < width; ++p) {
    const StencilCell cell = decodeCell(cells(p), p);
    if (cell.generation != steps)
      throw std::runtime_error("stencil_checksum: cell " + std::to_string(p) + " was written by step " +
                               std::to_string(static_cast<int64_t>(cell.generation) - 1) + ", expected the last step " +
                               std::to_string(steps - 1));
    values[p] = cell.value;
  }
  ctx.result(cohort_bench_stencil_checksum(values.data(), values.size()));
}

// ---- analysis_throughput ----------------------------------------------------

void touchCell(cohort::TaskContext& ctx) {
  if (ctx.regionCount() == 0) return;
  const auto cells = ctx.field<double>(0, 0);
  for (int64_t i = cells.lo(); i <= cells.hi(); ++i) cells(i) += 1.0;
}

void registerTasks(cohort::Registrar& r) {
  r.task<empty>("empty");
  r.task<chainLink>("chain_link");
  r.task<compute>("compute");
  r.task<baselineEmptyThroughput>("baseline_empty_throughput");
  r.task<baselineChainLatencyUs>("baseline_chain_latency_us");
  r.task<baselineStencilSeconds>("baseline_stencil_seconds");
  r.task<baselineStencilFlagsSeconds>("baseline_stencil_flags_seconds");
  r.task<kernelFlops>("kernel_flops");
  r.task<stencilPoint>("stencil_point");
  r.task<stencilChecksum>("stencil_checksum");
  r.task<touchCell>("touch_cell");
}

}  // namespace

COHORT_LIBRARY(registerTasks)
