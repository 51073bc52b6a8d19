/**
 * empty_ts_tasks: throughput of N empty TS tasks (registered once with
 * registerTask, then N launches and one await of all their futures) against
 * N calls of an empty `async function` awaited together.
 *
 * Baseline choice: `await Promise.all(calls)`, where every call is started
 * before any is awaited, is the hand-written equivalent of launching all N
 * tasks and then awaiting all of them; `for (...) await f()` would instead
 * match launching and awaiting one task at a time.
 */
import type { Future, Runtime, Task } from '../../lib';
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

const emptyTasks = new WeakMap<Runtime, Task<[], undefined>>();

function emptyTsTask(rt: Runtime): Task<[], undefined> {
  let t = emptyTasks.get(rt);
  if (!t) {
    t = rt.registerTask<[], undefined>('bench.empty_ts', () => undefined);
    emptyTasks.set(rt, t);
  }
  return t;
}

async function cohortBatch(rt: Runtime, task: Task<[], undefined>, tasks: number): Promise<Batch> {
  const futures: Future<undefined>[] = new Array<Future<undefined>>(tasks);
  const start = nowSeconds();
  for (let i = 0; i < tasks; i++) futures[i] = rt.launch(task, []);
  const launched = nowSeconds();
  await Promise.all(futures.map((f) => f.get()));
  return { seconds: nowSeconds() - start, extraSeconds: { launch: launched - start } };
}

async function cohortSample(ctx: BenchContext, tasks: number): Promise<Sample> {
  const task = emptyTsTask(ctx.rt);
  const t = await repeatBatches(ctx.minSampleSeconds, () => cohortBatch(ctx.rt, task, tasks));
  const total = tasks * t.batches;
  return { value: total / t.seconds, extra: { launch_tasks_per_s: total / t.extraSeconds.launch } };
}

async function emptyAsync(): Promise<void> {}

async function baselineBatch(tasks: number): Promise<Batch> {
  const calls: Promise<void>[] = new Array<Promise<void>>(tasks);
  const start = nowSeconds();
  for (let i = 0; i < tasks; i++) calls[i] = emptyAsync();
  await Promise.all(calls);
  return { seconds: nowSeconds() - start };
}

async function baselineSample(ctx: BenchContext, tasks: number): Promise<Sample> {
  const t = await repeatBatches(ctx.minSampleSeconds, () => baselineBatch(tasks));
  return { value: (tasks * t.batches) / t.seconds };
}

export const emptyTsTasks: BenchDefinition = {
  name: 'empty_ts_tasks',
  unit: 'tasks/s',
  better: 'higher',
  baseline: 'async function calls, Promise.all',
  async run(ctx: BenchContext): Promise<BenchMeasurement> {
    const tasks = ctx.quick ? 5_000 : 50_000;
    const r = await interleave({
      reps: ctx.reps,
      cohort: () => cohortSample(ctx, tasks),
      baseline: () => baselineSample(ctx, tasks),
    });
    return measurement(r, { tasks });
  },
};
