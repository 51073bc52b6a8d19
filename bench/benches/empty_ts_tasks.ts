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
import { BenchContext, BenchDefinition, BenchMeasurement, interleave, measurement, nowSeconds, Sample } from '../harness';

const emptyTasks = new WeakMap<Runtime, Task<[], undefined>>();

function emptyTsTask(rt: Runtime): Task<[], undefined> {
  let t = emptyTasks.get(rt);
  if (!t) {
    t = rt.registerTask<[], undefined>('bench.empty_ts', () => undefined);
    emptyTasks.set(rt, t);
  }
  return t;
}

async function cohortSample(ctx: BenchContext, tasks: number): Promise<Sample> {
  const { rt } = ctx;
  const task = emptyTsTask(rt);
  const futures: Future<undefined>[] = new Array<Future<undefined>>(tasks);
  const start = nowSeconds();
  for (let i = 0; i < tasks; i++) futures[i] = rt.launch(task, []);
  const launched = nowSeconds();
  await Promise.all(futures.map((f) => f.get()));
  const end = nowSeconds();
  return { value: tasks / (end - start), extra: { launch_tasks_per_s: tasks / (launched - start) } };
}

async function emptyAsync(): Promise<void> {}

async function baselineSample(tasks: number): Promise<Sample> {
  const calls: Promise<void>[] = new Array<Promise<void>>(tasks);
  const start = nowSeconds();
  for (let i = 0; i < tasks; i++) calls[i] = emptyAsync();
  await Promise.all(calls);
  return { value: tasks / (nowSeconds() - start) };
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
      baseline: () => baselineSample(tasks),
    });
    return measurement(r, { tasks });
  },
};
