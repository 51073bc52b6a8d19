/**
 * metg_stencil_1d: METG(50%) (Task Bench's minimum effective task
 * granularity, bench/metg.ts) of stencil_1d at width W = 2 and W = 16, for
 * cohort and for the hand-written C++ baseline (bench/native/stencil_baseline.h:
 * min(threads, W) threads, a barrier per step, no runtime), same run.
 *
 * The pattern (Task Bench's stencil_1d, T steps): point p of step t reads the
 * outputs of points p-1, p, p+1 (clipped) of step t-1 and runs the compute
 * kernel with `iterations` iterations. Cohort side: a region of W cells with
 * f64 fields a and b; `partitionEqual(r, W)` gives each point its own cell,
 * `partitionByBlocks(r, 1, 1)` its cell and both neighbours (aliased); one
 * index launch of the C++ task `stencil_point` per step reads the ghost piece
 * of one field and write-discards the own cell of the other, alternating
 * a -> b, b -> a. The two steps are recorded with `rt.trace` and replayed
 * T/2 - 1 times, so all T steps run without JS or re-analysis per step.
 * A cohort run is timed from the first launch (the trace's recording) to the
 * replay's future resolving; the region is filled with 0 before, untimed.
 * The baseline's time excludes its thread start-up. Before each timed run
 * of either side the bench idles 2 ms (see settle()), untimed.
 *
 * Checking: every cohort run's final field is checksummed by the C++ task
 * `stencil_checksum` (the baseline's own checksum function, after checking
 * every cell was written by the last step) and must equal the checksum
 * baseline_stencil_seconds reports for the same W, T and iterations; a
 * mismatch fails the bench.
 *
 * Sweep: iterations 2^14 down to 2^0, halving (T = 1000; with --quick, a
 * smoke run: T = 200, 2^12 down). Per size,
 * cohort and baseline runs are interleaved (ABBA, GC before each, one
 * warm-up pair before the first size) and the median wall time of `reps`
 * runs is that size's sample. granularity = wall x cores / (W x T) in us,
 * efficiency = flops/s / peak, where peak is the best flops/s of either side
 * in this width's sweep (the "kernel_flops" of every task over wall time),
 * so both sides are measured against the same peak. METG(50%) per side is
 * bench/metg.ts's computeMetg on those medians; NaN (null in JSON) when a
 * side never reaches 50%.
 *
 * The reported samples (the spread column) are the METGs of each rep's own
 * sweep, against the same peak: how much the figure moves between reps.
 *
 * Extra keys: width, steps, tasks, cores; peak_gflops; {cohort,baseline}_bracketed
 * (1: METG interpolated between two measured sizes, 0: only an upper bound,
 * the sweep never fell below 50%); {cohort,baseline}_us_per_step_at_1: wall
 * time per step at 1 iteration (the per-step overhead floor);
 * cohort_issue_us_per_step_at_1: of that, the time to record the trace and
 * return from replay(), which creates every replayed step's tasks on the JS
 * thread before the wait (median, per step); sweep:
 * "iterations:cohort efficiency/baseline efficiency@cohort granularity us" per size.
 */
import type { Library, Partition, Region, Runtime, Task } from '../../lib';
import { Rect } from '../../lib';
import { benchLibraryPath } from '../bench_library';
import {
  BenchContext,
  BenchDefinition,
  BenchMeasurement,
  collectGarbage,
  interleave,
  nowSeconds,
  Sample,
} from '../harness';
import { computeMetg, flopsPerCall, MetgResult, MetgSample } from '../metg';

type Fields = { a: 'f64'; b: 'f64' };

interface StencilTasks {
  point: Task<[iterations: number, width: number], undefined>;
  checksum: Task<[width: number, steps: number], number>;
}

async function stencilTasks(rt: Runtime): Promise<StencilTasks> {
  // The shared bench library, loaded once by run.ts; loading it again returns the same tasks.
  const lib: Library = await rt.loadLibrary(benchLibraryPath);
  return { point: lib.task('stencil_point'), checksum: lib.task('stencil_checksum') };
}

interface StencilRegion {
  region: Region<Fields>;
  cells: Partition<Fields>;
  ghosts: Partition<Fields>;
}

