import { strict as assert } from 'assert';
import { Library, Rect, Runtime, TaskContext } from '../lib';
import { testKernels, within } from './helpers';

// The plan is data, and operations are named by (parent context, position
// in it): the same program gives the same plan whatever order promises and
// worker threads happen to run in.

/** Waits `ms` on a timer: perturbs how task bodies interleave (not synchronisation). */
function jitter(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Run {
  plan: string[];
  sum: number;
}

/**
 * A program with nested async subtasks (two levels below an index launch),
 * C++ and TS leaves, a fill, a trace replay, a fence and an inline mapping.
 * `delay()` says how long each async body waits before launching.
 */
async function runProgram(workers: number, delay: () => number): Promise<Run> {
  const rt = await Runtime.start({ workers });
  try {
    const tk: Library = await rt.loadLibrary(testKernels);
    rt.recordPlan();
    const r = rt.createRegion(Rect(0, 63), { x: 'f64', y: 'f64' });
    const blocks = rt.partitionEqual(r, 4);
    rt.fill(r, 'x', 1);
    const leaf = rt.registerTask('plan_leaf', async (ctx: TaskContext) => {
      await jitter(delay());
      return ctx.region(0).field('x').length;
    });
    const middle = rt.registerTask('plan_middle', async (ctx: TaskContext, k: number, i: number) => {
      await jitter(delay());
      const whole = blocks.subregion(i);
      const a = ctx.launch(tk.task('add_to_field'), [k], { regions: [whole.readWrite('x')] });
      await jitter(delay());
      const b = ctx.launch(leaf, [], { regions: [whole.read('x')] });
      await Promise.all([a.get(), b.get()]);
      return k;
    });
    const parent = rt.registerTask('plan_parent', async (ctx: TaskContext) => {
      const piece = blocks.subregion(ctx.point![0]);
      await jitter(delay());
      const first = ctx.launch(middle, [1, ctx.point![0]], { regions: [piece.readWrite('x')] });
      await jitter(delay());
      const second = ctx.launch(middle, [2, ctx.point![0]], { regions: [piece.readWrite('x')] });
      return (await first.get()) + (await second.get());
    });
    const parents = rt.indexLaunch(parent, Rect(0, 3), { regions: [blocks.readWrite('x')] });
    const step = rt.trace(() => {
      rt.launch(tk.task('add_to_field'), [1], { regions: [r.readWrite('y')] });
    });
    await within(step.replay(6).get(), 30000, 'replay');
    await within(rt.fence().get(), 30000, 'fence');
    const m = await within(rt.map(r.read('x')), 30000, 'inline map');
    await m.unmap();
    await within(parents.waitAll(), 30000, 'parents');
    const sum = (await rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get()) as number;
    return { plan: rt.plan(), sum };
  } finally {
    await rt.shutdown();
  }
}

describe('the plan', () => {
  it('a program with nested async subtasks gives the same plan under different scheduling and worker counts', async function () {
    this.timeout(60000);
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 4;
    };
    const calm = await runProgram(1, () => 0);
    const shaken = await runProgram(2, random);
    // Sequentially: 1 everywhere, then every element gets 1 + 2 from its block's two middles.
    assert.equal(calm.sum, 64 * 4);
    assert.equal(shaken.sum, 64 * 4);
    assert.deepEqual(shaken.plan, calm.plan);
    // The plan holds what ran, named by position: grandchildren are 3-part
    // names, every kind is there, and later operations name what they wait for.
    const text = calm.plan.join('\n');
    assert.match(
      text,
      /^\d+\.\d+\.\d+ task add_to_field on rank 0 processor any cpp priority 0 waits \[\] exclusion \[\]$/m,
    );
    assert.match(
      text,
      /^\d+\.\d+\.\d+ task plan_leaf on rank 0 processor js ts priority 0 waits \[\d+\.\d+\.\d+\] exclusion \[\]$/m,
    );
    assert.match(text, /^\d+\.\d+ task plan_middle .* waits \[\d+\.\d+\]/m);
    for (const kind of ['fill', 'point', 'task', 'fence', 'map']) assert.match(text, new RegExp(`^\\d+ ${kind} `, 'm'));
    // Every replayed iteration is there: the traced launch and its 6
    // incarnations, each after the previous one; the last one (analyzed
    // after the deferred ones) waits for the launch the analyzer knows and
    // every incarnation it stands for.
    const replayed = calm.plan.filter((l) => /^\d+ task add_to_field /.test(l));
    assert.equal(replayed.length, 1 + 6);
    assert.match(replayed[6], /waits \[\d+( \d+){3,}\]/);
  });

  it('a replayed index launch waits point by point: each point only for the same cells written before', async () => {
    const rt = await Runtime.start({ workers: 2 });
    try {
      const tk = await rt.loadLibrary(testKernels);
      const r = rt.createRegion(Rect(0, 15), { x: 'f64' });
      const cells = rt.partitionEqual(r, 4);
      rt.recordPlan();
      const trace = rt.trace(() => {
        rt.indexLaunch(tk.task<[number], void>('add_to_field'), Rect(0, 3), {
          args: [1],
          regions: [cells.readWrite('x')],
        });
      });
      await within(trace.replay(7).get(), 30000, 'replay');
      await within(rt.fence().get(), 30000, 'fence');
      // Recorded, analyzed, steady (deferred) and the last analyzed
      // iteration: 8 incarnations of 4 points, in program order.
      const lines = rt.plan().filter((l) => /^\d+ point add_to_field /.test(l));
      assert.equal(lines.length, 8 * 4);
      const nameOf = (l: string): string => l.split(' ')[0];
      const pointOf = new Map(lines.map((l, k) => [nameOf(l), k % 4]));
      for (let k = 4; k < lines.length; k++) {
        const waits = /waits \[([^\]]*)\]/.exec(lines[k])![1].split(' ');
        // The same point of the incarnation before, and no other point.
        assert.ok(waits.includes(nameOf(lines[k - 4])), lines[k]);
        for (const w of waits) assert.equal(pointOf.get(w), k % 4, `${lines[k]}: ${w} is another point`);
      }
      const m = await rt.map(r.read('x'));
      assert.deepEqual([...m.field('x')], new Array<number>(16).fill(8));
      await m.unmap();
    } finally {
      await rt.shutdown();
    }
  });

  it('plan names follow program order: a single launch takes one position, an index launch one plus one per point', async () => {
    const rt = await Runtime.start({ workers: 2 });
    try {
      const tk = await rt.loadLibrary(testKernels);
      rt.recordPlan();
      rt.launch(tk.task('empty'), []);
      rt.indexLaunch(tk.task('empty'), Rect(0, 2));
      rt.launch(tk.task('empty'), []);
      await within(rt.fence().get(), 30000, 'fence');
      assert.deepEqual(
        rt.plan().map((l) => l.split(' ').slice(0, 3).join(' ')),
        ['1 task empty', '3 point empty', '4 point empty', '5 point empty', '6 task empty', '7 fence waits'],
      );
      rt.recordPlan(false);
      rt.launch(tk.task('empty'), []);
      await within(rt.fence().get(), 30000, 'fence');
      assert.equal(rt.plan().length, 6, 'nothing is recorded once stopped');
    } finally {
      await rt.shutdown();
    }
  });
});
