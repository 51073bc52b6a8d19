import { strict as assert } from 'assert';
import { Future, Library, Rect, Runtime } from '../lib';
import { testKernels, within } from './helpers';

describe('regions and partitions', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('every createRegion makes a new region tree, even with the same bounds and fields', () => {
    const a = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const b = rt.createRegion(Rect(0, 9), { x: 'f64' });
    assert.notEqual(a.tree.id, b.tree.id);
    assert.deepEqual(a.bounds, { lo: [0], hi: [9] });
    assert.equal(a.volume, 10);
  });

  it('equal, halo and explicit partitions know whether they are disjoint and complete', () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const eq = rt.partitionEqual(r, 3);
    assert.equal(eq.disjoint, true);
    assert.equal(eq.complete, true);
    assert.deepEqual(
      [0, 1, 2].map((c) => eq.subregion(c).bounds),
      [
        { lo: [0], hi: [3] },
        { lo: [4], hi: [6] },
        { lo: [7], hi: [9] },
      ],
    );
    const halo = rt.partitionByBlocks(r, 5, 1);
    assert.equal(halo.disjoint, false);
    assert.deepEqual(halo.subregion(0).bounds, { lo: [0], hi: [5] });
    assert.deepEqual(halo.subregion(1).bounds, { lo: [4], hi: [9] });
    const gaps = rt.partitionByRects(r, [Rect(0, 2), Rect(5, 6)]);
    assert.equal(gaps.disjoint, true);
    assert.equal(gaps.complete, false);
    const overlap = rt.partitionByRects(r, [Rect(0, 5), Rect(5, 9)]);
    assert.equal(overlap.disjoint, false);
    assert.equal(overlap.complete, true);
  });

  it('a color outside the color space is a clear error', () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const p = rt.partitionEqual(r, 2);
    assert.throws(() => p.subregion(2), /color \[2\] is outside the partition's color space/);
  });

  it('storage is zero-filled and fill is an operation in program order', async () => {
    const r = rt.createRegion(Rect(0, 99), { x: 'f64', n: 'i32' });
    const zero = await rt.map(r.read('x', 'n'));
    assert.ok(zero.field('x').every((v) => v === 0));
    assert.ok(zero.field<Int32Array>('n').every((v) => v === 0));
    await zero.unmap();
    rt.fill(r, 'x', 2);
    rt.launch(tk.task('add_to_field'), [3], { regions: [r.readWrite('x')] });
    rt.fill(r, 'n', 7);
    const m = await rt.map(r.read('x', 'n'));
    assert.ok(m.field('x').every((v) => v === 5));
    assert.ok(m.field<Int32Array>('n').every((v) => v === 7));
    await m.unmap();
  });

  it('a TS task sees a 2-D subregion as a typed array window with bounds and strides', async () => {
    const r = rt.createRegion(Rect([0, 0], [3, 5]), { v: 'f64' });
    const p = rt.partitionEqual(r, Rect([0, 0], [1, 1]));
    const stamp = rt.registerTask('stamp_2d', (ctx) => {
      const view = ctx.region(0).view('v');
      for (let i = view.bounds.lo[0]; i <= view.bounds.hi[0]; i++)
        for (let j = view.bounds.lo[1]; j <= view.bounds.hi[1]; j++) view.data[view.index(i, j)] = i * 10 + j;
      return view.strides as number[];
    });
    const strides = await rt.launch(stamp, [], { regions: [p.subregion([1, 1]).writeDiscard('v')] }).get();
    assert.deepEqual(strides, [6, 1]);
    const m = await rt.map(r.read('v'));
    const all = m.view('v');
    for (let i = 0; i <= 3; i++)
      for (let j = 0; j <= 5; j++)
        assert.equal(all.data[all.index(i, j)], i >= 2 && j >= 3 ? i * 10 + j : 0, `(${i},${j})`);
    await m.unmap();
    assert.equal(
      await rt.launch(tk.task('sum_field'), [], { regions: [p.subregion([1, 1]).read('v')] }).get(),
      23 + 24 + 25 + 33 + 34 + 35,
    );
  });

  it('an empty piece gives TS tasks and inline mappings a zero-length view that aliases no neighbour (1-D)', async () => {
    const r = rt.createRegion(Rect(0, 2), { x: 'f64' });
    const p = rt.partitionEqual(r, 5); // pieces 3 and 4 are empty
    const stamp = rt.registerTask('stamp_piece', (ctx) => {
      const region = ctx.region(0);
      const x = region.field('x');
      x.fill(ctx.point![0]);
      return { length: x.length, bounds: region.bounds, rects: region.rects } as never;
    });
    const seen = (await rt.indexLaunch(stamp, 5, { regions: [p.writeDiscard('x')] }).values()) as unknown as {
      length: number;
    }[];
    assert.deepEqual(
      seen.map((s) => s.length),
      [1, 1, 1, 0, 0],
    );
    assert.deepEqual(seen[4], { length: 0, bounds: { lo: [0], hi: [-1] }, rects: [] });
    const m = await rt.map(r.read('x'));
    assert.deepEqual([...m.field('x')], [0, 1, 2]);
    await m.unmap();
    const empty = await rt.map(p.subregion(3).read('x'));
    assert.equal(empty.field('x').length, 0);
    assert.deepEqual(empty.bounds, { lo: [0], hi: [-1] });
    assert.deepEqual(empty.rects, []);
    await empty.unmap();
  });

  it('an empty 2-D piece gives a zero-length view with empty bounds', async () => {
    const r = rt.createRegion(Rect([0, 0], [1, 2]), { v: 'f64' });
    const p = rt.partitionEqual(r, Rect([0, 0], [2, 0])); // row pieces 0 and 1; piece 2 is empty
    const stamp = rt.registerTask('stamp_piece_2d', (ctx) => {
      const view = ctx.region(0).view('v');
      view.data.fill(ctx.point![0] + 1);
      return { length: view.data.length, bounds: view.bounds } as never;
    });
    const seen = (await rt
      .indexLaunch(stamp, Rect([0, 0], [2, 0]), { regions: [p.writeDiscard('v')] })
      .values()) as unknown as { length: number }[];
    assert.deepEqual(
      seen.map((s) => s.length),
      [3, 3, 0],
    );
    assert.deepEqual(seen[2], { length: 0, bounds: { lo: [0, 0], hi: [-1, -1] } });
    const m = await rt.map(r.read('v'));
    assert.deepEqual([...m.field('v')], [1, 1, 1, 2, 2, 2]);
    await m.unmap();
    const empty = await rt.map(p.subregion([2, 0]).read('v'));
    assert.equal(empty.field('v').length, 0);
    assert.deepEqual(empty.bounds, { lo: [0, 0], hi: [-1, -1] });
    await empty.unmap();
  });

  it('an empty top-level region maps inline and reaches TS tasks with zero-length fields', async () => {
    const lengths = rt.registerTask('field_lengths', (ctx) =>
      ctx.region(0).fieldNames.map((f) => ctx.region(0).field(f).length),
    );
    for (const bounds of [Rect(5, 2), Rect([0, 3], [2, 1])]) {
      const r = rt.createRegion(bounds, { x: 'f64', n: 'i32' });
      assert.equal(r.volume, 0);
      await rt.fill(r, 'n', 7).get();
      const m = await rt.map(r.readWrite('x', 'n'));
      assert.equal(m.field('x').length, 0);
      assert.equal(m.field<Int32Array>('n').length, 0);
      await m.unmap();
      assert.deepEqual(await rt.launch(lengths, [], { regions: [r.read()] }).get(), [0, 0]);
    }
  });

  it('index launches give each point its subregion and reduce point results', async () => {
    const r = rt.createRegion(Rect(0, 11), { x: 'f64' });
    const p = rt.partitionEqual(r, 4);
    const fm = rt.indexLaunch(tk.task('write_point'), Rect(0, 3), { regions: [p.writeDiscard('x')] });
    await fm.waitAll();
    const sums = rt.indexLaunch(tk.task<[], number>('sum_field'), Rect(0, 3), { regions: [p.read('x')] });
    assert.deepEqual(await sums.values(), [0, 3, 6, 9]);
    assert.equal(await sums.get(2).get(), 6);
    const total = rt.indexLaunch(tk.task('sum_field'), Rect(0, 3), { regions: [p.read('x')], reduce: 'sum' });
    assert.equal(await total.get(), 18);
    const max = rt.indexLaunch(tk.task('sum_field'), Rect(0, 3), { regions: [p.read('x')], reduce: 'max' });
    assert.equal(await max.get(), 9);
  });

  it('an offset projection gives point p the subregion p + k', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const p = rt.partitionEqual(r, 4);
    await rt.indexLaunch(tk.task('write_point'), Rect(0, 2), { regions: [p.writeDiscard('x').offset(1)] }).waitAll();
    const m = await rt.map(r.read('x'));
    assert.deepEqual([...m.field('x')], [0, 0, 0, 0, 1, 1, 2, 2]);
    await m.unmap();
  });

  it('an index launch with more requirements and fields than the launch encoder first holds sees each one', async () => {
    // 60 fields on each of 5 requirements: 335 numbers, past the 256 the encoder starts with.
    const names = Array.from({ length: 60 }, (_, i) => `f${i}`);
    const spec = Object.fromEntries(names.map((n) => [n, 'f64' as const]));
    const out = rt.createRegion(Rect(0, 7), spec);
    const inputs = rt.createRegion(Rect(0, 7), spec);
    const outPieces = rt.partitionEqual(out, 4);
    const inPieces = rt.partitionEqual(inputs, 4);
    const last = names[names.length - 1];
    const written = [last, ...names.slice(0, -1)]; // field 0 of requirement 0 is the last field
    await rt
      .indexLaunch(tk.task('write_point'), Rect(0, 3), {
        regions: [outPieces.writeDiscard(...written), ...[1, 2, 3, 4].map(() => inPieces.read(...names))],
      })
      .waitAll();
    const m = await rt.map(out.read(last));
    assert.deepEqual([...m.field(last)], [0, 0, 1, 1, 2, 2, 3, 3]);
    await m.unmap();
  });

  it('an index launch refuses an entry of regions that is not a requirement, naming what it was', () => {
    const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const p = rt.partitionEqual(r, 2);
    assert.throws(
      () =>
        rt.indexLaunch(tk.task('write_point'), Rect(0, 1), {
          regions: [p.writeDiscard('x'), p as unknown as ReturnType<typeof p.read>],
        }),
      /indexLaunch\('write_point'\): each entry of regions must be a requirement such as partition.read\('x'\)/,
    );
  });

  it('two points of one launch writing overlapping elements are an error naming both points and the field', () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const halo = rt.partitionByBlocks(r, 5, 1);
    assert.throws(
      () => rt.indexLaunch(tk.task('write_point'), Rect(0, 1), { regions: [halo.readWrite('x')] }),
      (e: Error) => /\(0\)/.test(e.message) && /\(1\)/.test(e.message) && /'x'|field 0/.test(e.message),
    );
    // Reading the same aliased partition is fine.
    return rt.indexLaunch(tk.task('sum_field'), Rect(0, 1), { regions: [halo.read('x')] }).waitAll();
  });

  it("a field the region lacks is an error naming the field and the region's fields", () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64', y: 'f64' });
    assert.throws(
      () =>
        rt.launch(tk.task('sum_field'), [], { regions: [(r as unknown as { read(f: string): never }).read('nope')] }),
      /no field 'nope'; its fields are x, y/,
    );
  });

  it('read-only tasks on the same data never wait for each other (they run at the same time)', async () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    rt.fill(r, 'x', 1);
    await rt.launch(tk.task('reset_probe'), []).get();
    const a = rt.launch(tk.task<[number], number>('rendezvous'), [2], { regions: [r.read('x')] });
    const b = rt.launch(tk.task<[number], number>('rendezvous'), [2], { regions: [r.read('x')] });
    assert.deepEqual(await within(Promise.all([a.get(), b.get()]), 30000, 'two readers'), [2, 2]);
  });

  it('independent point tasks of one index launch run at the same time', async () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const p = rt.partitionEqual(r, 2);
    await rt.launch(tk.task('reset_probe'), []).get();
    const seen = rt.indexLaunch(tk.task<[number], number>('point_rendezvous'), Rect(0, 1), {
      args: [2],
      regions: [p.readWrite('x')],
    });
    assert.deepEqual(await within(seen.values(), 30000, 'point rendezvous'), [2, 2]);
  });

  it('a point of the next launch starts while a point of the previous one it does not overlap still runs', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const cells = rt.partitionEqual(r, 4);
    await rt.launch(tk.task('reset_probe'), []).get();
    // Step t: point 0 holds its worker until point 3 of step t+1 has run,
    // which waits only for point 3 of step t (the same cells).
    const held = rt.indexLaunch(tk.task<[number], number>('hold_point'), Rect(0, 3), {
      args: [0],
      regions: [cells.readWrite('x')],
    });
    const release = rt.indexLaunch(tk.task<[number], number>('release_point'), Rect(0, 3), {
      args: [3],
      regions: [cells.readWrite('x')],
    });
    assert.deepEqual(await within(held.values(), 30000, 'held step'), [1, 1, 1, 1]);
    await within(release.values(), 30000, 'release step');
  });

  it('a reader of the whole region still waits for every point that wrote it', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const cells = rt.partitionEqual(r, 4);
    rt.indexLaunch(tk.task<[number], void>('write_point'), Rect(0, 3), { regions: [cells.writeDiscard('x')] });
    const m = await rt.map(r.read('x'));
    assert.deepEqual([...m.field('x')], [0, 0, 1, 1, 2, 2, 3, 3]);
    await m.unmap();
  });

  it('an execution fence: work after it starts only after everything before it finished', async () => {
    const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const order: string[] = [];
    const before = rt.registerTask('before_fence', async () => {
      await new Promise((res) => setImmediate(res));
      order.push('before');
    });
    const afterT = rt.registerTask('after_fence', () => {
      order.push('after');
    });
    rt.launch(before, [], { regions: [r.readWrite('x')] });
    const fence = rt.fence();
    const last = rt.launch(afterT, []); // no region: ordered only by the fence
    await last.get();
    await fence.get();
    assert.deepEqual(order, ['before', 'after']);
  });

  it('an execution fence waits for tasks without region requirements too, and for a replay issued before it', async () => {
    const order: string[] = [];
    const slow = rt.registerTask('slow_without_regions', async () => {
      await new Promise((res) => setImmediate(res));
      order.push('slow');
    });
    const afterT = rt.registerTask('after_fence_too', () => {
      order.push('after');
    });
    const sleepy = tk.task('empty');
    rt.launch(slow, []);
    rt.indexLaunch(slow, Rect(0, 1));
    const trace = rt.trace(() => {
      rt.launch(sleepy, []);
    });
    const replayed = trace.replay(5000);
    const fence = rt.fence();
    await within(rt.launch(afterT, []).get(), 30000, 'after the fence');
    await fence.get();
    assert.deepEqual(order, ['slow', 'slow', 'slow', 'after']);
    assert.equal(replayed.isReady(), true);
  });

  it('an execution fence waits for every point of an index launch with requirements (the launch joins the fence once)', async () => {
    const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const pieces = rt.partitionEqual(r, 4);
    const order: string[] = [];
    const slowPoint = rt.registerTask('slow_point_before_fence', async (ctx) => {
      for (let i = 0; i <= ctx.point![0]; i++) await new Promise((res) => setImmediate(res));
      order.push(`point ${ctx.point![0]}`);
    });
    const afterT = rt.registerTask('after_points_fence', () => {
      order.push('after');
    });
    const points = rt.indexLaunch(slowPoint, Rect(0, 3), { regions: [pieces.writeDiscard('x')] });
    const fence = rt.fence();
    await within(rt.launch(afterT, []).get(), 30000, 'the launch after the fence'); // no region: only the fence orders it
    await fence.get();
    await points.waitAll();
    assert.equal(order.length, 5);
    assert.equal(order[4], 'after', `the fence let a launch run before every point finished: ${order.join(', ')}`);
    assert.deepEqual(order.slice(0, 4).sort(), ['point 0', 'point 1', 'point 2', 'point 3']);
  });

  it('a TS task can launch subtasks on its own region without waiting on itself', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const parent = rt.registerTask('parent_with_children', async (ctx) => {
      const p = ctx.runtime.partitionEqual(r, 2);
      const kids = ctx.indexLaunch(tk.task('write_point'), Rect(0, 1), { regions: [p.writeDiscard('x')] });
      await kids.waitAll();
      return (await ctx.launch(tk.task<[], number>('sum_field'), [], { regions: [r.read('x')] }).get()) as number;
    });
    assert.equal(await within(rt.launch(parent, [], { regions: [r.readWrite('x')] }).get(), 30000, 'parent'), 4);
    // The parent completed only after its children: a reader after it sees their writes.
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get(), 4);
  });

  it('destroying a region frees it for later use: its handles are rejected', () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    rt.destroyRegion(r);
    assert.throws(() => rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }), /destroyed/);
  });

  it('destroyRegion refuses a subregion and leaves the tree usable', async () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const p = rt.partitionEqual(r, 2);
    assert.throws(
      () => rt.destroyRegion(p.subregion(1)),
      /destroyRegion takes a top-level region from createRegion; region \d+ of tree \d+ \(bounds .*\) is a subregion of that tree's top-level region/,
    );
    rt.fill(r, 'x', 1);
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [p.subregion(1).read('x')] }).get(), 5);
    rt.destroyRegion(r);
  });

  it('rect bounds that are not integers (1.5, NaN, Infinity) are a RangeError naming the bound', () => {
    assert.throws(() => Rect(0, 1.5), { name: 'RangeError', message: 'rect hi must be an integer, got 1.5' });
    assert.throws(() => Rect(NaN, 3), { name: 'RangeError', message: 'rect lo must be an integer, got NaN' });
    assert.throws(() => Rect([0, 0], [3, Infinity]), {
      name: 'RangeError',
      message: 'rect hi[1] must be an integer, got Infinity',
    });
    // Plain {lo, hi} objects reach the runtime unchecked by Rect(): it refuses them too.
    assert.throws(() => rt.createRegion({ lo: [0], hi: [1.5] }, { x: 'f64' }), {
      name: 'RangeError',
      message: /region bounds hi\[0\] must be an integer, got 1\.5/,
    });
    assert.throws(() => rt.createRegion({ lo: [-Infinity], hi: [3] }, { x: 'f64' }), {
      name: 'RangeError',
      message: /region bounds lo\[0\] must be an integer, got -Infinity/,
    });
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    assert.throws(() => rt.partitionByRects(r, [{ lo: [0], hi: [2.5] }]), {
      name: 'RangeError',
      message: /partition rect hi\[0\] must be an integer, got 2\.5/,
    });
    assert.throws(() => rt.partitionEqual(r, { lo: [0], hi: [NaN] }), {
      name: 'RangeError',
      message: /color space hi\[0\] must be an integer, got NaN/,
    });
    assert.throws(() => rt.partitionEqual(r, 2).subregion(0.5), {
      name: 'RangeError',
      message: 'color must be an integer, got 0.5',
    });
    assert.throws(() => rt.indexLaunch(tk.task('empty'), { lo: [0], hi: [1.5] }), {
      name: 'RangeError',
      message: "indexLaunch('empty'): domain hi[0] must be an integer, got 1.5",
    });
  });

  it('fill refuses a value an integer field cannot hold exactly, naming the field, its type and the range', async () => {
    const r = rt.createRegion(Rect(0, 3), { f: 'f64', g: 'f32', l: 'i64', i: 'i32', u: 'u32', b: 'u8' });
    const bad: [string, string, number | bigint][] = [
      ['l', 'i64', 2 ** 63],
      ['l', 'i64', 2n ** 63n],
      ['l', 'i64', 0.5],
      ['i', 'i32', 2 ** 31],
      ['i', 'i32', -(2 ** 31) - 1],
      ['i', 'i32', 1.5],
      ['i', 'i32', NaN],
      ['u', 'u32', -1],
      ['u', 'u32', 2 ** 32],
      ['u', 'u32', Infinity],
      ['b', 'u8', 256],
      ['b', 'u8', -1],
      ['b', 'u8', 300n],
    ];
    for (const [field, type, value] of bad) {
      assert.throws(
        () => rt.fill(r, field as 'i', value),
        (e: Error) =>
          e instanceof RangeError &&
          e.message.startsWith(`fill: field '${field}' is ${type}, which holds integers from `) &&
          e.message.endsWith(`cannot fill it with ${String(value)}`),
        `${type} ${String(value)}`,
      );
    }
    assert.throws(
      () => rt.fill(r, ['f', 'b'], 256),
      /field 'b' is u8, which holds integers from 0 to 255; cannot fill it with 256/,
    );
    assert.throws(() => rt.fill(r, 'i', 2 ** 31), /from -2147483648 to 2147483647/);
    // Edge values and floats are fine.
    rt.fill(r, 'l', -(2n ** 63n));
    rt.fill(r, 'i', -(2 ** 31));
    rt.fill(r, 'u', 2 ** 32 - 1);
    rt.fill(r, 'b', 255n);
    rt.fill(r, 'f', 1.5);
    await rt.fill(r, 'g', 1e300).get();
    const m = await rt.map(r.read());
    assert.equal(m.field<BigInt64Array>('l')[0], -(2n ** 63n));
    assert.equal(m.field<Int32Array>('i')[1], -(2 ** 31));
    assert.equal(m.field<Uint32Array>('u')[2], 2 ** 32 - 1);
    assert.equal(m.field<Uint8Array>('b')[3], 255);
    assert.equal(m.field('f')[0], 1.5);
    assert.equal(m.field<Float32Array>('g')[0], Infinity);
    await m.unmap();
  });

  it('an inline mapping after a failed writer rejects like a dependent task, naming the failed writer, even once it finished', async () => {
    const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const partial = rt.registerTask('writes_then_fails', (ctx) => {
      ctx.region(0).field('x')[0] = 99;
      throw new Error('failed half way');
    });
    const reader = rt.registerTask('reads_x0', (ctx) => ctx.region(0).field('x')[0]);
    const dependent =
      /did not run because task 'writes_then_fails' \(op #\d+\), which it depends on, failed: failed half way/;
    const w = rt.launch(partial, [], { regions: [r.readWrite('x')] });
    const early = rt.launch(reader, [], { regions: [r.read('x')] });
    await assert.rejects(early.get(), dependent);
    await assert.rejects(w.get(), /failed half way/);
    // The writer has finished: later operations on its data still do not see the partial write.
    await assert.rejects(
      rt.map(r.read('x')),
      new RegExp(`task 'cohort.inline_map' \\(op #\\d+\\) ${dependent.source}`),
    );
    await assert.rejects(rt.launch(reader, [], { regions: [r.read('x')] }).get(), dependent);
    // Other regions are unaffected.
    const other = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const m = await rt.map(other.read('x'));
    assert.equal(m.field('x')[0], 0);
    await m.unmap();
  });

  it('a long issuing loop stays bounded with throttle(): 10^6 launches', async function () {
    this.timeout(300000);
    const empty = tk.task('empty');
    let maxOutstanding = 0;
    let last: Future<unknown> | undefined;
    for (let i = 0; i < 1_000_000; i++) {
      last = rt.launch(empty, []);
      if ((i & 255) === 0) {
        maxOutstanding = Math.max(maxOutstanding, rt.outstanding);
        await rt.throttle();
      }
    }
    await last!.get();
    assert.ok(maxOutstanding <= rt.window + 256, `outstanding reached ${maxOutstanding}, window ${rt.window}`);
  });
});

