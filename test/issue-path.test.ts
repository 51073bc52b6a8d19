// Issuing from TypeScript: a launch of any size crosses into the native
// addon once, and the JS thread does no work per point of an index launch
// until the program reads a point. Every function of the addon is wrapped
// with a call counter for the duration of each case.
import { strict as assert } from 'assert';
import { Future, FutureMap, Rect, Runtime } from '../lib';
import { native } from '../lib/native';

type Counts = Map<string, number>;

/** Calls `body` with every native function counted; returns the counts. */
async function countingNativeCalls(body: () => Promise<void> | void): Promise<Counts> {
  const counts: Counts = new Map();
  const addon = native as unknown as Record<string, unknown>;
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (const [name, value] of Object.entries(addon)) {
    if (typeof value !== 'function') continue;
    const fn = value as (...a: unknown[]) => unknown;
    originals.set(name, fn);
    addon[name] = (...args: unknown[]) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return fn(...args);
    };
  }
  try {
    await body();
  } finally {
    for (const [name, fn] of originals) addon[name] = fn;
  }
  return counts;
}

function total(c: Counts): number {
  let n = 0;
  for (const v of c.values()) n += v;
  return n;
}

describe('Issuing from TypeScript', () => {
  let rt: Runtime;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
  });
  after(async () => {
    await rt.shutdown();
  });

  it('an index launch of any size is one native call, and no point future is made until one is read', async () => {
    const t = rt.registerTask('point_value', (ctx) => ctx.point![0] * 10);
    for (const width of [4, 4096]) {
      let map: FutureMap<number> | undefined;
      const counts = await countingNativeCalls(() => {
        map = rt.indexLaunch(t, Rect(0, width - 1));
      });
      assert.deepEqual([...counts], [['indexLaunch', 1]], `width ${width}`);
      const m = map!;
      const reads = await countingNativeCalls(async () => {
        assert.equal(await m.get(width - 1).get(), (width - 1) * 10);
      });
      assert.equal(reads.get('futureMapPoint'), 1, 'one point future, for the point read');
      const values = await m.values();
      assert.equal(values.length, width);
      assert.deepEqual(values.slice(0, 4), [0, 10, 20, 30]);
    }
  });

  it('an index launch reduced to one future is one native call', async () => {
    const t = rt.registerTask('point_one', () => 1);
    let sum: Future<number> | undefined;
    const counts = await countingNativeCalls(() => {
      sum = rt.indexLaunch(t, Rect(0, 999), { reduce: 'sum' });
    });
    assert.deepEqual([...counts], [['indexLaunch', 1]]);
    assert.equal(await sum!.get(), 1000);
  });

  it('single launches and fills are one native call each', async () => {
    const t = rt.registerTask('nothing', () => undefined);
    const r = rt.createRegion(Rect(0, 63), { v: 'f64' });
    const counts = await countingNativeCalls(() => {
      rt.launch(t, []);
      rt.fill(r, 'v', 2);
    });
    assert.deepEqual([...counts], [['launch', 2]]);
    await rt.fence().get();
  });

  it('synchronous TS bodies that ran in one drain are completed in one native call', async () => {
    const t = rt.registerTask('sync_body', (_ctx, i: number) => i);
    const counts = await countingNativeCalls(async () => {
      const fs = Array.from({ length: 200 }, (_, i) => rt.launch(t, [i]));
      const values = await Promise.all(fs.map((f) => f.get()));
      assert.deepEqual(values.slice(0, 3), [0, 1, 2]);
    });
    assert.equal(counts.get('completeTask') ?? 0, 0);
    const drains = counts.get('takeWork') ?? 0;
    assert.ok(drains >= 1);
    assert.ok((counts.get('completeTasks') ?? 0) <= drains, `completeTasks once per drain, at most (${total(counts)})`);
  });

  it('a FutureMap rejects with the first failed point in row-major order, after every point finished', async () => {
    const t = rt.registerTask('fails_at_odd', (ctx) => {
      if (ctx.point![0] % 2 === 1) throw new Error(`point ${ctx.point![0]} failed`);
      return ctx.point![0];
    });
    const m = rt.indexLaunch(t, Rect(0, 5));
    await assert.rejects(m.waitAll(), /point 1 failed/);
    await assert.rejects(m.values(), /point 1 failed/);
    assert.equal(await m.get(4).get(), 4);
    assert.equal(m.size, 6);
  });
});
