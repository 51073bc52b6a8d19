/**
 * Typed handles to the tasks of bench/kernels/bench_kernels.cc, which
 * scripts/build-examples.js builds (with the baselines of bench/native/, at
 * -O3 -march=native) into build/kernels/libbench_kernels.so.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Runtime, Task } from '../lib';

export const benchLibraryPath = path.resolve(__dirname, '..', 'build', 'kernels', 'libbench_kernels.so');

/** Result of `baseline_stencil_seconds` and `baseline_stencil_flags_seconds`. */
export interface StencilBaselineResult {
  seconds: number;
  checksum: number;
}

export interface BenchLibrary {
  /** Does nothing. */
  empty: Task<[], undefined>;
  /** The value of its first future + 1, or 1 without futures. */
  chainLink: Task<[], number>;
  /** The shared compute kernel (bench/native/compute_kernel.h); returns the block sum. */
  compute: Task<[iterations: number, seed?: number], number>;
  /** Tasks/s of the shared-queue pool for `tasks` empty tasks on `threads` workers. */
  baselineEmptyThroughput: Task<[threads: number, tasks: number], number>;
  /** Microseconds per link of the pool's dependent chain of `length` empty links. */
  baselineChainLatencyUs: Task<[threads: number, length: number], number>;
  /** Wall seconds and checksum of the hand-written stencil_1d with a barrier per step. */
  baselineStencilSeconds: Task<
    [width: number, steps: number, iterations: number, threads: number],
    StencilBaselineResult
  >;
  /** The same with per-point readiness flags instead of the barrier. */
  baselineStencilFlagsSeconds: Task<
    [width: number, steps: number, iterations: number, threads: number],
    StencilBaselineResult
  >;
  /** Floating-point operations of one compute-kernel call. */
  kernelFlops: Task<[iterations: number], number>;
}

/** Loads the bench library; explains how to build it when it is missing. */
export async function loadBenchLibrary(rt: Runtime, file: string = benchLibraryPath): Promise<BenchLibrary> {
  if (!fs.existsSync(file)) {
    throw new Error(`bench task library not found at ${file}; build it with \`npm run build:examples\``);
  }
  const lib = await rt.loadLibrary(file);
  return {
    empty: lib.task('empty'),
    chainLink: lib.task('chain_link'),
    compute: lib.task('compute'),
    baselineEmptyThroughput: lib.task('baseline_empty_throughput'),
    baselineChainLatencyUs: lib.task('baseline_chain_latency_us'),
    baselineStencilSeconds: lib.task('baseline_stencil_seconds'),
    baselineStencilFlagsSeconds: lib.task('baseline_stencil_flags_seconds'),
    kernelFlops: lib.task('kernel_flops'),
  };
}
