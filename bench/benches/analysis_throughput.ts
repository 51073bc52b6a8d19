/**
 * analysis_throughput: index launches per second issued from TS with a fresh
 * dependence analysis per launch (no trace), at W = 16, 256 and 4096 points
 * per launch. Every launch runs the C++ task `touch_cell` over a region of W
 * f64 cells split by `partitionEqual(r, W)` (disjoint, one cell per point),
 * with a read-write requirement on field x: point p adds 1 to cell p, so
 * launch k+1's point p depends on launch k's point p (W independent chains).
 *
 * Baseline, same run: the same index launches of the same task WITHOUT
 * region requirements (then touch_cell does nothing): the pure cost of an
 * index launch of W points, no analysis and no dependences. ratio =
 * cohort / baseline (< 1: the analysis slows launches down by 1/ratio).
 *
 * A batch issues K launches back to back from the JS thread, with
 * `await rt.throttle()` every max(1, window / (4 W)) launches to keep memory
 * bounded, then awaits a fence: the figure is K / (first launch to fence
 * resolved), i.e. it INCLUDES waiting for every launched point to finish
 * (at W = 4096 every launch overflows the window, so issuing and running
 * overlap anyway). issue_launches_per_s (and baseline_issue_launches_per_s)
 * count only the JS thread's time inside launch calls (throttle and fence
 * waits excluded): the issue rate alone.
 *
 * us_per_point = 1e6 / (cohort launches/s x W): flat across W means the
 * per-point cost does not grow with the launch width.
 */
import type { Library, Runtime, Task } from '../../lib';
import { Rect } from '../../lib';
import type { IndexLaunchOptions } from '../../lib';
import { benchLibraryPath } from '../bench_library';
import {
  Batch,
  BenchContext,
  BenchDefinition,
  BenchMeasurement,
  interleave,
  nowSeconds,
  repeatBatches,
  Sample,
} from '../harness';

/**
 * Issues `launches` index launches of `task` over Rect(0, width-1) with the
 * options `options()` returns, throttling as described above, then awaits a
 * fence. seconds: first launch to fence; extraSeconds.issue: inside launch calls.
 */
export async function indexLaunchBatch<A extends unknown[]>(
  rt: Runtime,
  task: Task<A, unknown>,
  width: number,
  launches: number,
  options: IndexLaunchOptions<A>,
  issued?: { launches: number },
): Promise<Batch> {
  const domain = Rect(0, width - 1);
  const throttleEvery = Math.max(1, Math.floor(rt.window / (4 * width)));
  let issue = 0;
  const start = nowSeconds();
  for (let k = 0; k < launches;) {
    const t0 = nowSeconds();
    const stop = Math.min(launches, k + throttleEvery);
    for (; k < stop; k++) rt.indexLaunch(task, domain, options);
    issue += nowSeconds() - t0;
    await rt.throttle();
  }
  if (issued) issued.launches += launches;
  await rt.fence().get();
  return { seconds: nowSeconds() - start, extraSeconds: { issue } };
}

/** Launches/s of repeated batches, plus the issue-only rate. */
export async function launchRateSample<A extends unknown[]>(
  ctx: BenchContext,
  task: Task<A, unknown>,
  width: number,
  launches: number,
  options: IndexLaunchOptions<A>,
  issued?: { launches: number },
): Promise<Sample> {
  const t = await repeatBatches(ctx.minSampleSeconds, () =>
    indexLaunchBatch(ctx.rt, task, width, launches, options, issued),
  );
  const total = launches * t.batches;
  return { value: total / t.seconds, extra: { issue_launches_per_s: total / t.extraSeconds.issue } };
}

async function touchTask(rt: Runtime): Promise<Task<[], undefined>> {
  // The shared bench library, loaded once by run.ts; loading it again returns the same tasks.
  const lib: Library = await rt.loadLibrary(benchLibraryPath);
  return lib.task<[], undefined>('touch_cell');
}

/** Launches per batch: about 10-50 ms of work per batch at the rates of a 2-core machine. */
function launchesPerBatch(width: number, quick: boolean): number {
  const n = Math.max(8, Math.round(32_768 / width));
  return quick ? Math.max(4, n >> 2) : n;
}

async function run(ctx: BenchContext, width: number): Promise<BenchMeasurement> {
  const { rt } = ctx;
  const touch = await touchTask(rt);
  const region = rt.createRegion(Rect(0, width - 1), { x: 'f64' });
  const cells = rt.partitionEqual(region, width);
  const launches = launchesPerBatch(width, ctx.quick);
  const issued = { launches: 0 };
  try {
    await rt.fill(region, 'x', 0).get();
    const r = await interleave({
      reps: ctx.reps,
      cohort: () => launchRateSample(ctx, touch, width, launches, { regions: [cells.readWrite('x')] }, issued),
      baseline: () => launchRateSample(ctx, touch, width, launches, {}),
    });
    // Every cohort launch added 1 to every cell (read-modify-write): a lost
    // update would mean two launches' points ran concurrently on one cell.
    const m = await rt.map(region.read('x'));
    const x = m.field('x');
    const wrong = x.findIndex((v) => v !== issued.launches);
    const seen = wrong >= 0 ? x[wrong] : 0;
    await m.unmap();
    if (wrong >= 0) {
      throw new Error(
        `analysis_throughput: cell ${wrong} was touched ${seen} times, expected ${issued.launches} (one per launch)`,
      );
    }
    return {
      cohort: r.cohort.value,
      baseline: r.baseline.value,
      cohortSamples: r.cohort.samples,
      baselineSamples: r.baseline.samples,
      extra: {
        width,
        us_per_point: 1e6 / (r.cohort.value * width),
        baseline_us_per_point: 1e6 / (r.baseline.value * width),
        launches_per_batch: launches,
        issue_launches_per_s: r.cohort.extra.issue_launches_per_s,
        baseline_issue_launches_per_s: r.baseline.extra.issue_launches_per_s,
        wait: 'included',
      },
    };
  } finally {
    rt.destroyRegion(region);
  }
}

function analysisThroughput(width: number): BenchDefinition {
  return {
    name: 'analysis_throughput',
    unit: 'launches/s',
    better: 'higher',
    baseline: `same index launches, no regions, W=${width}`,
    run: (ctx) => run(ctx, width),
  };
}

/** One bench per width (all named analysis_throughput; the JSON lines carry `width`). */
export const analysisThroughputBenches: readonly BenchDefinition[] = [16, 256, 4096].map(analysisThroughput);