/** One cohort run: T steps over the region; returns wall seconds and the final checksum. */
async function cohortRun(
  rt: Runtime,
  tasks: StencilTasks,
  s: StencilRegion,
  width: number,
  steps: number,
  iterations: number,
): Promise<{ seconds: number; issueSeconds: number; checksum: number; replayed: number }> {
  await rt.fill(s.region, ['a', 'b'], 0).get(); // generation 0 everywhere: the first step is step 0
  await settle();
  const domain = Rect(0, width - 1);
  const step = (from: 'a' | 'b', to: 'a' | 'b'): void => {
    rt.indexLaunch(tasks.point, domain, {
      args: [iterations, width],
      regions: [s.ghosts.read(from), s.cells.writeDiscard(to)],
    });
  };
  const start = nowSeconds();
  const trace = rt.trace(() => {
    step('a', 'b');
    step('b', 'a');
  });
  const done = trace.replay(steps / 2 - 1); // issues every replayed step now, from C++, on this thread
  const issueSeconds = nowSeconds() - start;
  await done.get();
  const seconds = nowSeconds() - start;
  const checksum = await rt.launch(tasks.checksum, [width, steps], { regions: [s.region.read('a')] }).get();
  return { seconds, issueSeconds, checksum, replayed: trace.stats.replayedIterations };
}

