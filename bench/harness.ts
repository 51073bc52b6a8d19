/**
 * The pieces every benchmark of `npm run bench` shares: what a bench is
 * (a {@link BenchDefinition} in the registry `bench/benches/index.ts`), what
 * it gets ({@link BenchContext}) and returns ({@link BenchMeasurement}), and
 * the interleaved, warmed-up, median-of-reps sampler that runs cohort and its
 * baseline in the same process and the same run.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import type { Runtime } from '../lib';
import type { BenchLibrary } from './bench_library';

/** Which direction of a bench's unit is better. */
export type Better = 'higher' | 'lower';

/** What a bench function gets. */
export interface BenchContext {
  /** The running runtime (workers = cores). */
  readonly rt: Runtime;
  /** The bench task library (cohort's tasks and the C++ baselines). */
  readonly lib: BenchLibrary;
  /** Worker threads of the runtime; the baselines use the same count. */
  readonly workers: number;
  /** `--quick`: smaller sizes and fewer reps, for a smoke run. */
  readonly quick: boolean;
  /** Repetitions per side (median taken); at least 3. */
  readonly reps: number;
  /**
   * A sample runs whole batches (of one bench's N) until it has lasted at
   * least this long, on both sides alike, so a fast side is not timed over a
   * few milliseconds only. See {@link repeatBatches}.
   */
  readonly minSampleSeconds: number;
  /** Progress for people, on stderr (never on stdout). */
  log(message: string): void;
}

/** What a bench function returns: medians, in the bench's unit. */
export interface BenchMeasurement {
  cohort: number;
  baseline: number;
  /** The measured samples behind the medians (for the spread column); optional. */
  cohortSamples?: readonly number[];
  baselineSamples?: readonly number[];
  /** Extra figures reported alongside (JSON keys; shown in the table's notes). */
  extra?: Record<string, number | string>;
}

/** One benchmark of the registry. */
export interface BenchDefinition {
  /** The `bench` field of the JSON line and the `--only` name. */
  readonly name: string;
  /** The `unit` field, e.g. "tasks/s" or "us". */
  readonly unit: string;
  /** Which direction of `unit` is better (ratio = cohort / baseline either way). */
  readonly better: Better;
  /** What the baseline is, for the table. */
  readonly baseline: string;
  run(ctx: BenchContext): Promise<BenchMeasurement>;
}

/** One sample of one side: its value in the bench's unit and optional extra figures. */
export interface Sample {
  value: number;
  extra?: Record<string, number>;
}

/** Medians of the samples of one side. */
export interface SideSummary {
  value: number;
  extra: Record<string, number>;
  samples: number[];
}

/** Median (mean of the middle two for an even count). Throws on no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Half the range of `samples` relative to their median (0.05 = ±5%); NaN without samples. */
export function relativeSpread(samples: readonly number[] | undefined): number {
  if (!samples || samples.length === 0) return Number.NaN;
  const m = median(samples);
  return m === 0 ? Number.NaN : (Math.max(...samples) - Math.min(...samples)) / 2 / m;
}

/**
 * The usual shape of a bench's result: medians of both sides from
 * {@link interleave}, their samples, the cohort side's extra figures and
 * `extra` (sizes and the like).
 */
export function measurement(
  sides: { cohort: SideSummary; baseline: SideSummary },
  extra: Record<string, number | string> = {},
): BenchMeasurement {
  return {
    cohort: sides.cohort.value,
    baseline: sides.baseline.value,
    cohortSamples: sides.cohort.samples,
    baselineSamples: sides.baseline.samples,
    extra: { ...extra, ...sides.cohort.extra },
  };
}

/** One batch of a sample: its duration and optional extra durations (summed over batches). */
export interface Batch {
  seconds: number;
  extraSeconds?: Record<string, number>;
}

/** Totals of {@link repeatBatches}. */
export interface BatchTotals {
  batches: number;
  seconds: number;
  extraSeconds: Record<string, number>;
}

