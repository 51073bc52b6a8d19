// The randomized sequential-oracle test: random programs (regions, some
// empty; partitions, some with empty pieces; fills, single and index
// launches with every privilege, reductions of four operators and atomic
// coherence, futures passed between launches, inline mappings, fences,
// traces replayed up to 25 times, nested TS parents launching children
// within (and deliberately outside) their privileges) run on the runtime
// with 2 workers, choosing the TS or the C++ variant of the same kernel per
// launch (some C++ launches wait a little first, to shuffle the order tasks
// finish in), and are compared element by element with a sequential
// interpreter. About a fifth of the programs run in checking mode (a second
// runtime started with checks: true).
//
// Seeded: program i uses seed COHORT_ORACLE_SEED + i (a fixed base by
// default, a random one with COHORT_ORACLE_RANDOM=1 as in `npm run soak`;
// shown in the test title and in every failure, with the command that runs
// it again). Switches (a seed's program depends on them):
//   COHORT_ORACLE_PROGRAMS=n   how many (default 2000; `npm run soak`: 10^4)
//   COHORT_ORACLE_REPEAT=n     run each program n times (a race may need ~30)
//   COHORT_ORACLE_KEEP_GOING=1 run them all and list every failing seed (a
//                              failed program can leave work that makes a
//                              later fence wait forever)
//   COHORT_ORACLE_WITHOUT=a,b  leave out some of generate.ts FEATURES, to
//                              tell failures apart
//   COHORT_ORACLE_PARENT_LOCKS=1  let nested parents hold reductions and
//                              atomic requirements (hangs on the current runtime)
//   COHORT_ORACLE_UNTRACED=1   issue trace bodies as plain launches (checks
//                              the oracle's own trace programs)
//
// Also: instrumentation (not timing) showing that point tasks of one index
// launch run at the same time, and that a TS task and a C++ task overlap.
import { strict as assert } from 'assert';
import * as path from 'path';
import { Library, Rect, Runtime } from '../lib';
import { kernelsDir, within } from './helpers';
import { Feature, FEATURES, generate, GenOptions } from './oracle/generate';
import { OracleFailure, replayCounts, RunOptions, runProgram } from './oracle/run';
import { oracleTasks, OracleTasks } from './oracle/tasks';

const oracleKernels = path.join(kernelsDir, 'liboracle_kernels.so');

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}

// npm test runs a fixed base seed (the same programs every run); the soak
// (COHORT_ORACLE_RANDOM=1) a new one each time.
const BASE_SEED =
  envInt('COHORT_ORACLE_SEED', process.env.COHORT_ORACLE_RANDOM ? Math.floor(Math.random() * 2 ** 31) : 20261202) >>> 0;
const PROGRAMS = envInt('COHORT_ORACLE_PROGRAMS', 2000);
const KEEP_GOING = process.env.COHORT_ORACLE_KEEP_GOING === '1';
function envFeatures(name: string): Set<Feature> {
  const list = (process.env[name] ?? '').split(',').filter((x) => x !== '');
  for (const f of list)
    if (!(FEATURES as readonly string[]).includes(f))
      throw new Error(`${name}: unknown feature '${f}'; known: ${FEATURES.join(', ')}`);
  return new Set(list as Feature[]);
}

const OPTIONS: GenOptions = {
  parentLocks: process.env.COHORT_ORACLE_PARENT_LOCKS === '1',
  without: envFeatures('COHORT_ORACLE_WITHOUT'),
};
const RUN: RunOptions = { untraced: process.env.COHORT_ORACLE_UNTRACED === '1' };
const REPEAT = Math.max(1, envInt('COHORT_ORACLE_REPEAT', 1));
const SEEDS = Array.from({ length: PROGRAMS }, (_, i) => (BASE_SEED + i) >>> 0);
const TIMEOUT = Math.max(300000, PROGRAMS * 200);

/** Set when a program's work never finished: the runtime cannot shut down. */
let hung = false;

/** Runs the programs (of SEEDS) whose checking mode is `checks`. */
async function runAll(rt: Runtime, tasks: OracleTasks, checks: boolean): Promise<void> {
  const failures: OracleFailure[] = [];
  let ran = 0;
  for (const seed of SEEDS) {
    const prog = generate(seed, OPTIONS);
    if (prog.checks !== checks) continue;
    ran++;
    try {
      for (let k = 0; k < REPEAT; k++) await runProgram(rt, tasks, k ? generate(seed, OPTIONS) : prog, RUN);
    } catch (e) {
      if (e instanceof OracleFailure && e.hung) hung = true;
      if (!KEEP_GOING || !(e instanceof OracleFailure) || e.hung) throw e;
      failures.push(e);
      console.log(`  oracle: seed ${seed} failed: ${e.message.split('\n')[1] ?? ''}`);
    }
  }
  if (failures.length) {
    throw new Error(
      `${failures.length} of ${ran} programs failed (seeds ${failures.map((f) => f.message.match(/seed (\d+)/)![1]).join(', ')}); the first:\n${failures[0].message}`,
    );
  }
}

