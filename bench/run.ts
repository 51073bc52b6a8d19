/**
 * `npm run bench` — cohort against hand-written baselines, measured in the
 * same process and the same run (interleaved reps, medians, warm-up first).
 *
 *   npm run bench                      table for people
 *   npm run -s bench -- --json         one JSON object per bench per line on stdout, nothing else:
 *                                      {"bench","unit","cohort","baseline","ratio",...extra}
 *                                      (-s keeps npm's own "> cohort@... bench" banner off stdout)
 *   npm run bench -- --quick           smaller sizes and 3 reps (smoke run)
 *   npm run bench -- --only <name>     only these benches (repeat or comma-separate)
 *   npm run bench -- --reps <n>        reps per side (at least 3; default 7, 3 with --quick)
 *
 * A bench measured in several shapes prints one line per shape under one
 * name, told apart by extra keys (metg_stencil_1d: `width` and `mode`).
 *
 * ratio = cohort / baseline for every unit: for throughputs (tasks/s) higher
 * is better, so ratio > 1 means cohort is faster; for times (us) lower is
 * better, so ratio < 1 means cohort is faster. Progress goes to stderr.
 *
 * Method: one runtime (workers = cores); the C++ baselines run inside the
 * bench task library (same compiler flags as cohort's bench tasks), on the
 * same thread count. Each bench warms both sides up once, then takes `reps`
 * samples of each side, alternating which goes first, with a GC before each;
 * a sample runs whole batches of the bench's N until it has lasted 200 ms
 * (20 ms with --quick). The figure is the median sample.
 *
 * Adding a bench: see bench/benches/index.ts.
 */
import * as os from 'os';
import { Runtime } from '../lib';
import { loadBenchLibrary } from './bench_library';
import { benches } from './benches';
import { BenchContext, BenchDefinition, BenchMeasurement, formatNumber, relativeSpread } from './harness';

interface Options {
  json: boolean;
  quick: boolean;
  only: string[];
  reps: number | undefined;
}

const USAGE = 'usage: npm run bench -- [--json] [--quick] [--only <name>[,<name>...]] [--reps <n>]';

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { json: false, quick: false, only: [], reps: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--json') options.json = true;
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--only')
      options.only.push(
        ...value()
          .split(',')
          .filter((s) => s !== ''),
      );
    else if (arg.startsWith('--only='))
      options.only.push(
        ...arg
          .slice(7)
          .split(',')
          .filter((s) => s !== ''),
      );
    else if (arg === '--reps') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 3) throw new UsageError(`--reps must be an integer >= 3, got ${v}`);
      options.reps = n;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\nbenches: ${benches.map((b) => b.name).join(', ')}\n`);
      process.exit(0);
    } else throw new UsageError(`unknown option ${arg}`);
  }
  const known = new Set(benches.map((b) => b.name));
  const unknown = options.only.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown bench ${unknown.join(', ')}; the benches are: ${[...known].join(', ')}`);
  }
  return options;
}

interface Row {
  bench: BenchDefinition;
  result: BenchMeasurement;
  ratio: number;
}

function jsonLine(row: Row): string {
  const { bench, result, ratio } = row;
  return JSON.stringify({
    bench: bench.name,
    unit: bench.unit,
    cohort: result.cohort,
    baseline: result.baseline,
    ratio,
    better: bench.better,
    reps: result.cohortSamples?.length,
    cohort_spread: finiteOrUndefined(relativeSpread(result.cohortSamples)),
    baseline_spread: finiteOrUndefined(relativeSpread(result.baselineSamples)),
    ...result.extra,
  });
}

function finiteOrUndefined(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

function formatSpread(v: number): string {
  return Number.isFinite(v) ? `±${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%` : '-';
}

function printTable(rows: readonly Row[], header: string): void {
  const head = ['bench', 'unit', 'better', 'cohort', 'baseline', 'ratio', 'spread c/b', 'baseline is'];
  const body = rows.map(({ bench, result, ratio }) => [
    bench.name,
    bench.unit,
    bench.better,
    formatNumber(result.cohort),
    formatNumber(result.baseline),
    ratio.toPrecision(3),
    `${formatSpread(relativeSpread(result.cohortSamples))}/${formatSpread(relativeSpread(result.baselineSamples))}`,
    bench.baseline,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const out: string[] = [header, '', line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of body) out.push(line(r));
  out.push('');
  out.push('ratio = cohort / baseline. tasks/s: higher is better (ratio > 1: cohort faster);');
  out.push('us: lower is better (ratio < 1: cohort faster). Medians of interleaved reps, same run;');
  out.push('spread = half the range of the reps relative to the median (cohort/baseline).');
  const notes = rows.filter((r) => r.result.extra && Object.keys(r.result.extra).length > 0);
  if (notes.length > 0) {
    out.push('');
    for (const { bench, result } of notes) {
      const parts = Object.entries(result.extra ?? {}).map(
        ([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`,
      );
      out.push(`  ${bench.name}: ${parts.join(', ')}`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const selected = options.only.length > 0 ? benches.filter((b) => options.only.includes(b.name)) : benches;
  const cores = os.availableParallelism();
  const rt = await Runtime.start({ workers: cores });
  const lib = await loadBenchLibrary(rt);
  const log = (message: string): void => {
    process.stderr.write(`[bench] ${message}\n`);
  };
  const ctx: BenchContext = {
    rt,
    lib,
    workers: rt.workers,
    quick: options.quick,
    reps: options.reps ?? (options.quick ? 3 : 7),
    minSampleSeconds: options.quick ? 0.02 : 0.2,
    log,
  };
  const header =
    `cohort bench: ${rt.workers} workers on ${cores} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ` +
    `node ${process.version}, ${ctx.reps} reps per side${options.quick ? ', --quick' : ''}`;
  log(header);

  const rows: Row[] = [];
  let failed = 0;
  const startAll = Date.now();
  for (const bench of selected) {
    const t0 = Date.now();
    log(`${bench.name} ...`);
    try {
      const result = await bench.run(ctx);
      const ratio = result.cohort / result.baseline;
      const row: Row = { bench, result, ratio };
      rows.push(row);
      log(
        `${bench.name}: cohort ${formatNumber(result.cohort)} ${bench.unit}, baseline ${formatNumber(result.baseline)} ${bench.unit}, ratio ${ratio.toPrecision(3)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
      if (options.json) process.stdout.write(`${jsonLine(row)}\n`);
    } catch (e) {
      failed++;
      log(`${bench.name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  await rt.shutdown();
  log(`done in ${((Date.now() - startAll) / 1000).toFixed(1)} s`);
  if (!options.json) printTable(rows, header);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
