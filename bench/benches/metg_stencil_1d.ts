/**
 * metg_stencil_1d: METG(50%) (Task Bench's minimum effective task
 * granularity, bench/metg.ts) of stencil_1d at width W = 2 and W = 16, for
 * cohort traced and untraced, against the hand-written C++ per-point flags
 * baseline (bench/native/stencil_baseline.h: min(threads, W) threads, each
 * point of a step waits only for its three producers of the step before
 * through per-point step counters, no barrier, no runtime; each thread
 * pinned to its own CPU for the run), same run. Four
 * lines, all named metg_stencil_1d, told apart by the extra keys `width`
 * and `mode` ("traced" | "untraced").
 *
 * The pattern (Task Bench's stencil_1d, T steps): point p of step t reads the
 * outputs of points p-1, p, p+1 (clipped) of step t-1 and runs the compute
 * kernel with `iterations` iterations. Cohort side: a region of W cells with
 * f64 fields a and b; `partitionEqual(r, W)` gives each point its own cell,
 * `partitionByBlocks(r, 1, 1)` its cell and both neighbours (aliased); one
 * index launch of the C++ task `stencil_point` per step reads the ghost piece
 * of one field and write-discards the own cell of the other, alternating
 * a -> b, b -> a.
 *   traced: the two steps are recorded with `rt.trace` and replayed T/2 - 1
 *     times, so all T steps run without JS or re-analysis per step.
 *   untraced: the T index launches are issued from JS one after the other,
 *     each with a fresh dependence analysis; the run waits for the last
 *     step's points (every earlier task is an ancestor of one of them).
 * A cohort run is timed from the first launch to the last step finishing;
 * the region is filled with 0 before, untimed. The baseline's time excludes
 * its thread start-up. Before each timed run of any side the bench idles
 * 2 ms (see settle()), untimed.
 *
 * Why flags and not a barrier: with a barrier per step every thread waits
 * for the slowest one every step, and a barrier that spins then blocks
 * swings between ~0.2 and ~54 us per step at tiny sizes on a 2-core VM
 * (METG 0.2 to 5 us from run to run). The old barrier baseline is still
 * measured on the traced lines (in the baseline's slot, right after it) and
 * reported as barrier_* extra keys; it is not the ratio's baseline.
 *
 * Checking: every cohort run's final field is checksummed by the C++ task
 * `stencil_checksum` (the baseline's own checksum function, after checking
 * every cell was written by the last step) and must equal the checksum the
 * baselines report for the same W, T and iterations (both baselines must
 * agree too); a mismatch fails the bench.
 *
 * Baseline steps: at small sizes a baseline run of T steps lasts well under
 * a millisecond (W = 2: ~0.2 us per step), so one preemption of either core
 * by another process, a few ms, made a size's time 10x slower, and at W = 2
 * the baseline's METG swung by 2x or more between runs. Its timed runs
 * therefore take more steps at small sizes: steps x iterations at least
 * T x 2^10, at most 64 T (see baselineSteps), so each lasts several ms.
 * Efficiency is flops/s, which does not depend on the step count; the
 * checksum the cohort run is checked against comes from an extra untimed
 * T-step run of each such size (the longer runs are checked against each
 * other).
 *
 * Sweep: iterations 2^top down to 2^0, halving; traced: T = 1000, top 14;
 * untraced: T = 500, top 16 at W=2 and 15 at W=16 (see sweepShape; with
 * --quick, a smoke run: T = 200 / 100, top 2 lower). The sweep is run
 * `reps` times over (one rep = every size once, largest first, after one
 * warm-up pair), cohort and baseline interleaved per size (ABBA over sizes
 * and reps, GC before each), and the median wall time of a size's `reps`
 * runs is that size's sample (why reps go outside sizes: see run()).
 * granularity = wall x cores / (W x T) in us, efficiency = flops/s / peak,
 * where peak is the best flops/s of cohort or the flags baseline in this
 * line's sweep (the "kernel_flops" of every task over wall time), so both
 * sides (and the barrier) are measured against the same peak. METG(50%) per
 * side is bench/metg.ts's computeMetg on those medians; NaN (null in JSON)
 * when a side never reaches 50%.
 *
 * The reported samples (the spread column) are the METGs of each rep's own
 * sweep, against the same peak: how much the figure moves between reps.
 *
 * Extra keys: width, mode, steps, tasks, cores; baseline_steps_at_1 (the
 * baseline's steps at 1 iteration); peak_gflops;
 * {cohort,baseline}_bracketed (1: METG interpolated between two measured
 * sizes, 0: only an upper bound, the sweep never fell below 50%);
 * {cohort,baseline}_us_per_step_at_1: wall time per step at 1 iteration (the
 * per-step overhead floor); cohort_issue_us_per_step_at_1: of that, the time
 * until the JS thread is free again (traced: recording the trace and
 * returning from replay(), which creates every replayed step's tasks;
 * untraced: issuing all T launches), median, per step;
 * cohort_replayed_iterations (traced); barrier_baseline (METG, us),
 * barrier_baseline_bracketed, barrier_baseline_us_per_step_at_1 (traced);
 * sweep: "iterations:cohort efficiency/baseline efficiency@cohort granularity us"
 * per size.
 */