/**
 * Lets the machine go quiet before a timed run: the harness's GC (concurrent
 * V8 threads), the JS thread and cohort's idle workers (which spin for a
 * few hundred microseconds after their last task) stop competing for the
 * cores. Both sides get it, untimed. It matters most to the baseline: its
 * threads spin 50 us at each barrier and then block, and on this 2-vCPU VM
 * a run that once falls behind by more than the spin budget tends to stay
 * in a slow mode where both threads block and wake at every barrier (~54 us
 * per step instead of ~0.2 us at tiny sizes). That mode also shows in the
 * baseline run alone, outside cohort, so settling makes it rarer but
 * cannot rule it out; the median over reps is what keeps it out of the
 * figures, and the baseline's spread column shows when it did not.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}
const SETTLE_MS = 2;

function formatEfficiency(e: number): string {
  return e.toFixed(e < 0.1 ? 3 : 2);
}

function metgOf(
  walls: readonly number[],
  sizes: readonly number[],
  tasks: number,
  cores: number,
  peak: number,
): MetgResult {
  const samples: MetgSample[] = sizes.map((iterations, i) => ({ iterations, wallSeconds: walls[i], tasks, cores }));
  return computeMetg(samples, { fixedPeakFlopsPerSecond: peak });
}

function bestFlopsPerSecond(walls: readonly number[], sizes: readonly number[], tasks: number): number {
  return Math.max(...sizes.map((it, i) => (tasks * flopsPerCall(it)) / walls[i]));
}

async function run(ctx: BenchContext, width: number): Promise<BenchMeasurement> {
  const { rt, lib, workers, reps } = ctx;
  const steps = ctx.quick ? 200 : 1000;
  const top = ctx.quick ? 12 : 14;
  const sizes = Array.from({ length: top + 1 }, (_, i) => 2 ** (top - i)); // largest first
  const tasks = width * steps;
  const cores = workers;

  // The METG code's flop count must be the kernel's.
  for (const it of [1, sizes[0]]) {
    const flops = await rt.launch(lib.kernelFlops, [it]).get();
    if (flops !== flopsPerCall(it))
      throw new Error(`kernel_flops(${it}) = ${flops}, bench/metg.ts counts ${flopsPerCall(it)}`);
  }

  const st = await stencilTasks(rt);
  const region = rt.createRegion(Rect(0, width - 1), { a: 'f64', b: 'f64' });
  const s: StencilRegion = {
    region,
    cells: rt.partitionEqual(region, width),
    ghosts: rt.partitionByBlocks(region, 1, 1),
  };

  // Per size: the cohort and baseline walls of every rep (rep order).
  const cohortWalls: number[][] = [];
  const baselineWalls: number[][] = [];
  const cohortMedian: number[] = [];
  const baselineMedian: number[] = [];
  const cohortIssue: number[] = [];
  let replayed = 0;
  try {
    for (let i = 0; i < sizes.length; i++) {
      const iterations = sizes[i];
      let expected: number | undefined;
      const cohortChecksums: number[] = [];
      const r = await interleave({
        reps,
        warmup: i === 0 ? 1 : 0,
        cohort: async (): Promise<Sample> => {
          const c = await cohortRun(rt, st, s, width, steps, iterations);
          cohortChecksums.push(c.checksum);
          replayed = c.replayed;
          return { value: c.seconds, extra: { issue: c.issueSeconds } };
        },
        baseline: async (): Promise<Sample> => {
          await settle();
          const b = await rt.launch(lib.baselineStencilSeconds, [width, steps, iterations, workers]).get();
          if (expected !== undefined && b.checksum !== expected) {
            throw new Error(
              `metg_stencil_1d: the baseline's checksum changed between runs (${expected}, ${b.checksum})`,
            );
          }
          expected = b.checksum;
          return { value: b.seconds };
        },
      });
      const bad = cohortChecksums.filter((c) => c !== expected);
      if (bad.length > 0) {
        throw new Error(
          `metg_stencil_1d: cohort's checksum ${bad[0]} differs from the baseline's ${expected} ` +
            `(W=${width}, T=${steps}, iterations=${iterations}): cohort computed a different stencil`,
        );
      }
      cohortWalls.push(r.cohort.samples);
      baselineWalls.push(r.baseline.samples);
      cohortMedian.push(r.cohort.value);
      cohortIssue.push(r.cohort.extra.issue);
      baselineMedian.push(r.baseline.value);
      ctx.log(
        `  W=${width} iterations=${iterations}: cohort ${((r.cohort.value / steps) * 1e6).toFixed(2)} us/step, ` +
          `baseline ${((r.baseline.value / steps) * 1e6).toFixed(2)} us/step`,
      );
    }
  } finally {
    collectGarbage();
    rt.destroyRegion(region);
  }

  const peak = Math.max(
    bestFlopsPerSecond(cohortMedian, sizes, tasks),
    bestFlopsPerSecond(baselineMedian, sizes, tasks),
  );
  const cohort = metgOf(cohortMedian, sizes, tasks, cores, peak);
  const baseline = metgOf(baselineMedian, sizes, tasks, cores, peak);
  const perRep = (walls: number[][]): number[] =>
    Array.from(
      { length: reps },
      (_, rep) =>
        metgOf(
          walls.map((w) => w[rep]),
          sizes,
          tasks,
          cores,
          peak,
        ).metgMicros,
    ).filter((v) => Number.isFinite(v));
  const last = sizes.length - 1; // iterations = 1
  const sweep = sizes
    .map(
      (it, i) =>
        `${it}:${formatEfficiency(cohort.points[i].efficiency)}/${formatEfficiency(baseline.points[i].efficiency)}` +
        `@${cohort.points[i].granularityMicros.toPrecision(3)}`,
    )
    .join(' ');
  return {
    cohort: cohort.metgMicros,
    baseline: baseline.metgMicros,
    cohortSamples: perRep(cohortWalls),
    baselineSamples: perRep(baselineWalls),
    extra: {
      width,
      steps,
      tasks,
      cores,
      peak_gflops: peak / 1e9,
      cohort_bracketed: cohort.bracketed ? 1 : 0,
      baseline_bracketed: baseline.bracketed ? 1 : 0,
      cohort_us_per_step_at_1: (cohortMedian[last] / steps) * 1e6,
      cohort_issue_us_per_step_at_1: (cohortIssue[last] / steps) * 1e6,
      baseline_us_per_step_at_1: (baselineMedian[last] / steps) * 1e6,
      cohort_replayed_iterations: replayed,
      sweep,
    },
  };
}

function metgStencil1d(width: number): BenchDefinition {
  return {
    name: 'metg_stencil_1d',
    unit: 'us',
    better: 'lower',
    baseline: `C++ threads + barrier per step, W=${width}`,
    run: (ctx) => run(ctx, width),
  };
}

/** One bench per width (both named metg_stencil_1d; the JSON lines carry `width`). */
export const metgStencil1dBenches: readonly BenchDefinition[] = [metgStencil1d(2), metgStencil1d(16)];
