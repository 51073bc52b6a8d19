/**
 * chain_latency: microseconds per link of a chain of N C++ tasks, each
 * waiting on the previous one's future. The whole chain is launched from TS
 * up front, then its end is awaited; the time from the first launch to the
 * end, divided by N, is the figure. Baseline: the hand-written pool's chain,
 * where each link submits the next as its last act
 * (bench/native/thread_pool_baseline.h), same N and threads.
 *
 * The first-launch-to-end time includes issuing the launches from the JS
 * thread, and while issuing is slower than running a link the chain waits
 * for the launcher, so two more figures are reported:
 *  - launch_us_per_link: the JS thread's time to issue the chain, per link;
 *  - critical_path_us_per_link: the same chain launched behind a gate (a TS
 *    task held open until every link is issued), timed from releasing the
 *    gate to the end: the worker-side cost of one link's completion
 *    triggering the next, which is what METG depends on (DESIGN §2.7).
 */
import type { Future, Runtime, Task } from '../../lib';
import {
  BenchContext,
  BenchDefinition,
  BenchMeasurement,
  interleave,
  measurement,
  nowSeconds,
  repeatBatches,
  Sample,
} from '../harness';

interface Gate {
  started: () => void;
  released: Promise<void>;
}
let openGate: Gate | undefined;
const gateTasks = new WeakMap<Runtime, Task<[], number>>();

/** A TS task that finishes when the current gate is released, with 0 (the chain's start value). */
function gateTask(rt: Runtime): Task<[], number> {
  let t = gateTasks.get(rt);
  if (!t) {
    t = rt.registerTask<[], number>('bench.chain_latency.gate', async () => {
      const gate = openGate;
      if (!gate) throw new Error('chain_latency gate task ran without an open gate');
      gate.started();
      await gate.released;
      return 0;
    });
    gateTasks.set(rt, t);
  }
  return t;
}

function launchChain(ctx: BenchContext, length: number, first: Future<unknown> | undefined): Future<number> {
  const { rt, lib } = ctx;
  let prev = rt.launch(lib.chainLink, [], first ? { futures: [first] } : {});
  for (let i = 1; i < length; i++) prev = rt.launch(lib.chainLink, [], { futures: [prev] });
  return prev;
}

function checkEnd(value: number, length: number): void {
  if (value !== length) throw new Error(`chain_latency: the chain's end is ${value}, expected ${length}`);
}

/** Whole chain: first launch to end, launches included. */
async function ungated(ctx: BenchContext, length: number): Promise<{ total: number; launch: number }> {
  const start = nowSeconds();
  const end = launchChain(ctx, length, undefined);
  const launched = nowSeconds();
  checkEnd(await end.get(), length);
  const done = nowSeconds();
  return { total: done - start, launch: launched - start };
}

/** Critical path only: the chain is issued behind a closed gate. */
async function gated(ctx: BenchContext, length: number): Promise<number> {
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const isStarted = new Promise<void>((resolve) => (started = resolve));
  openGate = { started, released: new Promise<void>((resolve) => (release = resolve)) };
  try {
    const gate = ctx.rt.launch(gateTask(ctx.rt), []);
    await isStarted;
    // The gate task is running and blocked: nothing of the chain can run yet.
    const end = launchChain(ctx, length, gate);
    const start = nowSeconds();
    release();
    checkEnd(await end.get(), length);
    return nowSeconds() - start;
  } finally {
    release();
    openGate = undefined;
  }
}

async function cohortSample(ctx: BenchContext, length: number): Promise<Sample> {
  const t = await repeatBatches(ctx.minSampleSeconds, async () => {
    const whole = await ungated(ctx, length);
    const critical = await gated(ctx, length);
    return { seconds: whole.total, extraSeconds: { launch: whole.launch, critical } };
  });
  const links = length * t.batches;
  return {
    value: (t.seconds * 1e6) / links,
    extra: {
      launch_us_per_link: (t.extraSeconds.launch * 1e6) / links,
      critical_path_us_per_link: (t.extraSeconds.critical * 1e6) / links,
    },
  };
}

async function baselineSample(ctx: BenchContext, length: number): Promise<Sample> {
  const t = await repeatBatches(ctx.minSampleSeconds, async () => {
    const usPerLink = await ctx.rt.launch(ctx.lib.baselineChainLatencyUs, [ctx.workers, length]).get();
    return { seconds: (usPerLink * length) / 1e6 };
  });
  return { value: (t.seconds * 1e6) / (length * t.batches) };
}

export const chainLatency: BenchDefinition = {
  name: 'chain_latency',
  unit: 'us',
  better: 'lower',
  baseline: 'C++ pool, each link submits the next',
  async run(ctx: BenchContext): Promise<BenchMeasurement> {
    const length = ctx.quick ? 5_000 : 50_000;
    const r = await interleave({
      reps: ctx.reps,
      cohort: () => cohortSample(ctx, length),
      baseline: () => baselineSample(ctx, length),
    });
    return measurement(r, { length, threads: ctx.workers });
  },
};