import type { FutureMap, Library, Partition, Region, Runtime, Task } from '../../lib';
import { Rect } from '../../lib';
import { benchLibraryPath } from '../bench_library';
import { BenchContext, BenchDefinition, BenchMeasurement, collectGarbage, median, nowSeconds } from '../harness';
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

export type Mode = 'traced' | 'untraced';

/** One cohort run: T steps over the region; returns wall seconds and the final checksum. */
async function cohortRun(
  rt: Runtime,
  tasks: StencilTasks,
  s: StencilRegion,
  mode: Mode,
  width: number,
  steps: number,
  iterations: number,
): Promise<{ seconds: number; issueSeconds: number; checksum: number; replayed: number }> {
  await rt.fill(s.region, ['a', 'b'], 0).get(); // generation 0 everywhere: the first step is step 0
  await settle();
  const domain = Rect(0, width - 1);
  const step = (from: 'a' | 'b', to: 'a' | 'b'): FutureMap<undefined> =>
    rt.indexLaunch(tasks.point, domain, {
      args: [iterations, width],
      regions: [s.ghosts.read(from), s.cells.writeDiscard(to)],
    });
  const start = nowSeconds();
  let issueSeconds: number;
  let replayed = 0;
  if (mode === 'traced') {
    const trace = rt.trace(() => {
      step('a', 'b');
      step('b', 'a');
    });
    const done = trace.replay(steps / 2 - 1); // issues every replayed step now, from C++, on this thread
    issueSeconds = nowSeconds() - start;
    await done.get();
    replayed = trace.stats.replayedIterations;
  } else {
    let last: FutureMap<undefined> | undefined;
    for (let t = 0; t < steps; t++) last = t % 2 === 0 ? step('a', 'b') : step('b', 'a');
    issueSeconds = nowSeconds() - start;
    await last!.waitAll();
  }
  const seconds = nowSeconds() - start;
  const checksum = await rt.launch(tasks.checksum, [width, steps], { regions: [s.region.read('a')] }).get();
  return { seconds, issueSeconds, checksum, replayed };
}

/**
 * Lets the machine go quiet before a timed run: the harness's GC (concurrent
 * V8 threads), the JS thread and cohort's idle workers (which spin for a
 * few hundred microseconds after their last task) stop competing for the
 * cores. Every side gets it, untimed. It matters most to the barrier
 * baseline: its threads spin 50 us at each barrier and then block, and on
 * this 2-vCPU VM a run that once falls behind by more than the spin budget
 * tends to stay in a slow mode where both threads block and wake at every
 * barrier (~54 us per step instead of ~0.2 us at tiny sizes). The flags
 * baseline never blocks (it yields after 2 us) and pins its threads to
 * different CPUs, so another process taking a core costs it that core's
 * share of time rather than a context switch per step.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}
const SETTLE_MS = 2;

function formatEfficiency(e: number): string {
  return e.toFixed(e < 0.1 ? 3 : 2);
}

/** Tasks per size of one side's sweep. */
function metgOf(
  walls: readonly number[],
  sizes: readonly number[],
  tasks: readonly number[],
  cores: number,
  peak: number,
): MetgResult {
  const samples: MetgSample[] = sizes.map((iterations, i) => ({
    iterations,
    wallSeconds: walls[i],
    tasks: tasks[i],
    cores,
  }));
  return computeMetg(samples, { fixedPeakFlopsPerSecond: peak });
}

function bestFlopsPerSecond(walls: readonly number[], sizes: readonly number[], tasks: readonly number[]): number {
  return Math.max(...sizes.map((it, i) => (tasks[i] * flopsPerCall(it)) / walls[i]));
}

/** Below this many iterations a baseline run takes more than T steps (see the file comment). */
const BASELINE_ITERATIONS_FOR_T = 2 ** 10;
const BASELINE_MAX_STEP_FACTOR = 64;

/** The baseline's steps at a size: steps x iterations >= T x 2^10, at most 64 T. */
function baselineSteps(steps: number, iterations: number): number {
  const factor = Math.min(BASELINE_MAX_STEP_FACTOR, Math.max(1, Math.ceil(BASELINE_ITERATIONS_FOR_T / iterations)));
  return steps * factor;
}