// After a hang the runtime never becomes idle, and neither would this
// process: once every test file has run, exit with a failure.
after(() => {
  if (hung) setTimeout(() => process.exit(1), 2000).unref();
});

async function stop(rt: Runtime): Promise<void> {
  if (hung) {
    console.log('  oracle: not shutting the runtime down: a program hung (this process may not exit)');
    return;
  }
  await rt.shutdown();
}

describe('sequential oracle', function () {
  this.timeout(TIMEOUT);
  let rt: Runtime;
  let lib: Library;
  let tasks: OracleTasks;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    lib = await rt.loadLibrary(oracleKernels);
    tasks = oracleTasks(rt, lib);
  });
  after(async () => {
    await stop(rt);
  });

  it(`random programs match the sequential interpreter (${PROGRAMS} programs, the ~80% without checking mode; COHORT_ORACLE_SEED=${BASE_SEED})`, async () => {
    const before = { ...replayCounts };
    await runAll(rt, tasks, false);
    // Their steady replays take both paths: ops per point, and graph iterations.
    const graph = replayCounts.graphIterations - before.graphIterations;
    const replayed = replayCounts.replayedIterations - before.replayedIterations;
    if (PROGRAMS >= 200 && !RUN.untraced) {
      assert.ok(graph > 0, `no steady replay ran as graph iterations (${replayed} steady iterations)`);
      assert.ok(replayed > graph, `every steady replay ran as graph iterations (${graph} of ${replayed})`);
    }
    console.log(`  oracle: ${replayed} steady iterations replayed, ${graph} of them as graph iterations`);
  });

  // Regression test for a bug the oracle found: the built-in fill wrote the
  // whole bounding box of a subregion made of several rects, overwriting
  // the parent's points between them.
  it('fill of a subregion made of several rects writes only its points', async () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'i32' });
    const p = rt.partitionByRects(r, [[Rect(0, 2), Rect(6, 8)]]);
    await rt.fill(p.subregion(0), 'x', 7).get();
    const m = await rt.map(r.read('x'));
    const got = [...m.field<Int32Array>('x')];
    await m.unmap();
    rt.destroyRegion(r);
    assert.deepEqual(got, [7, 7, 7, 0, 0, 0, 7, 7, 7, 0]);
  });

  it('point tasks of one index launch run at the same time (2 observed at once with 2 workers)', async () => {
    const slot = 1;
    await rt.launch(lib.task<[number], number>('oracle_reset'), [slot]).get();
    const r = rt.createRegion(Rect(0, 7), { v: 'i32' });
    const p = rt.partitionEqual(r, 2);
    assert.equal(p.disjoint, true);
    const fm = rt.indexLaunch(lib.task<[number, number], number>('oracle_rendezvous'), Rect(0, 1), {
      args: [slot, 2],
      regions: [p.readWrite('v')],
    });
    const seen = await within(fm.values(), 30000, 'rendezvous index launch');
    assert.deepEqual(seen, [2, 2]);
    const m = await rt.map(r.read('v'));
    assert.deepEqual([...m.field<Int32Array>('v')], [0, 0, 0, 0, 1, 1, 1, 1]);
    await m.unmap();
    rt.destroyRegion(r);
  });

  it('a TS task and a C++ task on simultaneous requirements overlap in time (handshake through one field)', async () => {
    const r = rt.createRegion(Rect(0, 1), { flag: 'i32' });
    const ts = rt.registerTask('oracle_handshake_ts', async (ctx) => {
      const a = ctx.region(0).field<Int32Array>('flag');
      const deadline = Date.now() + 25000; // hang guard only
      while (Atomics.load(a, 0) !== 1 && Date.now() < deadline)
        await new Promise<void>((resolve) => setImmediate(resolve));
      const sawFlag = Atomics.load(a, 0) === 1;
      Atomics.store(a, 1, 1);
      return sawFlag;
    });
    const cpp = rt.launch(lib.task<[], number>('oracle_handshake'), [], {
      regions: [r.readWrite('flag').simultaneous()],
    });
    const tsDone = rt.launch(ts, [], { regions: [r.readWrite('flag').simultaneous()] });
    const [cppSaw, tsSaw] = await within(Promise.all([cpp.get(), tsDone.get()]), 40000, 'handshake');
    assert.equal(tsSaw, true, 'the TS task saw the flag the running C++ task stored');
    assert.equal(cppSaw, 1, 'the C++ task saw the answer of the running TS task');
    rt.destroyRegion(r);
  });
});

describe('sequential oracle in checking mode', function () {
  this.timeout(TIMEOUT);
  let rt: Runtime;
  let tasks: OracleTasks;
  before(async function () {
    if (hung) this.skip();
    rt = await Runtime.start({ workers: 2, checks: true });
    assert.equal(rt.checks, true, 'a runtime without checking mode was still running');
    tasks = oracleTasks(rt, await rt.loadLibrary(oracleKernels));
  });
  after(async () => {
    if (rt) await stop(rt);
  });

  it(`random programs match the sequential interpreter (the ~20% of the ${PROGRAMS} programs that run with checks: true; COHORT_ORACLE_SEED=${BASE_SEED})`, async () => {
    await runAll(rt, tasks, true);
  });
});
