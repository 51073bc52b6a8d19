// The randomized sequential-oracle test: random programs (regions,
// partitions, fills, single and index launches with every privilege, inline
// mappings) run on the runtime with 2 workers, choosing the TS or the C++
// variant of the same kernel per operation, and are compared element by
// element with a sequential interpreter. Seeded: program i uses seed
// COHORT_ORACLE_SEED + i (random base by default, shown in the test title
// and in every failure); COHORT_ORACLE_PROGRAMS sets how many (default 500).
//
// Also: instrumentation (not timing) showing that point tasks of one index
// launch run at the same time, and that a TS task and a C++ task overlap.
import { strict as assert } from 'assert';
import * as path from 'path';
import { Library, Rect, Runtime } from '../lib';
import { kernelsDir, within } from './helpers';
import { generate } from './oracle/program';
import { oracleTasks, OracleTasks, runProgram } from './oracle/run';

const oracleKernels = path.join(kernelsDir, 'liboracle_kernels.so');

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}

const BASE_SEED = envInt('COHORT_ORACLE_SEED', Math.floor(Math.random() * 2 ** 31)) >>> 0;
const PROGRAMS = envInt('COHORT_ORACLE_PROGRAMS', 500);

describe('sequential oracle', function () {
  this.timeout(300000);
  let rt: Runtime;
  let lib: Library;
  let tasks: OracleTasks;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    lib = await rt.loadLibrary(oracleKernels);
    tasks = oracleTasks(rt, lib);
  });
  after(async () => {
    await rt.shutdown();
  });

  it(`${PROGRAMS} random programs match the sequential interpreter (COHORT_ORACLE_SEED=${BASE_SEED})`, async () => {
    for (let i = 0; i < PROGRAMS; i++) {
      const seed = (BASE_SEED + i) >>> 0;
      await runProgram(rt, tasks, generate(seed));
    }
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
    const fm = rt.indexLaunch(lib.task<[number, number], number>('oracle_rendezvous'), Rect(0, 1), { args: [slot, 2], regions: [p.readWrite('v')] });
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
      while (Atomics.load(a, 0) !== 1 && Date.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
      const sawFlag = Atomics.load(a, 0) === 1;
      Atomics.store(a, 1, 1);
      return sawFlag;
    });
    const cpp = rt.launch(lib.task<[], number>('oracle_handshake'), [], { regions: [r.readWrite('flag').simultaneous()] });
    const tsDone = rt.launch(ts, [], { regions: [r.readWrite('flag').simultaneous()] });
    const [cppSaw, tsSaw] = await within(Promise.all([cpp.get(), tsDone.get()]), 40000, 'handshake');
    assert.equal(tsSaw, true, 'the TS task saw the flag the running C++ task stored');
    assert.equal(cppSaw, 1, 'the C++ task saw the answer of the running TS task');
    rt.destroyRegion(r);
  });
});