describe('reduction operators registered by a C++ library', () => {
  it('same-operator reductions run in any order and combine; a reader after them sees the result', async () => {
    const rt = await Runtime.start({ workers: 2 });
    const tk = await rt.loadLibrary(testKernels);
    const bitor = tk.reduction('bitor');
    assert.ok(bitor >= 5);
    const r = rt.createRegion(Rect(0, 15), { bits: 'i32' });
    const orBits = tk.task<[number], number>('or_bits');
    const redops = await Promise.all(
      [1, 2, 4, 8, 16].map((mask) => rt.launch(orBits, [mask], { regions: [r.reduce(bitor, 'bits')] }).get()),
    );
    assert.ok(
      redops.every((id) => id === bitor),
      'the task sees the operator id',
    );
    const m = await rt.map(r.read('bits'));
    assert.ok(m.field<Int32Array>('bits').every((v) => v === 31));
    await m.unmap();
    assert.throws(() => tk.reduction('xor'), /registered no reduction operator 'xor'; it registered: bitor/);
    assert.throws(() => r.reduce('median' as 'sum', 'bits'), /unknown reduction 'median'/);
    await rt.shutdown();
  });
});

describe('inline mappings the program forgets to unmap', () => {
  it('shutdown unmaps them with a warning, so tasks waiting on them finish', async () => {
    const rt = await Runtime.start({ workers: 2 });
    const tk = await rt.loadLibrary(testKernels);
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const m = await rt.map(r.readWrite('x'));
    m.field('x')[0] = 5;
    const later = rt.launch(tk.task<[], number>('sum_field'), [], { regions: [r.read('x')] });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      await within(rt.shutdown(), 30000, 'shutdown with an open mapping');
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(await later.get(), 5);
    assert.match(warnings.join('\n'), /unmapped 1 inline mapping/);
  });

  it('a script that maps a region and never unmaps it still exits', function () {
    this.timeout(60000);
    const { spawnSync } = require('child_process') as typeof import('child_process');
    const script = `
      const { Runtime, Rect } = require(${JSON.stringify(require('path').join(__dirname, '..', 'lib'))});
      (async () => {
        const rt = await Runtime.start({ workers: 1 });
        const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
        const m = await rt.map(r.readWrite('x'));
        m.field('x')[1] = 2;
        console.log('mapped', m.field('x')[1]);
      })();
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(res.error, undefined, `the script did not exit: ${res.error?.message}`);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /mapped 2/);
  });
});

describe('dependence analysis cost', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('users examined per launch does not grow with the number of earlier launches', async function () {
    this.timeout(120000);
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    const add = tk.task('add_to_field');
    const examinedPerLaunch = (n: number): number => {
      const before = rt.analysisCounters().usersExamined;
      for (let i = 0; i < n; i++) rt.launch(add, [1], { regions: [r.readWrite('x')] });
      return (rt.analysisCounters().usersExamined - before) / n;
    };
    const early = examinedPerLaunch(1000);
    for (let i = 0; i < 8; i++) examinedPerLaunch(1000);
    const late = examinedPerLaunch(1000);
    assert.ok(late <= early + 1, `early ${early}, late ${late}`);
    const m = await rt.map(r.read('x'));
    assert.equal(m.field('x')[0], 10000);
    await m.unmap();
  });

  it('touching one piece of a 4096-piece disjoint partition examines O(1) users, not 4096', async () => {
    const r = rt.createRegion(Rect(0, 4095), { x: 'f64' });
    const p = rt.partitionEqual(r, 4096);
    await rt.indexLaunch(tk.task('write_point'), Rect(0, 4095), { regions: [p.writeDiscard('x')] }).waitAll();
    rt.analysisCounters(true);
    await rt.launch(tk.task('add_to_field'), [1], { regions: [p.subregion(17).readWrite('x')] }).get();
    const c = rt.analysisCounters();
    assert.ok(c.usersExamined <= 4, `examined ${c.usersExamined}`);
    assert.ok(c.piecesVisited <= 4, `visited ${c.piecesVisited}`);
  });
});

describe('checking mode', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2, checks: true });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('a C++ task writing a field it only asked to read fails, naming task, region, field and privilege', async () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    await assert.rejects(
      rt.launch(tk.task('scribble'), [], { regions: [r.read('x')] }).get(),
      /task 'scribble' \(op #\d+\) wrote field 'x' of region 0 of tree \d+ \(region requirement 0\), but its privilege is read-only/,
    );
  });

  it('a TS task writing a field it only asked to read fails the same way', async () => {
    const r = rt.createRegion(Rect(0, 9), { y: 'f64' });
    const sneaky = rt.registerTask('sneaky', (ctx) => {
      ctx.region(0).field('y')[3] = 42;
    });
    await assert.rejects(
      rt.launch(sneaky, [], { regions: [r.read('y')] }).get(),
      /task 'sneaky' .* wrote field 'y' .* read-only/,
    );
  });

  it('writing with a write privilege is fine in checking mode', async () => {
    const r = rt.createRegion(Rect(0, 9), { x: 'f64' });
    await rt.launch(tk.task('scribble'), [], { regions: [r.readWrite('x')] }).get();
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get(), 1);
  });

  it('a TS task writing one column past its 2-D piece is the one that fails, and its neighbour keeps its data', async () => {
    const r = rt.createRegion(Rect([0, 0], [3, 7]), { v: 'f64' });
    const columns = rt.partitionByRects(r, [Rect([0, 0], [3, 3]), Rect([0, 4], [3, 7])]);
    rt.fill(r, 'v', 1);
    const overreach = rt.registerTask('writes_past_its_columns', (ctx) => {
      const view = ctx.region(0).view('v');
      const row = view.bounds.lo[0];
      view.data[view.index(row, view.bounds.hi[1] + 1)] = 99; // one column past the piece
    });
    const reader = rt.registerTask('reads_its_columns', (ctx) => {
      const view = ctx.region(0).view('v');
      let sum = 0;
      for (let i = view.bounds.lo[0]; i <= view.bounds.hi[0]; i++)
        for (let j = view.bounds.lo[1]; j <= view.bounds.hi[1]; j++) sum += view.data[view.index(i, j)];
      return sum;
    });
    const bad = rt.launch(overreach, [], { regions: [columns.subregion(0).readWrite('v')] });
    const innocent = rt.launch(reader, [], { regions: [columns.subregion(1).read('v')] });
    await assert.rejects(
      within(bad.get(), 30000, 'writer'),
      /task 'writes_past_its_columns' \(op #\d+\) wrote field 'v' of region \d+ of tree \d+ \(region requirement 0\) at point \(0, 4\), outside the region/,
    );
    assert.equal(await within(innocent.get(), 30000, 'reader'), 16);
    // The write never reached the neighbour's element.
    assert.equal(await rt.launch(reader, [], { regions: [columns.subregion(1).read('v')] }).get(), 16);
  });

  it('a C++ task writing outside its 2-D piece is named too', async () => {
    const r = rt.createRegion(Rect([0, 0], [1, 7]), { x: 'f64' });
    const halves = rt.partitionByRects(r, [Rect([0, 0], [1, 3]), Rect([0, 4], [1, 7])]);
    await assert.rejects(
      rt.launch(tk.task('scribble_past_row'), [], { regions: [halves.subregion(0).readWrite('x')] }).get(),
      /task 'scribble_past_row' \(op #\d+\) wrote field 'x' .* at point \(0, 4\), outside the region/,
    );
    // The neighbour's elements are untouched.
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [halves.subregion(1).read('x')] }).get(), 0);
  });

  it('a task whose window holds elements another task is writing meanwhile is not blamed for their writes', async () => {
    // Each reader's private copy spans rows that interleave with the
    // writer's columns, which change in the storage while the copy is made.
    const r = rt.createRegion(Rect([0, 0], [63, 63]), { x: 'f64' });
    const halves = rt.partitionByRects(r, [Rect([0, 0], [63, 31]), Rect([0, 32], [63, 63])]);
    rt.fill(halves.subregion(1), 'x', 1);
    await rt.launch(tk.task('reset_probe'), []).get();
    const readers = 200;
    const writer = rt.launch(tk.task<[number], number>('scribble_until_arrivals'), [readers], {
      regions: [halves.subregion(0).readWrite('x').simultaneous()],
    });
    const sums = [];
    for (let i = 0; i < readers; i++)
      sums.push(
        rt.launch(tk.task<[], number>('arrive_and_sum'), [], { regions: [halves.subregion(1).read('x')] }).get(),
      );
    assert.deepEqual(await within(Promise.all(sums), 30000, 'readers'), new Array(readers).fill(64 * 32));
    assert.ok((await within(writer.get(), 30000, 'writer')) > 0, 'the writer wrote while the readers ran');
  });

  it('a reduction in checking mode still adds up across tasks', async () => {
    const r = rt.createRegion(Rect([0, 0], [3, 3]), { x: 'f64' });
    for (let i = 0; i < 8; i++) rt.launch(tk.task('add_to_field_2d'), [1], { regions: [r.reduce('sum', 'x')] });
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get(), 8 * 16);
  });
});
