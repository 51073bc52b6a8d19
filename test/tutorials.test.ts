// The ports of Legion's tutorials 04-08 (examples/tutorial0[4-8]_*.ts), run
// as a user would (tsx, in a child process with a timeout): each must print
// what the original prints and checks, and exit 0.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { kernelsDir, root } from './helpers';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples', file), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, ...env },
  });
  assert.equal(r.error, undefined, `${file} did not finish: ${r.error?.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs an example that must succeed; returns its output lines. */
function runOk(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): string[] {
  const r = run(file, args, env);
  assert.equal(r.status, 0, `${file} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** Index of the one line matching `re` (fails unless exactly one matches). */
function lineOf(lines: string[], re: RegExp): number {
  const hits = lines.map((l, i) => (re.test(l) ? i : -1)).filter((i) => i >= 0);
  assert.equal(hits.length, 1, `expected exactly one line matching ${re}, got ${hits.length}:\n${lines.join('\n')}`);
  return hits[0];
}

/** The captures of every line matching `re`, in output order. */
function matches(lines: string[], re: RegExp): RegExpMatchArray[] {
  return lines.map((l) => l.match(re)).filter((m): m is RegExpMatchArray => m !== null);
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('Legion tutorial ports 04-08', () => {
  before(() => {
    const lib = path.join(kernelsDir, 'libtutorial_kernels.so');
    assert.ok(fs.existsSync(lib), `${lib} is missing: build it with \`npm run build:examples\``);
  });

  it('04 logical regions: creates index spaces, fields and regions (a new tree per region), then cleans up', () => {
    const lines = runOk('tutorial04_logical_regions.ts');
    const order = [
      /^Created untyped index space of 1024 points$/,
      /^Created typed index space \[0\.\.1023\] \(1024 points\)$/,
      /^Created field space with fields fieldA \(f64\) and fieldB \(i32\)$/,
      /^Allocated two fields with Field IDs 0 and 1$/,
      /^Created untyped logical region \(index space \[0\.\.1023\], fields fieldA,fieldB, tree \d+\)$/,
      /^Created typed logical region \(index space \[0\.\.1023\], fields fieldA,fieldB, tree \d+\)$/,
      /^Created the same logical region again: a new region tree \(\d+ != \d+\)$/,
      /^Successfully cleaned up all of our resources$/,
      /^SUCCESS$/,
    ].map((re) => lineOf(lines, re));
    assert.deepEqual(order, sorted(order), 'lines out of order');
    const trees = matches(lines, /tree (\d+)\)$/).map((m) => Number(m[1]));
    assert.equal(new Set(trees).size, 2, 'the untyped and typed regions are different trees');
    const [again, typed] = lines[order[6]]
      .match(/\((\d+) != (\d+)\)/)!
      .slice(1)
      .map(Number);
    assert.notEqual(again, typed);
    assert.equal(typed, trees[1]);
  });

  it('05 physical regions: fill, inline mappings and daxpy in the top level', () => {
    const lines = runOk('tutorial05_physical_regions.ts');
    assert.deepEqual(
      [
        lineOf(lines, /^Running daxpy for 1024 elements\.\.\.$/),
        lineOf(lines, /^Running daxpy computation with alpha [\d.e+-]+\.\.\.Done!$/),
        lineOf(lines, /^Checking results\.\.\.SUCCESS!$/),
      ],
      [0, 1, 2],
    );
    assert.equal(lines.length, 3);
  });

  it('05 takes -n', () => {
    const lines = runOk('tutorial05_physical_regions.ts', ['-n', '37']);
    lineOf(lines, /^Running daxpy for 37 elements\.\.\.$/);
    lineOf(lines, /^Checking results\.\.\.SUCCESS!$/);
  });

  it('06 privileges: per-field inits, then the C++ daxpy, then the check', () => {
    const lines = runOk('tutorial06_privileges.ts');
    const first = lineOf(lines, /^Running daxpy for 1024 elements\.\.\.$/);
    const initX = lineOf(lines, /^Initializing field 0\.\.\.$/);
    const initY = lineOf(lines, /^Initializing field 1\.\.\.$/);
    const daxpy = lineOf(lines, /^Running daxpy computation with alpha [\d.e+-]+\.\.\.$/);
    const check = lineOf(lines, /^Checking results\.\.\.SUCCESS!$/);
    assert.equal(first, 0);
    assert.ok(initX < daxpy && initY < daxpy, 'daxpy ran before both inits had finished');
    assert.ok(daxpy < check, 'the check ran before daxpy');
  });

  it('07 partitioning: index launches over 4 blocks of 1024 elements', () => {
    const lines = runOk('tutorial07_partitioning.ts');
    assert.equal(lineOf(lines, /^Running daxpy for 1024 elements\.\.\.$/), 0);
    assert.equal(lineOf(lines, /^Partitioning data into 4 sub-regions\.\.\.$/), 1);
    checkPartitioningRun(lines, 4);
  });

  it('07 takes -n and -b (blocks of unequal size)', () => {
    const lines = runOk('tutorial07_partitioning.ts', ['-n', '1000', '-b', '3']);
    lineOf(lines, /^Running daxpy for 1000 elements\.\.\.$/);
    lineOf(lines, /^Partitioning data into 3 sub-regions\.\.\.$/);
    checkPartitioningRun(lines, 3);
  });

  it('08 multiple partitions: a stencil reading the ghost partition and writing the disjoint one', () => {
    const lines = runOk('tutorial08_multiple_partitions.ts');
    assert.equal(lineOf(lines, /^Running stencil computation for 1024 elements\.\.\.$/), 0);
    assert.equal(lineOf(lines, /^Partitioning data into 4 sub-regions\.\.\.$/), 1);
    checkStencilRun(lines, 4, [0, 3]);
  });

  it('08 takes -n and -b (uneven blocks; a single block)', () => {
    checkStencilRun(runOk('tutorial08_multiple_partitions.ts', ['-n', '1000', '-b', '3']), 3, [0, 2]);
    checkStencilRun(runOk('tutorial08_multiple_partitions.ts', ['-n', '16', '-b', '8']), 8, [0, 7]);
    checkStencilRun(runOk('tutorial08_multiple_partitions.ts', ['-b', '1']), 1, [0]);
  });

  it('every tutorial passes in checking mode (no task writes what it only asked to read)', () => {
    for (const file of [
      'tutorial04_logical_regions.ts',
      'tutorial05_physical_regions.ts',
      'tutorial06_privileges.ts',
      'tutorial07_partitioning.ts',
      'tutorial08_multiple_partitions.ts',
    ]) {
      const lines = runOk(file, [], { COHORT_CHECKS: '1' });
      assert.match(lines[lines.length - 1], /SUCCESS!?$/, `${file} in checking mode`);
    }
  });

  it('a bad argument fails with a clear message and a non-zero exit', () => {
    const r = run('tutorial07_partitioning.ts', ['-b', '0']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /FAILURE: -b needs a positive integer, got '0'/);
    const s = run('tutorial08_multiple_partitions.ts', ['-n', '3', '-b', '4']);
    assert.notEqual(s.status, 0);
    assert.match(s.stderr, /FAILURE: -b 4: cannot make more blocks than the 3 elements/);
  });
});

/** 07: 2 x b init lines, b daxpy lines (one alpha), each after its block's inits, then SUCCESS. */
function checkPartitioningRun(lines: string[], blocks: number): void {
  const inits = matches(lines, /^Initializing field (\d) for block (\d+)\.\.\.$/);
  assert.deepEqual(sorted(inits.filter((m) => m[1] === '0').map((m) => Number(m[2]))), range(blocks));
  assert.deepEqual(sorted(inits.filter((m) => m[1] === '1').map((m) => Number(m[2]))), range(blocks));
  const daxpys = matches(lines, /^Running daxpy computation with alpha ([\d.e+-]+) for point (\d+)\.\.\.$/);
  assert.deepEqual(sorted(daxpys.map((m) => Number(m[2]))), range(blocks));
  assert.equal(new Set(daxpys.map((m) => m[1])).size, 1, 'every point got the same alpha');
  for (let b = 0; b < blocks; b++) {
    const d = lineOf(lines, new RegExp(`for point ${b}\\.\\.\\.$`));
    assert.ok(
      lineOf(lines, new RegExp(`^Initializing field 0 for block ${b}\\.`)) < d,
      `daxpy point ${b} ran before its x init`,
    );
    assert.ok(
      lineOf(lines, new RegExp(`^Initializing field 1 for block ${b}\\.`)) < d,
      `daxpy point ${b} ran before its y init`,
    );
  }
  assert.equal(lineOf(lines, /^Checking results\.\.\.SUCCESS!$/), lines.length - 1);
}

/** 08: b init lines; slow path exactly for the edge blocks, fast for the rest; every stencil after every init; SUCCESS. */
function checkStencilRun(lines: string[], blocks: number, slow: number[]): void {
  const inits = matches(lines, /^Initializing field 0 for block (\d+)\.\.\.$/).map((m) => Number(m[1]));
  assert.deepEqual(sorted(inits), range(blocks));
  const paths = matches(lines, /^Running (slow|fast) stencil path for point (\d+)\.\.\.$/);
  assert.deepEqual(sorted(paths.filter((m) => m[1] === 'slow').map((m) => Number(m[2]))), slow);
  assert.deepEqual(
    sorted(paths.filter((m) => m[1] === 'fast').map((m) => Number(m[2]))),
    range(blocks).filter((b) => !slow.includes(b)),
  );
  // Point p reads its ghost subregion, which overlaps blocks p-1 and p+1
  // too: its stencil must start after all three inits (printed first thing
  // in each task).
  for (const m of paths) {
    const p = Number(m[2]);
    const at = lines.indexOf(m[0]);
    for (const b of [p - 1, p, p + 1].filter((x) => x >= 0 && x < blocks)) {
      assert.ok(
        lineOf(lines, new RegExp(`^Initializing field 0 for block ${b}\\.`)) < at,
        `stencil point ${p} ran before block ${b} was initialized`,
      );
    }
  }
  assert.equal(lineOf(lines, /^Checking results\.\.\.SUCCESS!$/), lines.length - 1);
}

// Tutorial 09 (custom mapper): an adversarial mapper (seeded, so one seed
// always gives the same decisions on the same machine) replaces the default
// mapper; a partitioning mapper decides the number of blocks (one per CPU).
describe('Legion tutorial port 09', () => {
  const file = 'tutorial09_custom_mapper.ts';
  const MAPPER = /^\[adversarial mapper\] /;

  /**
   * Checks one run on a machine of `cpus` CPU workers plus the JS processor
   * (ids 0..cpus-1 and cpus): the machine dump, the decisions, that every
   * task ran where mapTask put it, and SUCCESS. Returns the decision lines.
   */
  function checkMapperRun(lines: string[], cpus: number, seed: number): string[] {
    // The machine, first.
    assert.equal(lines[0], `There are ${cpus + 1} processors:`);
    for (let i = 0; i < cpus; i++) assert.equal(lines[1 + i], `  Processor ID ${i} is CPU on rank 0`);
    assert.equal(lines[1 + cpus], `  Processor ID ${cpus} is JS on rank 0`);
    lineOf(lines, new RegExp(`^Running daxpy for 1024 elements \\(mapper seed ${seed}\\)\\.\\.\\.$`));
    // The partitioning mapper: one block per CPU processor.
    lineOf(lines, new RegExp(`^Partitioning data into ${cpus} sub-regions\\.\\.\\.$`));
    const blocks = cpus;
    const isCpu = (p: number): boolean => p >= 0 && p < cpus;

    // sliceTask: init x, init y, daxpy; contiguous chunks covering 0..blocks-1 in order, on CPU workers.
    const slices = matches(lines, /^\[adversarial mapper\] sliceTask (\S+) \[0\.\.(\d+)\]: (.*)$/);
    assert.deepEqual(
      slices.map((m) => m[1]),
      ['mapped_init_field', 'mapped_init_field', 'mapped_daxpy'],
    );
    const slicedTo: Map<number, number>[] = slices.map((m) => {
      assert.equal(Number(m[2]), blocks - 1);
      const owner = new Map<number, number>();
      let next = 0;
      for (const part of m[3].split(', ')) {
        const [, lo, hi, proc] = part.match(/^\[(\d+)\.\.(\d+)\] on processor (\d+)$/)!.map(Number);
        assert.equal(lo, next, `slices of ${m[0]} are not contiguous`);
        assert.ok(hi >= lo && isCpu(proc), m[0]);
        for (let p = lo; p <= hi; p++) owner.set(p, proc);
        next = hi + 1;
      }
      assert.equal(next, blocks, `slices of ${m[0]} do not cover the domain`);
      return owner;
    });

    // mapTask: per point of each index launch (in point order), then the check.
    const maps = matches(
      lines,
      /^\[adversarial mapper\] mapTask (\S+)(?: point (\d+))?: variant (cpp|ts) on processor (\d+) \(initial processor (\d+)\), priority (\d+)$/,
    );
    assert.equal(maps.length, 3 * blocks + 1, 'one mapTask per point and one for the check');
    slicedTo.forEach((owner, launch) => {
      for (let p = 0; p < blocks; p++) {
        const m = maps[launch * blocks + p];
        assert.equal(m[1], slices[launch][1]);
        assert.equal(Number(m[2]), p);
        assert.equal(m[3], 'cpp', m[0]);
        assert.ok(isCpu(Number(m[4])), m[0]);
        assert.equal(Number(m[5]), owner.get(p), `${m[0]}: the initial processor is the slice's`);
      }
    });
    const options = matches(lines, /^\[adversarial mapper\] selectTaskOptions (\S+): processor (\d+) \((cpu|js)\)$/);
    assert.equal(options.length, 1);
    assert.equal(options[0][1], 'mapped_check');
    const initial = Number(options[0][2]);
    assert.equal(options[0][3], isCpu(initial) ? 'cpu' : 'js');
    assert.ok(initial <= cpus);
    const checkMap = maps[3 * blocks];
    assert.equal(checkMap[1], 'mapped_check');
    assert.equal(checkMap[2], undefined);
    assert.equal(Number(checkMap[5]), initial);
    const final = Number(checkMap[4]);
    assert.equal(isCpu(final), isCpu(initial), 'mapTask kept the kind of the initial processor');
    assert.equal(checkMap[3], isCpu(final) ? 'cpp' : 'ts', 'the variant suits the processor');

    // Every task ran where mapTask put it, and says so (in launch order).
    const key = (m: RegExpMatchArray): string => (m[2] === undefined ? m[1] : `${m[1]} point ${m[2]}`);
    const ran = matches(lines, /^Task (\S+)(?: point (\d+))? ran on processor (\d+)(.*)$/);
    for (const m of ran) assert.equal(m[4], ' (chosen by mapper)', m[0]);
    assert.deepEqual(
      ran.map((m) => `${key(m)} on ${m[3]}`),
      maps.map((m) => `${key(m)} on ${m[4]}`),
    );

    // The computation itself, as in 07 (inits before daxpy, SUCCESS last).
    checkPartitioningRun(lines, blocks);
    return lines.filter((l) => MAPPER.test(l));
  }

  it('09 custom mapper: machine dump, seeded random decisions, every task where the mapper put it, SUCCESS', () => {
    const decisions = checkMapperRun(runOk(file, ['-ll:cpu', '3']), 3, 9);
    // Deterministic: the same seed on the same machine decides the same.
    assert.deepEqual(checkMapperRun(runOk(file, ['-ll:cpu', '3']), 3, 9), decisions);
    // Another seed decides differently and still succeeds.
    assert.notDeepEqual(checkMapperRun(runOk(file, ['-ll:cpu', '3', '-s', '2']), 3, 2), decisions);
  });

  it('09 runs the two-variant check on a CPU worker (C++) or on the JS processor (TS), as the mapper picks', () => {
    const kinds = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const lines = runOk(file, ['-ll:cpu', '2', '-s', String(seed)]);
      checkMapperRun(lines, 2, seed);
      kinds.add(matches(lines, /^\[adversarial mapper\] mapTask mapped_check: variant (cpp|ts)/)[0][1]);
    }
    assert.deepEqual([...kinds].sort(), ['cpp', 'ts']);
  });

  it('09 in checking mode, with another seed and the default worker count', () => {
    const lines = runOk(file, ['-s', '12345'], { COHORT_CHECKS: '1' });
    const cpus = Number(lines[0].match(/^There are (\d+) processors:$/)![1]) - 1;
    assert.ok(cpus >= 1);
    checkMapperRun(lines, cpus, 12345);
  });
});