/**
 * Runs `runBatch` until the batches have lasted `minSeconds` in all (at least
 * once). Rates computed from the totals (items / seconds) are the
 * time-weighted mean over the batches.
 */
export async function repeatBatches(minSeconds: number, runBatch: () => Promise<Batch>): Promise<BatchTotals> {
  const totals: BatchTotals = { batches: 0, seconds: 0, extraSeconds: {} };
  do {
    const b = await runBatch();
    if (!(b.seconds > 0)) throw new Error(`bench batch reported a non-positive duration: ${b.seconds}`);
    totals.batches++;
    totals.seconds += b.seconds;
    for (const [k, v] of Object.entries(b.extraSeconds ?? {}))
      totals.extraSeconds[k] = (totals.extraSeconds[k] ?? 0) + v;
  } while (totals.seconds < minSeconds);
  return totals;
}

/** Monotonic time in seconds (sub-microsecond resolution). */
export function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

type GcFunction = () => void;
let gcFunction: GcFunction | undefined;

/**
 * Collects garbage between samples so one side's garbage is not collected
 * during the other side's timing. Uses V8's gc() without needing
 * `node --expose-gc` (the bench runs under plain `tsx`).
 */
export function collectGarbage(): void {
  if (!gcFunction) {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = vm.runInNewContext('gc') as GcFunction;
  }
  gcFunction();
}

export interface InterleaveOptions {
  reps: number;
  /** Unmeasured runs of each side first (default 1). */
  warmup?: number;
  cohort: () => Promise<Sample>;
  baseline: () => Promise<Sample>;
  /** Called after each measured pair, for progress. */
  onRep?: (rep: number, cohort: Sample, baseline: Sample) => void;
}

/**
 * Runs `warmup` unmeasured rounds, then `reps` rounds of cohort and baseline,
 * alternating which side goes first (ABBA) so a slow drift of the machine
 * does not favour one side, with a GC before every sample. Returns the
 * medians of each side.
 */
export async function interleave(options: InterleaveOptions): Promise<{ cohort: SideSummary; baseline: SideSummary }> {
  const { reps } = options;
  if (!Number.isInteger(reps) || reps < 1)
    throw new RangeError(`interleave: reps must be a positive integer, got ${reps}`);
  const warmup = options.warmup ?? 1;
  for (let i = 0; i < warmup; i++) {
    collectGarbage();
    await options.cohort();
    collectGarbage();
    await options.baseline();
  }
  const cohortSamples: Sample[] = [];
  const baselineSamples: Sample[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const cohortFirst = rep % 2 === 0;
    let c: Sample;
    let b: Sample;
    if (cohortFirst) {
      collectGarbage();
      c = await options.cohort();
      collectGarbage();
      b = await options.baseline();
    } else {
      collectGarbage();
      b = await options.baseline();
      collectGarbage();
      c = await options.cohort();
    }
    cohortSamples.push(c);
    baselineSamples.push(b);
    options.onRep?.(rep, c, b);
  }
  return { cohort: summarize(cohortSamples), baseline: summarize(baselineSamples) };
}

function summarize(samples: readonly Sample[]): SideSummary {
  const values = samples.map((s) => s.value);
  for (const v of values) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`bench sample is not a finite non-negative number: ${v}`);
  }
  const keys = new Set<string>();
  for (const s of samples) for (const k of Object.keys(s.extra ?? {})) keys.add(k);
  const extra: Record<string, number> = {};
  for (const k of keys) {
    const vs = samples.map((s) => s.extra?.[k]).filter((v): v is number => v !== undefined);
    extra[k] = median(vs);
  }
  return { value: median(values), extra, samples: values };
}

/** Formats a number for the table: 4 significant digits, thousands grouped. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  if (abs >= 1e4) return Math.round(v).toLocaleString('en-US');
  if (abs >= 1) return v.toPrecision(4);
  if (abs === 0) return '0';
  return v.toPrecision(3);
}