/**
 * Steps and largest size (2^top iterations) of a line's sweep. Untraced
 * steps cost ~100 (W=2) to ~250 (W=16) us of issue each here, so those
 * lines need larger tasks to reach 50% (W=2: 2^16, W=16: 2^15) and take
 * half the steps to stay within tens of seconds.
 */
function sweepShape(width: number, mode: Mode, quick: boolean): { steps: number; top: number } {
  if (mode === 'traced') return quick ? { steps: 200, top: 12 } : { steps: 1000, top: 14 };
  const top = width <= 2 ? 16 : 15;
  return quick ? { steps: 100, top: top - 2 } : { steps: 500, top };
}

/** A baseline run's result, its checksum checked against every earlier run of the same size. */
async function baselineRun(
  ctx: BenchContext,
  task: BenchContext['lib']['baselineStencilFlagsSeconds'],
  width: number,
  steps: number,
  iterations: number,
  expected: { checksum?: number },
  what: string,
): Promise<number> {
  await settle();
  const b = await ctx.rt.launch(task, [width, steps, iterations, ctx.workers]).get();
  if (expected.checksum !== undefined && b.checksum !== expected.checksum) {
    throw new Error(
      `metg_stencil_1d: the ${what} baseline's checksum ${b.checksum} differs from ${expected.checksum} ` +
        `(W=${width}, T=${steps}, iterations=${iterations})`,
    );
  }
  expected.checksum = b.checksum;
  return b.seconds;
}

