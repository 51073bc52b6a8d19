import { strict as assert } from 'assert';
import { Library, Partition, Rect, Region, Runtime } from '../lib';
import { testKernels, within } from './helpers';

type Fields = { a: 'f64'; b: 'f64' };

describe('tracing', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  const W = 8;
  const N = 64;
  function setup(): { r: Region<Fields>; blocks: Partition<Fields>; ghosts: Partition<Fields> } {
    const r = rt.createRegion(Rect(0, N - 1), { a: 'f64', b: 'f64' });
    return { r, blocks: rt.partitionEqual(r, W), ghosts: rt.partitionByBlocks(r, N / W, 1) };
  }
  function step(s: ReturnType<typeof setup>, from: 'a' | 'b', to: 'a' | 'b'): void {
    rt.indexLaunch(tk.task('stencil_step'), Rect(0, W - 1), { args: [0, N - 1], regions: [s.ghosts.read(from), s.blocks.writeDiscard(to)] });
  }
  function sequential(steps: number): number[] {
    let v = Array.from({ length: N }, (_, i) => i % 7);
    for (let t = 0; t < steps; t++) v = v.map((x, i) => ((i > 0 ? v[i - 1] : 0) + 2 * x + (i < N - 1 ? v[i + 1] : 0) + 1) % 1000003);
    return v;
  }
  async function init(s: ReturnType<typeof setup>): Promise<void> {
    const m = await rt.map(s.r.writeDiscard('a'));
    m.field('a').forEach((_, i, arr) => (arr[i] = i % 7));
    await m.unmap();
  }

  it('a replayed trace gives the same fields as a fresh analysis (and as a sequential run)', async () => {
    const steps = 40;
    const fresh = setup();
    await init(fresh);
    for (let t = 0; t < steps; t += 2) {
      step(fresh, 'a', 'b');
      step(fresh, 'b', 'a');
    }
    const traced = setup();
    await init(traced);
    const trace = rt.trace(() => {
      step(traced, 'a', 'b');
      step(traced, 'b', 'a');
    });
    const done = trace.replay(steps / 2 - 1);
    await within(done.get(), 30000, 'replay');
    const stats = trace.stats;
    assert.equal(stats.launches, 2);
    assert.ok(stats.steady, JSON.stringify(stats));
    assert.ok(stats.replayedIterations > 0, JSON.stringify(stats));
    const a = await rt.map(fresh.r.read('a'));
    const b = await rt.map(traced.r.read('a'));
    assert.deepEqual([...b.field('a')], [...a.field('a')]);
    assert.deepEqual([...a.field('a')], sequential(steps));
    await a.unmap();
    await b.unmap();
  });

  it('work issued right after a replay waits for the replayed iterations', async () => {
    const s = setup();
    await init(s);
    const trace = rt.trace(() => {
      step(s, 'a', 'b');
      step(s, 'b', 'a');
    });
    trace.replay(30); // not awaited: the mapping below must order after it
    const m = await rt.map(s.r.read('a'));
    assert.deepEqual([...m.field('a')], sequential(62));
    await m.unmap();
    // Replaying again continues from where the last replay left off.
    await trace.replay(5).get();
    const m2 = await rt.map(s.r.read('a'));
    assert.deepEqual([...m2.field('a')], sequential(72));
    await m2.unmap();
  });

  it('an async body is refused, and no recording is left on by a refused or throwing body', async () => {
    const s = setup();
    assert.throws(
      () => rt.trace(async () => {
        step(s, 'a', 'b');
        await Promise.resolve();
      }),
      /rt\.trace: the body must be synchronous \(it returned a Promise or thenable\)/,
    );
    assert.throws(() => rt.trace(() => {
      throw new Error('body bug');
    }), /body bug/);
    // Nothing is being recorded any more: mappings work and a new trace records.
    const m = await rt.map(s.r.read('b'));
    await m.unmap();
    const trace = rt.trace(() => step(s, 'a', 'b'));
    assert.equal(trace.stats.launches, 1);
    await trace.replay(1).get();
  });

  it('an inline mapping or a fence inside a traced body is refused', async () => {
    const s = setup();
    let mapping: Promise<unknown> | undefined;
    rt.trace(() => {
      mapping = rt.map(s.r.read('a'));
      step(s, 'a', 'b');
    });
    await assert.rejects(mapping!, /an inline mapping cannot be part of a trace/);
    assert.throws(() => rt.trace(() => rt.fence()), /cannot be part of a trace/);
    assert.throws(() => rt.trace(() => undefined).replay(1), /launched nothing/);
  });
});
