import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Library, Partition, ProjectionFunctor, Rect, Region, Runtime } from '../lib';
import { root, testKernels, within } from './helpers';

/** Every point of a launch reaches piece 0. */
class AllToPieceZero extends ProjectionFunctor {
  project(): number {
    return 0;
  }
}

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
    rt.indexLaunch(tk.task('stencil_step'), Rect(0, W - 1), {
      args: [0, N - 1],
      regions: [s.ghosts.read(from), s.blocks.writeDiscard(to)],
    });
  }
  function sequential(steps: number): number[] {
    let v = Array.from({ length: N }, (_, i) => i % 7);
    for (let t = 0; t < steps; t++)
      v = v.map((x, i) => ((i > 0 ? v[i - 1] : 0) + 2 * x + (i < N - 1 ? v[i + 1] : 0) + 1) % 1000003);
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
    // Every point is a C++ task without futures: the steady iterations ran as graph iterations.
    assert.equal(stats.graphIterations, stats.replayedIterations, JSON.stringify(stats));
    const a = await rt.map(fresh.r.read('a'));
    const b = await rt.map(traced.r.read('a'));
    assert.deepEqual([...b.field('a')], [...a.field('a')]);
    assert.deepEqual([...a.field('a')], sequential(steps));
    await a.unmap();
    await b.unmap();
  });

  it('a steady body with a TS task replays with an op per point (no graph iterations), and still gives the sequential result', async () => {
    const steps = 20;
    const s = setup();
    await init(s);
    const touch = rt.registerTask('touch_between_steps', () => undefined);
    const trace = rt.trace(() => {
      step(s, 'a', 'b');
      rt.launch(touch, []);
      step(s, 'b', 'a');
    });
    await within(trace.replay(steps / 2 - 1).get(), 30000, 'replay');
    const stats = trace.stats;
    assert.ok(stats.replayedIterations > 0, JSON.stringify(stats));
    assert.equal(stats.graphIterations, 0, JSON.stringify(stats));
    const m = await rt.map(s.r.read('a'));
    assert.deepEqual([...m.field('a')], sequential(steps));
    await m.unmap();
  });

  it('a C++ point failing in a graph iteration rejects the replay and later readers, naming it as the root', async () => {
    const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const pieces = rt.partitionEqual(r, 2);
    await rt.fill(r, ['x'], 0).get();
    // Each iteration adds 1 to every element; the points fail once the count passes 12.
    const trace = rt.trace(() => {
      rt.indexLaunch(tk.task('count_up_or_fail'), Rect(0, 1), { args: [12], regions: [pieces.readWrite('x')] });
    });
    await assert.rejects(within(trace.replay(29).get(), 30000, 'replay'), (e: Error) => {
      assert.match(e.message, /count reached 13/);
      assert.match(e.message, /replayed trace/);
      return true;
    });
    assert.ok(trace.stats.graphIterations > 0, JSON.stringify(trace.stats));
    // A reader after the replay depends on the failed writers.
    await assert.rejects(rt.map(r.read('x')), /did not run because .*count reached 13/);
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

  async function fieldValues(r: Region<{ n: 'f64' }>): Promise<number[]> {
    const m = await rt.map(r.read('n'));
    const values = [...m.field('n')];
    await m.unmap();
    return values;
  }

  for (const kind of ['reduce', 'atomic', 'index reduce', 'index atomic'] as const) {
    for (const before of ['fill', 'read', 'read-write']) {
      it(`a replayed ${kind} body after a ${before} of its field applies every iteration, and a fence waits for all of them`, async () => {
        // Large enough that two bodies running at once, or a reader that
        // does not wait, would be seen (the bug lost updates in most trials).
        const n = 20000;
        const times = 20;
        const add = tk.task('add_to_field');
        for (let trial = 0; trial < 6; trial++) {
          const B = rt.createRegion(Rect(0, n - 1), { n: 'f64' });
          const pieces = rt.partitionEqual(B, 1);
          rt.fill(B, 'n', 0);
          if (before === 'read') rt.launch(tk.task('sum_field'), [], { regions: [B.read('n')] });
          if (before === 'read-write') rt.launch(add, [0], { regions: [B.readWrite('n')] });
          const points = kind.startsWith('index') ? 2 : 1;
          const trace = rt.trace(() => {
            if (kind === 'reduce') rt.launch(add, [1], { regions: [B.reduce('sum', 'n')] });
            else if (kind === 'atomic') rt.launch(add, [1], { regions: [B.readWrite('n').atomic()] });
            else {
              const req = kind === 'index reduce' ? pieces.reduce('sum', 'n') : pieces.readWrite('n').atomic();
              rt.indexLaunch(add, Rect(0, points - 1), { args: [1], regions: [req.project(new AllToPieceZero())] });
            }
          });
          trace.replay(times);
          await within(rt.fence().get(), 30000, 'fence after replay');
          const expected = (times + 1) * points;
          const values = await fieldValues(B);
          assert.ok(
            values.every((v) => v === expected),
            `trial ${trial}: expected every element ${expected}, saw ${Math.min(...values)}..${Math.max(...values)}`,
          );
          assert.ok(trace.stats.replayedIterations > 0, JSON.stringify(trace.stats));
          rt.destroyRegion(B);
        }
      });
    }
  }

  it('a future made inside a traced body is the one of the same iteration on every replay', async () => {
    let produced = 0;
    const received: number[] = [];
    const produce = rt.registerTask('trace_produce', () => ++produced);
    const consume = rt.registerTask('trace_consume', (ctx) => {
      received.push(ctx.futures[0] as number);
    });
    const trace = rt.trace(() => {
      const f = rt.launch(produce, []);
      rt.launch(consume, [], { futures: [f] });
    });
    await within(trace.replay(12).get(), 30000, 'replay');
    assert.deepEqual(
      received,
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
    assert.ok(trace.stats.replayedIterations > 0, JSON.stringify(trace.stats));
  });

  it('a reduced future of an index launch inside a traced body is reduced again on every replay', async () => {
    const R = rt.createRegion(Rect(0, 0), { n: 'f64' });
    const received: number[] = [];
    const point = rt.registerTask(
      'trace_point_value',
      (ctx) => ctx.point![0] + 10 * (ctx.region(0).field('n') as Float64Array)[0],
    );
    const next = rt.registerTask('trace_next_round', (ctx) => {
      (ctx.region(0).field('n') as Float64Array)[0] += 1;
    });
    const consume = rt.registerTask('trace_consume_sum', (ctx) => {
      received.push(ctx.futures[0] as number);
    });
    const trace = rt.trace(() => {
      const sum = rt.indexLaunch(point, Rect(0, 3), { reduce: 'sum', regions: [R.read('n')] });
      rt.launch(consume, [], { futures: [sum] });
      rt.launch(next, [], { regions: [R.readWrite('n')] });
    });
    await within(trace.replay(6).get(), 30000, 'replay');
    await rt.fence().get();
    assert.deepEqual(
      received,
      Array.from({ length: 7 }, (_, r) => 6 + 40 * r),
    );
  });

  it('a long replay is issued as the window allows, not all at once', async () => {
    const trace = rt.trace(() => {
      rt.launch(tk.task('empty'), []);
    });
    const done = trace.replay(200000);
    // The analyzed last iteration and the first window's worth are issued;
    // the rest follows as iterations finish.
    assert.ok(rt.outstanding <= rt.window + 2, `outstanding ${rt.outstanding} with window ${rt.window}`);
    await within(done.get(), 60000, 'long replay');
    const stats = trace.stats;
    assert.equal(stats.replayedIterations + stats.analyzedIterations, 200000, JSON.stringify(stats));
    assert.ok(stats.replayedIterations > 190000, JSON.stringify(stats));
  });

  it('a script that replays without awaiting stays alive until every iteration ran, then exits 0', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'test', 'programs', 'replay-and-leave.ts'), '30000'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60000,
      },
    );
    assert.equal(r.error, undefined, `did not finish: ${r.error?.message}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '30001');
  });

  it('a second replay waits for work issued since the first one', async () => {
    const B = rt.createRegion(Rect(0, 4999), { n: 'f64' });
    const add = tk.task('add_to_field');
    const trace = rt.trace(() => {
      rt.launch(add, [1], { regions: [B.reduce('sum', 'n')] });
    });
    trace.replay(10);
    rt.fill(B, 'n', 100);
    rt.launch(add, [0.5], { regions: [B.readWrite('n')] });
    trace.replay(10);
    await rt.fence().get();
    const values = await fieldValues(B);
    assert.ok(
      values.every((v) => v === 110.5),
      `saw ${Math.min(...values)}..${Math.max(...values)}`,
    );
  });

  it('a failure in a deferred replayed iteration rejects the replay', async () => {
    const B = rt.createRegion(Rect(0, 7), { n: 'f64' });
    let calls = 0;
    const flaky = rt.registerTask('trace_flaky', (ctx) => {
      if (++calls === 5) throw new Error('the fifth incarnation fails');
      (ctx.region(0).field('n') as Float64Array)[0] += 1;
    });
    const trace = rt.trace(() => {
      rt.launch(flaky, [], { regions: [B.reduce('sum', 'n')] });
    });
    await assert.rejects(within(trace.replay(10).get(), 30000, 'replay'), /the fifth incarnation fails/);
    assert.equal(calls, 11);
  });

  it('an async body is refused, and no recording is left on by a refused or throwing body', async () => {
    const s = setup();
    assert.throws(
      () =>
        rt.trace(async () => {
          step(s, 'a', 'b');
          await Promise.resolve();
        }),
      /rt\.trace: the body must be synchronous \(it returned a Promise or thenable\)/,
    );
    assert.throws(
      () =>
        rt.trace(() => {
          throw new Error('body bug');
        }),
      /body bug/,
    );
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
