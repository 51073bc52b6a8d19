import { strict as assert } from 'assert';
import { Future, Runtime, TaskContext } from '../lib';
import { within } from './helpers';

describe('TypeScript tasks', () => {
  let rt: Runtime;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
  });
  after(async () => {
    await rt.shutdown();
  });

  it('a task receives its arguments and its result resolves the future', async () => {
    const t = rt.registerTask(
      'concat',
      (_ctx, a: string, b: number, c: { k: number[] }) => `${a}:${b}:${c.k.join(',')}`,
    );
    assert.equal(await rt.launch(t, ['x', 2, { k: [1, 2] }]).get(), 'x:2:1,2');
  });

  it('runs on the JS processor', async () => {
    const t = rt.registerTask('where', (ctx: TaskContext) => ctx.processor);
    assert.equal(await rt.launch(t, []).get(), rt.jsProcessor);
  });

  it('a task waits for the futures it is given and sees their values in order', async () => {
    const slow = rt.registerTask('slow_value', async (_ctx, v: number) => {
      await new Promise((r) => setImmediate(r));
      return v;
    });
    const sum = rt.registerTask('sum_of_futures', (ctx) => (ctx.futures as number[]).reduce((a, b) => a + b, 0));
    const seen = rt.registerTask('futures_in_order', (ctx) => ctx.futures);
    const parts = [3, 1, 4, 1, 5].map((v) => rt.launch(slow, [v]));
    assert.equal(await rt.launch(sum, [], { futures: parts }).get(), 14);
    assert.deepEqual(await rt.launch(seen, [], { futures: parts }).get(), [3, 1, 4, 1, 5]);
  });

  it('a chain of 1000 dependent tasks gives the sequential result', async () => {
    const inc = rt.registerTask('inc_prev', (ctx) => ((ctx.futures[0] as number | undefined) ?? 0) + 1);
    let f: Future<number> = rt.launch(inc, []);
    for (let i = 1; i < 1000; i++) f = rt.launch(inc, [], { futures: [f] });
    assert.equal(await within(f.get(), 30000, 'chain'), 1000);
  });

  it('computes Fibonacci by recursive subtasks (tutorial 01)', async () => {
    const fib = rt.registerTask('fib_sub', async (ctx, n: number): Promise<number> => {
      if (n < 2) return n;
      const a = ctx.launch(fib, [n - 1]);
      const b = ctx.launch(fib, [n - 2]);
      return (await a.get()) + (await b.get());
    });
    const values = await Promise.all([0, 1, 2, 3, 4, 5, 6, 10].map((n) => rt.launch(fib, [n]).get()));
    assert.deepEqual(values, [0, 1, 1, 2, 3, 5, 8, 55]);
  });

  it("a task that returns a future resolves to that future's value", async () => {
    const leaf = rt.registerTask('leaf_value', () => 41);
    const outer = rt.registerTask('returns_future', (ctx) => ctx.launch(leaf, []));
    assert.equal(await rt.launch(outer, []).get(), 41);
  });

  it('typed arrays, bigints, nested objects and undefined round-trip through a future', async () => {
    const id = rt.registerTask('identity', (_ctx, v: unknown) => v as never);
    const value = {
      a: new Float64Array([1.5, -2]),
      b: [new Int32Array([7]), 9007199254740993n],
      c: { d: null, e: undefined, f: true },
    };
    assert.deepEqual(await rt.launch(id, [value]).get(), value);
  });

  it('an argument object with a "__proto__" key arrives as an own data property, its prototype untouched', async () => {
    const inspect = rt.registerTask('inspect_proto', (_ctx, v: Record<string, unknown>) => ({
      plain: Object.getPrototypeOf(v) === Object.prototype,
      keys: Object.keys(v),
      own: Object.getOwnPropertyDescriptor(v, '__proto__')?.value as number,
    }));
    assert.deepEqual(await rt.launch(inspect, [JSON.parse('{"__proto__": 5, "b": 2}')]).get(), {
      plain: true,
      keys: ['__proto__', 'b'],
      own: 5,
    });
    const echo = rt.registerTask('echo_ts', (_ctx, v: unknown) => v as never);
    const back = (await rt.launch(echo, [JSON.parse('{"__proto__": {"x": 1}}')]).get()) as object;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, { x: 1 });
  });

  it('pointArgs returning something other than an array is refused, naming the point', () => {
    const t = rt.registerTask('point_arg', (_ctx, n: number) => n);
    assert.throws(
      () => rt.indexLaunch(t, 3, { pointArgs: (p) => (p[0] === 1 ? (7 as unknown as [number]) : [p[0]]) }),
      {
        name: 'TypeError',
        message: "indexLaunch('point_arg'): pointArgs must return an array of arguments for point [1], got 7",
      },
    );
    assert.throws(
      () => rt.indexLaunch(t, 3, { args: 7 as unknown as [number] }),
      /indexLaunch\('point_arg'\): args must be an array, got 7/,
    );
  });

  it('Future.fromValue is ready at once and can feed a task', async () => {
    const f = Future.fromValue(21);
    assert.ok(f.isReady());
    const dbl = rt.registerTask('double_future', (ctx) => (ctx.futures[0] as number) * 2);
    assert.equal(await rt.launch(dbl, [], { futures: [f] }).get(), 42);
  });

  it('launching keeps the JS thread free: other callbacks run while tasks are pending', async () => {
    const order: string[] = [];
    const t = rt.registerTask('records', () => {
      order.push('task');
    });
    const f = rt.launch(t, []);
    order.push('after launch');
    await new Promise((r) => setImmediate(r));
    await f.get();
    assert.equal(order[0], 'after launch');
    assert.ok(order.includes('task'));
  });
});
