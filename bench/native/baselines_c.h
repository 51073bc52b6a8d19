/* Plain C entry points to the hand-written baselines, for the bench task
 * library (and any FFI caller). No C++ exception crosses this boundary: the
 * measuring functions return a negative value on invalid arguments or
 * failure; the stencil value functions return NaN. */
#ifndef COHORT_BENCH_BASELINES_C_H
#define COHORT_BENCH_BASELINES_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tasks per second: `tasks` empty tasks submitted from one thread to a
 * shared-queue pool of `threads` workers, until all have run. */
double cohort_bench_empty_throughput(unsigned threads, size_t tasks);

/* Microseconds per link of a dependent chain of `length` empty tasks on a
 * shared-queue pool of `threads` workers (each link submits the next). */
double cohort_bench_chain_latency_us(unsigned threads, size_t length);

/* Wall seconds of stencil_1d (width x steps, compute kernel with `iters`
 * iterations per point) on `threads` threads with a barrier per step. Writes
 * the checksum of the last step's outputs to *checksum when not NULL. */
double cohort_bench_stencil_seconds(unsigned width, unsigned steps, uint64_t iters, unsigned threads, double* checksum);

/* The same, with per-point readiness flags instead of a barrier (each point
 * waits only for its three producers of the previous step): the stencil
 * baseline of metg_stencil_1d. */
double cohort_bench_stencil_flags_seconds(unsigned width, unsigned steps, uint64_t iters, unsigned threads,
                                          double* checksum);

/* Floating-point operations of one compute-kernel call (128 * iters). */
double cohort_bench_kernel_flops(uint64_t iters);

/* The per-point function and checksum, so a task library written against
 * this C interface computes exactly the baseline's values. `inputs` are the
 * step-1 outputs of points max(0,point-1)..min(point+1,width-1) in order
 * (none at step 0). Return NaN on invalid input. */
double cohort_bench_stencil_point(unsigned step, unsigned point, unsigned width, const double* inputs,
                                  size_t input_count, uint64_t iters);
double cohort_bench_stencil_checksum(const double* outputs, size_t width);

#ifdef __cplusplus
}
#endif

#endif /* COHORT_BENCH_BASELINES_C_H */
