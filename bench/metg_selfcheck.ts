/**
 * Self-check of bench/metg.ts and the stencil baselines, run by hand (not part of `npm test` or
 * `npm run bench`):
 *
 *   npx tsx bench/metg_selfcheck.ts
 *
 * 1. Hand-computed cases (interpolation, upper bound, not reached, reps,
 *    fixed peak, invalid input).
 * 2. Differential check against the C++ original: compiles a small driver
 *    around bench/native/metg.h into a temporary directory and compares both
 *    on random sweeps (skipped with a note when no C++ compiler is found).
 * 3. The stencil baselines' results: compiles bench/native/stencil_baseline.cc
 *    as the bench library does (-O3 -march=native) with a driver, and checks
 *    that the per-point flags baseline (metg_stencil_1d's baseline) and the
 *    barrier baseline give the sequential stencil's checksum, at the bench's
 *    own shapes among others (skipped like 2 without a compiler).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { computeMetg, MetgResult, MetgSample } from './metg';

const close = (a: number, b: number, what: string): void => {
  const tol = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  assert.ok((Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tol, `${what}: ${a} != ${b}`);
};

function handCases(): void {
  // tasks = 1000, cores = 2, flops per task = 128 * iterations.
  const tasks = 1000;
  const cores = 2;
  const sample = (iterations: number, wallSeconds: number): MetgSample => ({ iterations, wallSeconds, tasks, cores });
  // Ideal scaling at 1e9 flops/s down to 64 iterations, then a floor of 1 ms.
  const rate = 1e9;
  const ideal = (it: number): number => (tasks * 128 * it) / rate;
  const sweep = [4096, 1024, 256, 64, 16, 4].map((it) => sample(it, Math.max(ideal(it), it <= 16 ? 1e-3 : 0)));
  const r = computeMetg(sweep);
  assert.deepEqual(
    r.points.map((p) => p.iterations),
    [4096, 1024, 256, 64, 16, 4],
  );
  close(r.peakFlopsPerSecond, rate, 'peak');
  // iterations 16: ideal 2.048e-3 s > 1e-3 -> still ideal; 4: 0.512e-3 -> floor 1e-3, efficiency 0.512.
  close(r.points[5].efficiency, 0.512, 'efficiency at 4');
  assert.equal(r.reached, true);
  assert.equal(r.selectedIndex, 5, 'all points >= 50%: the smallest granularity is selected');
  assert.equal(r.bracketed, false);
  close(r.metgMicros, ((1e-3 * cores) / tasks) * 1e6, 'upper bound = granularity of the last point');

  // A floor of 4 ms: 16 iterations reaches 2.048/4 = 0.512, 4 iterations
  // 0.128, at the same granularity: no smaller point to interpolate towards,
  // so METG is the granularity of 16 iterations, as an upper bound.
  const g = (s: number): number => ((s * cores) / tasks) * 1e6;
  const floored = [4096, 1024, 256, 64, 16, 4].map((it) => sample(it, Math.max(ideal(it), it <= 16 ? 4e-3 : 0)));
  const f = computeMetg(floored);
  assert.equal(f.selectedIndex, 4);
  assert.equal(f.bracketed, false);
  close(f.metgMicros, g(4e-3), 'upper bound at equal granularity');

  const slower = [4096, 1024, 256, 64, 16, 4].map((it) => sample(it, it === 4 ? 1.5e-3 : it === 16 ? 3e-3 : ideal(it)));
  const s = computeMetg(slower);
  // 16: 2.048e-3/3e-3 = 0.68267; 4: 0.512e-3/1.5e-3 = 0.34133.
  assert.equal(s.selectedIndex, 4);
  assert.equal(s.bracketed, true);
  const e4 = 0.512 / 1.5;
  const e16 = 2.048 / 3;
  close(s.metgMicros, g(1.5e-3) + ((0.5 - e4) * (g(3e-3) - g(1.5e-3))) / (e16 - e4), 'interpolated METG');

  // Reps are averaged; a fixed peak above every point means "not reached".
  const reps = computeMetg([sample(64, 1), sample(64, 3), sample(128, 2)]);
  assert.equal(reps.points[1].reps, 2);
  close(reps.points[1].wallSeconds, 2, 'mean of reps');
  const none = computeMetg(sweep, { fixedPeakFlopsPerSecond: 1e12 });
  assert.equal(none.reached, false);
  assert.ok(Number.isNaN(none.metgMicros));

  assert.throws(() => computeMetg([sample(8, 0)]), /wallSeconds > 0/);
  assert.throws(
    () => computeMetg([sample(8, 1), { iterations: 8, wallSeconds: 1, tasks: 10, cores: 2 }]),
    /same tasks and cores/,
  );
}

// ---- differential check against metg.h -----------------------------------

const DRIVER = `
#include <cstdio>
#include <vector>
#include "metg.h"
int main() {
  int cases = 0;
  if (std::scanf("%d", &cases) != 1) return 2;
  for (int c = 0; c < cases; ++c) {
    int n = 0; double threshold = 0, fixedPeak = 0;
    if (std::scanf("%d %lf %lf", &n, &threshold, &fixedPeak) != 3) return 2;
    std::vector<cohort::bench::MetgSample> samples(n);
    for (auto& s : samples) {
      unsigned long long it = 0, tasks = 0; unsigned cores = 0;
      if (std::scanf("%llu %lf %llu %u", &it, &s.wallSeconds, &tasks, &cores) != 4) return 2;
      s.iterations = it; s.tasks = tasks; s.cores = cores;
    }
    cohort::bench::MetgOptions o; o.threshold = threshold; o.fixedPeakFlopsPerSecond = fixedPeak;
    auto r = cohort::bench::computeMetg(samples, o);
    std::printf("%d %d %zu %.17g %.17g %zu\\n", r.reached, r.bracketed, r.selectedIndex, r.metgMicros,
                r.peakFlopsPerSecond, r.points.size());
    for (auto& p : r.points)
      std::printf("%llu %u %.17g %.17g %.17g %.17g\\n", (unsigned long long)p.iterations, p.reps, p.wallSeconds,
                  p.granularityMicros, p.flopsPerSecond, p.efficiency);
  }
  return 0;
}
`;

/** Deterministic PRNG (mulberry32) so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  samples: MetgSample[];
  threshold: number;
  fixedPeak: number;
}

function randomCases(count: number): Case[] {
  const rand = rng(20240521);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const tasks = 1 + Math.floor(rand() * 4000);
    const cores = 1 + Math.floor(rand() * 8);
    const overhead = rand() * 1e-3;
    const rate = 1e8 + rand() * 1e11;
    const sizes = 1 + Math.floor(rand() * 12);
    const samples: MetgSample[] = [];
    for (let k = 0; k < sizes; k++) {
      const iterations = Math.floor(2 ** (18 - k - Math.floor(rand() * 2)));
      const reps = 1 + Math.floor(rand() * 3);
      for (let r = 0; r < reps; r++) {
        const ideal = (tasks * 128 * iterations) / rate;
        samples.push({
          iterations,
          wallSeconds: Math.max(1e-9, ideal + overhead * tasks * (0.5 + rand())),
          tasks,
          cores,
        });
      }
    }
    // Shuffle: the algorithm must not depend on input order beyond reps.
    for (let i = samples.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [samples[i], samples[j]] = [samples[j], samples[i]];
    }
    const threshold = rand() < 0.5 ? 0.5 : 0.1 + rand() * 0.8;
    const fixedPeak = rand() < 0.2 ? rate * (0.5 + rand()) : 0;
    cases.push({ samples, threshold, fixedPeak });
  }
  return cases;
}

function differential(): boolean {
  const cxx = process.env.CXX || 'c++';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-metg-'));
  try {
    const src = path.join(dir, 'driver.cc');
    const exe = path.join(dir, 'driver');
    fs.writeFileSync(src, DRIVER);
    const build = spawnSync(cxx, ['-std=c++17', '-O2', `-I${path.join(__dirname, 'native')}`, src, '-o', exe], {
      encoding: 'utf8',
    });
    if (build.error || build.status !== 0) {
      console.log(
        `metg self-check: differential check against metg.h SKIPPED (cannot compile with '${cxx}': ${build.error?.message ?? build.stderr})`,
      );
      return false;
    }
    const cases = randomCases(300);
    const input = [String(cases.length)];
    for (const c of cases) {
      input.push(`${c.samples.length} ${c.threshold} ${c.fixedPeak}`);
      for (const s of c.samples) input.push(`${s.iterations} ${s.wallSeconds} ${s.tasks} ${s.cores}`);
    }
    const run = spawnSync(exe, [], { input: input.join('\n'), encoding: 'utf8' });
    assert.equal(run.status, 0, `driver failed: ${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    let at = 0;
    let reached = 0;
    let bracketed = 0;
    // Inputs are printed with JS's shortest round-trip form, so both sides see the same doubles.
    for (let c = 0; c < cases.length; c++) {
      const ts: MetgResult = computeMetg(cases[c].samples, {
        threshold: cases[c].threshold,
        fixedPeakFlopsPerSecond: cases[c].fixedPeak,
      });
      const [r, b, sel, metg, peak, n] = lines[at++].split(' ');
      const what = `case ${c}`;
      assert.equal(ts.reached, r === '1', `${what} reached`);
      assert.equal(ts.bracketed, b === '1', `${what} bracketed`);
      if (ts.reached) assert.equal(ts.selectedIndex, Number(sel), `${what} selectedIndex`);
      close(ts.metgMicros, Number(metg), `${what} metgMicros`);
      close(ts.peakFlopsPerSecond, Number(peak), `${what} peak`);
      assert.equal(ts.points.length, Number(n), `${what} points`);
      for (const p of ts.points) {
        const [it, reps, wall, gran, fps, eff] = lines[at++].split(' ').map(Number);
        assert.equal(p.iterations, it, `${what} iterations`);
        assert.equal(p.reps, reps, `${what} reps`);
        close(p.wallSeconds, wall, `${what} wallSeconds`);
        close(p.granularityMicros, gran, `${what} granularity`);
        close(p.flopsPerSecond, fps, `${what} flops/s`);
        close(p.efficiency, eff, `${what} efficiency`);
      }
      if (ts.reached) reached++;
      if (ts.bracketed) bracketed++;
    }
    console.log(
      `metg self-check: ${cases.length} random sweeps agree with metg.h (${reached} reached, ${bracketed} bracketed)`,
    );
    return true;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- stencil baselines against the sequential stencil --------------------

const STENCIL_DRIVER = `
#include <cstdio>
#include "stencil_baseline.h"
int main() {
  unsigned width = 0, steps = 0, threads = 0;
  unsigned long long iterations = 0;
  while (std::scanf("%u %u %llu %u", &width, &steps, &iterations, &threads) == 4) {
    using namespace cohort::bench;
    std::printf("%.17g %.17g %.17g\\n", runStencilSequential(width, steps, iterations).checksum,
                runStencilFlagBaseline(width, steps, iterations, threads).checksum,
                runStencilBaseline(width, steps, iterations, threads).checksum);
  }
  return 0;
}
`;

function stencilBaselines(): boolean {
  const cxx = process.env.CXX || 'c++';
  const native = path.join(__dirname, 'native');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-stencil-'));
  try {
    const src = path.join(dir, 'driver.cc');
    const exe = path.join(dir, 'driver');
    fs.writeFileSync(src, STENCIL_DRIVER);
    const flags = ['-std=c++17', '-O3', '-march=native', '-pthread', `-I${native}`];
    const build = spawnSync(cxx, [...flags, src, path.join(native, 'stencil_baseline.cc'), '-o', exe], {
      encoding: 'utf8',
    });
    if (build.error || build.status !== 0) {
      console.log(
        `metg self-check: stencil baselines SKIPPED (cannot compile with '${cxx}': ${build.error?.message ?? build.stderr})`,
      );
      return false;
    }
    // The bench's shapes (W = 2 and 16, T = 1000 / 500 / 200 / 100, this
    // machine's thread count), then ranges of 1, 2 and more points per thread.
    const cores = os.availableParallelism();
    const shapes: [number, number, number, number][] = [];
    for (const width of [2, 16])
      for (const steps of [1000, 500, 200, 100]) for (const it of [1, 64]) shapes.push([width, steps, it, cores]);
    for (const width of [1, 3, 5, 17]) for (const threads of [1, 2, 3, 5, 17]) shapes.push([width, 37, 3, threads]);
    const run = spawnSync(exe, [], { input: shapes.map((s) => s.join(' ')).join('\n'), encoding: 'utf8' });
    assert.equal(run.status, 0, `stencil driver failed: ${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, shapes.length, 'one line per shape');
    lines.forEach((line, i) => {
      const [sequential, flags, barrier] = line.split(' ').map(Number);
      const what = `W=${shapes[i][0]} T=${shapes[i][1]} iterations=${shapes[i][2]} threads=${shapes[i][3]}`;
      assert.ok(Number.isFinite(sequential), `${what}: sequential checksum ${sequential}`);
      assert.equal(flags, sequential, `${what}: the flags baseline's checksum`);
      assert.equal(barrier, sequential, `${what}: the barrier baseline's checksum`);
    });
    console.log(`metg self-check: both stencil baselines equal the sequential stencil on ${shapes.length} shapes`);
    return true;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

handCases();
console.log('metg self-check: hand-computed cases pass');
differential();
stencilBaselines();