async function run(ctx: BenchContext, width: number, mode: Mode): Promise<BenchMeasurement> {
  const { rt, lib, workers, reps } = ctx;
  const { steps, top } = sweepShape(width, mode, ctx.quick);
  const sizes = Array.from({ length: top + 1 }, (_, i) => 2 ** (top - i)); // largest first
  const tasks = width * steps;
  const cohortTasks = sizes.map(() => tasks);
  const stepsOfBaseline = sizes.map((it) => baselineSteps(steps, it));
  const baselineTasks = stepsOfBaseline.map((t) => width * t);
  const cores = workers;
  // The barrier baseline costs as much as the flags one; measuring it once per width is enough.
  const withBarrier = mode === 'traced';

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

  // Per size: the walls of every rep (rep order) of each side.
  const cohortWalls: number[][] = sizes.map(() => []);
  const baselineWalls: number[][] = sizes.map(() => []);
  const barrierWalls: number[][] = sizes.map(() => []);
  const issueWalls: number[][] = sizes.map(() => []);
  // Per size: the checksum of T steps (what cohort must match) and of the
  // baseline's longer runs where it takes more steps.
  const expected: { checksum?: number }[] = sizes.map(() => ({}));
  const expectedLong: { checksum?: number }[] = sizes.map(() => ({}));
  let replayed = 0;
  const cohortSample = async (i: number): Promise<{ seconds: number; issueSeconds: number; checksum: number }> => {
    const c = await cohortRun(rt, st, s, mode, width, steps, sizes[i]);
    replayed = c.replayed;
    return c;
  };
  // Called once both sides of a pair ran, so the baseline's checksum is known.
  const checkCohort = (i: number, checksum: number): void => {
    if (checksum !== expected[i].checksum) {
      throw new Error(
        `metg_stencil_1d: cohort's checksum ${checksum} differs from the baseline's ${expected[i].checksum} ` +
          `(W=${width}, T=${steps}, iterations=${sizes[i]}, ${mode}): cohort computed a different stencil`,
      );
    }
  };
  const baselineSample = async (i: number): Promise<{ flags: number; barrier: number }> => {
    const it = sizes[i];
    const t = stepsOfBaseline[i];
    const sums = t === steps ? expected[i] : expectedLong[i];
    const flags = await baselineRun(ctx, lib.baselineStencilFlagsSeconds, width, t, it, sums, 'flags');
    const barrier = withBarrier
      ? await baselineRun(ctx, lib.baselineStencilSeconds, width, t, it, sums, 'barrier')
      : Number.NaN;
    return { flags, barrier };
  };
  try {
    // Rep-outer, size-inner: each rep is a whole sweep, so the reps of one
    // size are spread over the line's whole run instead of a few
    // milliseconds. Why: on a shared 2-core machine another process's burst
    // puts both threads of a run on one core (~4 us per step instead of
    // ~0.2 us at tiny sizes, for the baseline too); back to back, all reps
    // of a size fall into the same burst and its median with them, so
    // neighbouring sizes landed in different modes and the METG jumped from
    // run to run. Spread out, the median of each size rejects a burst.
    // A warm-up pair at the largest size, unmeasured.
    collectGarbage();
    await baselineSample(0);
    collectGarbage();
    checkCohort(0, (await cohortSample(0)).checksum);
    // The T-step checksums of the sizes whose timed baseline runs are longer (untimed, short).
    for (let i = 0; i < sizes.length; i++) {
      if (stepsOfBaseline[i] === steps) continue;
      await baselineRun(ctx, lib.baselineStencilFlagsSeconds, width, steps, sizes[i], expected[i], 'flags');
      if (withBarrier)
        await baselineRun(ctx, lib.baselineStencilSeconds, width, steps, sizes[i], expected[i], 'barrier');
    }
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < sizes.length; i++) {
        // ABBA over sizes and reps, so a drift does not favour one side.
        const cohortFirst = (rep + i) % 2 === 1;
        let c: { seconds: number; issueSeconds: number; checksum: number } | undefined;
        if (cohortFirst) {
          collectGarbage();
          c = await cohortSample(i);
        }
        collectGarbage();
        const b = await baselineSample(i);
        if (!c) {
          collectGarbage();
          c = await cohortSample(i);
        }
        checkCohort(i, c.checksum);
        cohortWalls[i].push(c.seconds);
        issueWalls[i].push(c.issueSeconds);
        baselineWalls[i].push(b.flags);
        barrierWalls[i].push(b.barrier);
      }
      ctx.log(`  W=${width} ${mode}: rep ${rep + 1}/${reps} done`);
    }
  } finally {
    collectGarbage();
    rt.destroyRegion(region);
  }

  const cohortMedian = cohortWalls.map(median);
  const baselineMedian = baselineWalls.map(median);
  const barrierMedian = withBarrier ? barrierWalls.map(median) : [];
  const cohortIssue = issueWalls.map(median);
  const perStep = (seconds: number, t: number): string => `${((seconds / t) * 1e6).toFixed(2)} us/step`;
  sizes.forEach((iterations, i) =>
    ctx.log(
      `  W=${width} ${mode} iterations=${iterations}: cohort ${perStep(cohortMedian[i], steps)}, ` +
        `baseline ${perStep(baselineMedian[i], stepsOfBaseline[i])}` +
        (withBarrier ? `, barrier ${perStep(barrierMedian[i], stepsOfBaseline[i])}` : ''),
    ),
  );

  const peak = Math.max(
    bestFlopsPerSecond(cohortMedian, sizes, cohortTasks),
    bestFlopsPerSecond(baselineMedian, sizes, baselineTasks),
  );
  const cohort = metgOf(cohortMedian, sizes, cohortTasks, cores, peak);
  const baseline = metgOf(baselineMedian, sizes, baselineTasks, cores, peak);
  const perRep = (walls: number[][], taskCounts: readonly number[]): number[] =>
    Array.from(
      { length: reps },
      (_, rep) =>
        metgOf(
          walls.map((w) => w[rep]),
          sizes,
          taskCounts,
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
  const extra: Record<string, number | string> = {
    width,
    mode,
    steps,
    tasks,
    cores,
    baseline_steps_at_1: stepsOfBaseline[sizes.length - 1],
    peak_gflops: peak / 1e9,
    cohort_bracketed: cohort.bracketed ? 1 : 0,
    baseline_bracketed: baseline.bracketed ? 1 : 0,
    cohort_us_per_step_at_1: (cohortMedian[last] / steps) * 1e6,
    cohort_issue_us_per_step_at_1: (cohortIssue[last] / steps) * 1e6,
    baseline_us_per_step_at_1: (baselineMedian[last] / stepsOfBaseline[last]) * 1e6,
  };
  if (mode === 'traced') extra.cohort_replayed_iterations = replayed;
  if (withBarrier) {
    const barrier = metgOf(barrierMedian, sizes, baselineTasks, cores, peak);
    extra.barrier_baseline = barrier.metgMicros; // NaN becomes null in JSON, as cohort and baseline do
    extra.barrier_baseline_bracketed = barrier.bracketed ? 1 : 0;
    extra.barrier_baseline_us_per_step_at_1 = (barrierMedian[last] / stepsOfBaseline[last]) * 1e6;
  }
  extra.sweep = sweep;
  return {
    cohort: cohort.metgMicros,
    baseline: baseline.metgMicros,
    cohortSamples: perRep(cohortWalls, cohortTasks),
    baselineSamples: perRep(baselineWalls, baselineTasks),
    extra,
  };
}

function metgStencil1d(width: number, mode: Mode): BenchDefinition {
  return {
    name: 'metg_stencil_1d',
    unit: 'us',
    better: 'lower',
    baseline: `C++ threads + per-point flags, W=${width} (cohort ${mode})`,
    run: (ctx) => run(ctx, width, mode),
  };
}

/** One bench per width and mode (all named metg_stencil_1d; the JSON lines carry `width` and `mode`). */
export const metgStencil1dBenches: readonly BenchDefinition[] = [
  metgStencil1d(2, 'traced'),
  metgStencil1d(2, 'untraced'),
  metgStencil1d(16, 'traced'),
  metgStencil1d(16, 'untraced'),
];
