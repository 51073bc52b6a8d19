import { strict as assert } from 'assert';
import { Library, Rect, Runtime, TaskContext } from '../lib';
import { testKernels, within } from './helpers';

// Legion's rule: a subtask's privileges are a subset of its parent's. A
// violation is refused at the child's launch, naming both tasks, the
// region, the field and the privilege.
describe('nested tasks and their parents privileges', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  /** A parent whose body launches one child and reports the launch error, if any. */
  function parentLaunching(name: string, child: (ctx: TaskContext) => unknown): ReturnType<Runtime['registerTask']> {
    return rt.registerTask(name, async (ctx) => {
      try {
        await (child(ctx) as { get(): Promise<unknown> }).get();
        return 'launched';
      } catch (e) {
        return (e as Error).message;
      }
    });
  }

  it('a child writing a region its parent never asked for is refused at its launch', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const parent = parentLaunching('parent_without_regions', (ctx) =>
      ctx.launch(tk.task('add_to_field'), [1], { regions: [r.readWrite('x')] }),
    );
    const message = (await within(rt.launch(parent, []).get(), 30000, 'parent')) as string;
    assert.match(message, /task 'add_to_field'/);
    assert.match(message, /task 'parent_without_regions' \(op #\d+\)/);
    assert.match(message, /read-write of region 0 of tree \d+ field 'x'/);
    assert.match(message, /it has no region requirements/);
    // Nothing ran: a later reader sees the untouched region.
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get(), 0);
  });

  it('a write-discard child of a read-only parent is refused', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const parent = parentLaunching('read_only_parent', (ctx) =>
      ctx.launch(tk.task('write_point'), [], { regions: [r.writeDiscard('x')] }),
    );
    const message = (await rt.launch(parent, [], { regions: [r.read('x')] }).get()) as string;
    assert.match(message, /asks for write-discard of region 0 of tree \d+ field 'x'/);
    assert.match(message, /read-only of region 0 of tree \d+ fields 'x'/);
  });

  it('a child on another field, another tree, or with a different reduction is refused', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64', y: 'f64' });
    const other = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const field = parentLaunching('parent_other_field', (ctx) =>
      ctx.launch(tk.task('sum_field'), [], { regions: [r.read('y')] }),
    );
    assert.match((await rt.launch(field, [], { regions: [r.readWrite('x')] }).get()) as string, /field 'y'/);
    const tree = parentLaunching('parent_other_tree', (ctx) =>
      ctx.launch(tk.task('sum_field'), [], { regions: [other.read('x')] }),
    );
    assert.match((await rt.launch(tree, [], { regions: [r.readWrite('x')] }).get()) as string, /asks for read-only/);
    const redop = parentLaunching('parent_sum_child_max', (ctx) =>
      ctx.launch(tk.task('add_to_field'), [1], { regions: [r.reduce('max', 'x')] }),
    );
    assert.match(
      (await rt.launch(redop, [], { regions: [r.reduce('sum', 'x')] }).get()) as string,
      /asks for reduce\(max\)/,
    );
  });

  it("a child on a piece outside the parent's piece is refused, inside it is allowed", async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const halves = rt.partitionEqual(r, 2);
    const quarters = rt.partitionEqual(r, 4);
    const outside = parentLaunching('parent_left_half', (ctx) =>
      ctx.launch(tk.task('add_to_field'), [1], { regions: [quarters.subregion(2).readWrite('x')] }),
    );
    assert.match(
      (await rt.launch(outside, [], { regions: [halves.subregion(0).readWrite('x')] }).get()) as string,
      /does not have/,
    );
    const inside = parentLaunching('parent_left_half_ok', (ctx) =>
      ctx.launch(tk.task('add_to_field'), [1], { regions: [quarters.subregion(1).readWrite('x')] }),
    );
    assert.equal(await rt.launch(inside, [], { regions: [halves.subregion(0).readWrite('x')] }).get(), 'launched');
  });

  it('an index launch of children is checked point by point', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const quarters = rt.partitionEqual(r, 4);
    const halves = rt.partitionEqual(r, 2);
    const parent = parentLaunching('parent_index_children', (ctx) => ({
      get: () =>
        ctx.indexLaunch(tk.task('write_point'), Rect(0, 3), { regions: [quarters.writeDiscard('x')] }).waitAll(),
    }));
    const message = (await rt.launch(parent, [], { regions: [halves.subregion(0).readWrite('x')] }).get()) as string;
    assert.match(message, /point \(2\)|point 2|\[2\]/);
  });

  it("children within the parent's privileges are ordered before later readers of the parent's data", async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    const parent = rt.registerTask('parent_delegating_writes', async (ctx) => {
      await new Promise((resolve) => setImmediate(resolve));
      ctx.launch(tk.task('add_to_field'), [2], { regions: [r.readWrite('x')] });
      ctx.launch(tk.task('add_to_field'), [3], { regions: [r.reduce('sum', 'x')] });
    });
    rt.launch(parent, [], { regions: [r.readWrite('x')] });
    assert.equal(
      await within(rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get(), 30000, 'reader'),
      40,
    );
  });

  it('a read-only parent may hand its data to read-only children; reduce parents to the same reduction', async () => {
    const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
    rt.fill(r, 'x', 1);
    const reader = rt.registerTask('read_only_delegate', (ctx) =>
      ctx.launch(tk.task<[], number>('sum_field'), [], { regions: [r.read('x')] }),
    );
    assert.equal(await rt.launch(reader, [], { regions: [r.read('x')] }).get(), 8);
    const reducer = rt.registerTask('reduce_delegate', (ctx) =>
      ctx.launch(tk.task('add_to_field'), [1], { regions: [r.reduce('sum', 'x')] }),
    );
    await rt.launch(reducer, [], { regions: [r.reduce('sum', 'x')] }).get();
    assert.equal(await rt.launch(tk.task('sum_field'), [], { regions: [r.read('x')] }).get(), 16);
  });
});
