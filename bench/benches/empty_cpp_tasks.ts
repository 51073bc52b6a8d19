/**
 * empty_cpp_tasks: throughput of N empty C++ tasks launched from TS (launch
 * all, then await all their futures) against the hand-written shared-queue
 * thread pool (bench/native/thread_pool_baseline.h) running N empty tasks
 * submitted from one thread on the same number of worker threads (pool
 * start-up excluded, as cohort's workers are already running).
 */
import type { Future } from '../../lib';
import {
  Batch,
  BenchContext,
  BenchDefinition,
  BenchMeasurement,
  interleave,
  measurement,
  nowSeconds,
  repeatBatches,
  Sample,
} from '../harness';

async function cohortBatch(ctx: BenchContext, tasks: number): Promise<Batch> {
  const { rt, lib } = ctx;
  const futures: Future<undefined>[] = new Array<Future<undefined>>(tasks);
  const start = nowSeconds();
  for (let i = 0; i < tasks; i++) futures[i] = rt.launch(lib.empty, []);
  const launched = nowSeconds();
  await Promise.all(futures.map((f) => f.get()));
  return { seconds: nowSeconds() - start, extraSeconds: { launch: launched - start } };
}

async function cohortSample(ctx: BenchContext, tasks: number): Promise<Sample> {
  const t = await repeatBatches(ctx.minSampleSeconds, () => cohortBatch(ctx, tasks));
  const total = tasks * t.batches;
  return {
    value: total / t.seconds,
    // The JS thread's issue rate alone (DESIGN §4 "launch cost from TS").
    extra: { launch_tasks_per_s: total / t.extraSeconds.launch },
  };
}

async function baselineSample(ctx: BenchContext, tasks: number): Promise<Sample> {
  const t = await repeatBatches(ctx.minSampleSeconds, async () => {
    const rate = await ctx.rt.launch(ctx.lib.baselineEmptyThroughput, [ctx.workers, tasks]).get();
    return { seconds: tasks / rate };
  });
  return { value: (tasks * t.batches) / t.seconds };
}

export const emptyCppTasks: BenchDefinition = {
  name: 'empty_cpp_tasks',
  unit: 'tasks/s',
  better: 'higher',
  baseline: 'C++ shared-queue pool, same threads',
  async run(ctx: BenchContext): Promise<BenchMeasurement> {
    const tasks = ctx.quick ? 20_000 : 100_000;
    const r = await interleave({
      reps: ctx.reps,
      cohort: () => cohortSample(ctx, tasks),
      baseline: () => baselineSample(ctx, tasks),
    });
    return measurement(r, { tasks, threads: ctx.workers });
  },
};
