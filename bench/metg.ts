/**
 * METG(50%): the minimum effective task granularity, Task Bench's headline
 * metric — the smallest average task duration at which a run still reaches
 * 50% efficiency. A step-by-step port of bench/native/metg.h (read its
 * ALGORITHM comment); keep the two in sync. Pure functions, no I/O.
 *
 * Self-check (run by hand): `npx tsx bench/metg_selfcheck.ts`.
 */

/** Floating-point operations of one compute-kernel call (compute_kernel.h: 2 * 64 * iterations). */
export function flopsPerCall(iterations: number): number {
  return 2 * 64 * iterations;
}

/** One run of the pattern with one kernel size. */
export interface MetgSample {
  /** Kernel iterations per task. */
  iterations: number;
  wallSeconds: number;
  /** Tasks in the whole run (width * steps). */
  tasks: number;
  /** Cores the run was allowed to use. */
  cores: number;
}

export interface MetgOptions {
  /** Efficiency threshold (default 0.5). */
  threshold?: number;
  /** Peak to measure efficiency against; 0 or absent = the best flops/s of the sweep. */
  fixedPeakFlopsPerSecond?: number;
}

/** One kernel size, averaged over its reps. */
export interface MetgPoint {
  iterations: number;
  reps: number;
  /** Mean over reps. */
  wallSeconds: number;
  tasks: number;
  cores: number;
  granularityMicros: number;
  flopsPerSecond: number;
  efficiency: number;
}

export interface MetgResult {
  /** Largest iterations first. */
  points: MetgPoint[];
  peakFlopsPerSecond: number;
  /** Some point has efficiency >= threshold. */
  reached: boolean;
  /** A smaller-granularity point below threshold was used to interpolate. */
  bracketed: boolean;
  /** Step 5's s (valid when reached). */
  selectedIndex: number;
  /** NaN when not reached; an upper bound when not bracketed. */
  metgMicros: number;
}

/** Steps 1-4: samples grouped by iterations (largest first), averaged, with efficiency. */
export function metgPoints(
  samples: readonly MetgSample[],
  fixedPeakFlopsPerSecond = 0,
): { points: MetgPoint[]; peakFlopsPerSecond: number } {
  // Array.prototype.sort is stable, as std::stable_sort.
  const sorted = [...samples].sort((a, b) => b.iterations - a.iterations);
  const points: MetgPoint[] = [];
  for (const s of sorted) {
    if (!(s.wallSeconds > 0) || !(s.tasks > 0) || !(s.cores > 0)) {
      throw new RangeError('METG sample needs wallSeconds > 0, tasks > 0, cores > 0');
    }
    if (
      !Number.isInteger(s.iterations) ||
      s.iterations < 0 ||
      !Number.isInteger(s.tasks) ||
      !Number.isInteger(s.cores)
    ) {
      throw new RangeError('METG sample needs integer iterations >= 0, tasks and cores');
    }
    const last = points.length > 0 ? points[points.length - 1] : undefined;
    if (!last || last.iterations !== s.iterations) {
      points.push({
        iterations: s.iterations,
        reps: 1,
        wallSeconds: s.wallSeconds, // summed here, averaged below
        tasks: s.tasks,
        cores: s.cores,
        granularityMicros: 0,
        flopsPerSecond: 0,
        efficiency: 0,
      });
    } else if (last.tasks !== s.tasks || last.cores !== s.cores) {
      throw new RangeError('METG reps of one size must have the same tasks and cores');
    } else {
      last.reps += 1;
      last.wallSeconds += s.wallSeconds;
    }
  }

  let best = 0;
  for (const p of points) {
    p.wallSeconds /= p.reps;
    const flops = p.tasks * flopsPerCall(p.iterations);
    p.flopsPerSecond = flops / p.wallSeconds;
    p.granularityMicros = ((p.wallSeconds * p.cores) / p.tasks) * 1e6;
    best = Math.max(best, p.flopsPerSecond);
  }
  const peak = fixedPeakFlopsPerSecond > 0 ? fixedPeakFlopsPerSecond : best;
  for (const p of points) p.efficiency = peak > 0 ? p.flopsPerSecond / peak : 0;
  return { points, peakFlopsPerSecond: peak };
}

/** Steps 5-6 on points ordered largest iterations first. */
export function metgFromPoints(points: MetgPoint[], threshold: number, peakFlopsPerSecond: number): MetgResult {
  const result: MetgResult = {
    points,
    peakFlopsPerSecond,
    reached: false,
    bracketed: false,
    selectedIndex: 0,
    metgMicros: Number.NaN,
  };
  for (let i = 0; i < points.length; i++) {
    if (points[i].efficiency < threshold) continue;
    if (!result.reached || points[i].granularityMicros < points[result.selectedIndex].granularityMicros) {
      result.selectedIndex = i;
      result.reached = true;
    }
  }
  if (result.reached) {
    const s = result.selectedIndex;
    const above = points[s];
    result.metgMicros = above.granularityMicros;
    if (s + 1 < points.length && points[s + 1].granularityMicros < above.granularityMicros) {
      const below = points[s + 1];
      const fraction = (threshold - below.efficiency) / (above.efficiency - below.efficiency);
      result.metgMicros = below.granularityMicros + fraction * (above.granularityMicros - below.granularityMicros);
      result.bracketed = true;
    }
  }
  return result;
}

/** METG of a sweep (metg.h's computeMetg). */
export function computeMetg(samples: readonly MetgSample[], options: MetgOptions = {}): MetgResult {
  const { points, peakFlopsPerSecond } = metgPoints(samples, options.fixedPeakFlopsPerSecond ?? 0);
  return metgFromPoints(points, options.threshold ?? 0.5, peakFlopsPerSecond);
}
