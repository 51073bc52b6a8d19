import { strict as assert } from 'assert';
import {
  Library,
  MappableTask,
  Mapper,
  MapTaskOutput,
  Rect,
  RectLike,
  Runtime,
  ShardingFunctor,
  TaskOptions,
  TaskSlice,
} from '../lib';
import { testKernels } from './helpers';
import { native } from '../lib/native';

class PinToOneWorker extends Mapper {
  constructor(private readonly worker: number) {
    super('pin-to-one');
  }
  override selectTaskOptions(): TaskOptions {
    return { targetProcessor: this.worker };
  }
}

class AlternatingSlices extends Mapper {
  constructor() {
    super('alternating-slices');
  }
  override sliceTask(_task: MappableTask, domain: RectLike): TaskSlice[] {
    const slices: TaskSlice[] = [];
    for (let p = domain.lo[0]; p <= domain.hi[0]; p++) slices.push({ domain: Rect(p, p), processor: p % 2 });
    return slices;
  }
}

const TS_TAG = 7;
class VariantByTag extends Mapper {
  calls = 0;
  constructor() {
    super('variant-by-tag');
  }
  override mapTask(task: MappableTask): MapTaskOutput {
    this.calls++;
    return { variant: task.tag === TS_TAG ? 'ts' : 'cpp' };
  }
}

class EvenOdd extends ShardingFunctor {
  calls = 0;
  constructor() {
    super('even-odd');
  }
  shard(point: number[], _domain: RectLike, totalShards: number): number {
    this.calls++;
    return point[0] % 2 === 0 ? 0 : totalShards - 1;
  }
}

/** A mapper whose answers are set per test, to exercise validation. */
class Scripted extends Mapper {
  slices: (domain: RectLike) => TaskSlice[] = (d) => [{ domain: d, processor: 0 }];
  map: (task: MappableTask) => MapTaskOutput = () => ({});
  constructor() {
    super('scripted');
  }
  override sliceTask(_t: MappableTask, domain: RectLike): TaskSlice[] {
    return this.slices(domain);
  }
  override mapTask(task: MappableTask): MapTaskOutput {
    return this.map(task);
  }
}

describe('mappers and sharding functors', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('the machine lists the CPU workers and the JS processor on rank 0', () => {
    const m = rt.machine();
    assert.deepEqual(m.processors, [
      { id: 0, kind: 'cpu', rank: 0 },
      { id: 1, kind: 'cpu', rank: 0 },
      { id: 2, kind: 'js', rank: 0 },
    ]);
    assert.equal(m.ranks, 1);
  });

  it('a mapper that pins every task to one worker: every task reports that worker', async () => {
    rt.addMapper(1, new PinToOneWorker(1));
    const proc = tk.task<[], number>('processor');
    const single = await Promise.all(Array.from({ length: 20 }, () => rt.launch(proc, [], { mapper: 1 }).get()));
    assert.ok(
      single.every((p) => p === 1),
      JSON.stringify(single),
    );
    const points = await rt.indexLaunch(proc, Rect(0, 15), { mapper: 1 }).values();
    assert.ok(
      points.every((p) => p === 1),
      JSON.stringify(points),
    );
  });

  it('a mapper that slices an index launch into single points on alternating workers', async () => {
    rt.addMapper(2, new AlternatingSlices());
    const procs = await rt.indexLaunch(tk.task<[], number>('processor'), Rect(0, 9), { mapper: 2 }).values();
    assert.deepEqual(procs, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('a mapper that picks the TS variant for a tag and the C++ variant otherwise', async () => {
    const mapper = new VariantByTag();
    rt.addMapper(3, mapper);
    const both = rt.registerTask('which_variant', () => 'ts');
    assert.equal(both.id, tk.task('which_variant').id, 'the TS variant merged with the C++ one');
    assert.equal(await rt.launch(both, [], { mapper: 3, tag: TS_TAG }).get(), 'ts');
    assert.equal(await rt.launch(both, [], { mapper: 3 }).get(), 'cpp');
    const viaIndex = await rt.indexLaunch(both, Rect(0, 3), { mapper: 3, tag: TS_TAG }).values();
    assert.deepEqual(viaIndex, ['ts', 'ts', 'ts', 'ts']);
    assert.ok(mapper.calls >= 6);
  });

  it('mapper callbacks see the task name, point, domain, requirements, tag and mapper argument', async () => {
    const seen: MappableTask[] = [];
    class Recorder extends Mapper {
      constructor() {
        super('recorder');
      }
      override mapTask(task: MappableTask): MapTaskOutput {
        seen.push(task);
        return {};
      }
    }
    rt.addMapper(4, new Recorder());
    const r = rt.createRegion(Rect(0, 7), { x: 'f64', y: 'f64' });
    const p = rt.partitionEqual(r, 2);
    await rt
      .indexLaunch(tk.task('sum_field'), Rect(0, 1), {
        regions: [p.read('x')],
        mapper: 4,
        tag: 9,
        mapperArg: { hint: 'fast' },
      })
      .waitAll();
    assert.equal(seen.length, 2);
    assert.equal(seen[1].name, 'sum_field');
    assert.deepEqual(seen[1].point, [1]);
    assert.deepEqual(seen[1].launchDomain, { lo: [0], hi: [1] });
    assert.equal(seen[1].tag, 9);
    assert.deepEqual(seen[1].mapperArg, { hint: 'fast' });
    assert.deepEqual(seen[1].regions, [
      { kind: 'partition', tree: r.tree.id, node: p.node, fields: ['x'], privilege: 'read-only' },
    ]);
    assert.deepEqual(seen[1].variants, ['cpp']);
  });

  it('a mapper overriding nothing makes no JS call and behaves like the default', async () => {
    class Silent extends Mapper {
      constructor() {
        super('silent');
      }
    }
    const silent = new Silent();
    assert.equal(silent.overrides(), 0);
    rt.addMapper(5, silent);
    assert.equal(await rt.launch(tk.task('which_variant'), [], { mapper: 5 }).get(), 'cpp');
  });

  it('fill and inline mappings are placed by the built-in default, whatever mapper replaced it', async () => {
    class PinAll extends Mapper {
      constructor() {
        super('pin-all');
      }
      override selectTaskOptions(): TaskOptions {
        return { targetProcessor: 0 };
      }
      override mapTask(): MapTaskOutput {
        return { targetProcessors: [0] };
      }
    }
    rt.replaceDefaultMapper(new PinAll());
    try {
      const r = rt.createRegion(Rect(0, 7), { x: 'f64' });
      await rt.fill(r, 'x', 1).get();
      const m = await rt.map(r.readWrite('x'));
      assert.equal(m.field('x')[3], 1);
      await m.unmap();
    } finally {
      class Plain extends Mapper {
        constructor() {
          super('plain');
        }
      }
      rt.replaceDefaultMapper(new Plain());
    }
  });

  it('replaceDefaultMapper changes placement for launches that name no mapper', async () => {
    const other = await Runtime.start();
    assert.equal(other, rt);
    rt.replaceDefaultMapper(new PinToOneWorker(0));
    try {
      const procs = await Promise.all(
        Array.from({ length: 10 }, () => rt.launch(tk.task<[], number>('processor'), []).get()),
      );
      assert.ok(procs.every((p) => p === 0));
    } finally {
      class Plain extends Mapper {
        constructor() {
          super('plain');
        }
      }
      rt.replaceDefaultMapper(new Plain());
    }
  });

  it("a custom sharding functor agrees with shardPoints, and the built-ins are Legion's", () => {
    const f = new EvenOdd();
    rt.registerShardingFunctor(10, f);
    assert.deepEqual(rt.shardPoints(10, Rect(0, 5), 3), [[[0], [2], [4]], [], [[1], [3], [5]]]);
    assert.ok(f.calls >= 6);
    // Cyclic (0): Fortran-order linearization (dimension 0 fastest) mod N.
    assert.deepEqual(rt.shardPoints(0, Rect([0, 0], [1, 1]), 2), [
      [
        [0, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [1, 1],
      ],
    ]);
    // Block (1): contiguous runs of that order.
    assert.deepEqual(rt.shardPoints(1, Rect(0, 5), 2), [
      [[0], [1], [2]],
      [[3], [4], [5]],
    ]);
  });

  it('shardPoints refuses a shard count, functor id or domain it cannot answer with a RangeError', () => {
    for (const n of [5e8, 1e9, 2e9, 2 ** 32, -1, 0, 1.5, NaN, Infinity]) {
      assert.throws(() => rt.shardPoints(0, Rect(0, 5), n), {
        name: 'RangeError',
        message: `shardPoints: totalShards must be an integer from 1 to 65536, got ${n}`,
      });
    }
    assert.throws(
      () => rt.shardPoints(0, Rect(0, 5), '2' as unknown as number),
      /shardPoints: totalShards must be an integer from 1 to 65536, got 2/,
    );
    for (const id of [-1, 0.5, 2 ** 32]) {
      assert.throws(() => rt.shardPoints(id, Rect(0, 5), 2), {
        name: 'RangeError',
        message: new RegExp(`^shardPoints: functorId must be a non-negative integer .*got ${id}$`),
      });
    }
    assert.throws(() => rt.shardPoints(0, Rect(0, 2 ** 24), 2), {
      name: 'RangeError',
      message: /^shardPoints: the domain has 16777217 points; at most 16777216 are supported/,
    });
    assert.throws(() => rt.shardPoints(0, Rect([0, 0], [1e6, 1e6]), 2), { name: 'RangeError' });
    assert.throws(() => rt.shardPoints(0, { lo: [0], hi: [2.5] }, 2), {
      name: 'RangeError',
      message: /shardPoints: domain hi\[0\] must be an integer, got 2\.5/,
    });
    assert.throws(() => rt.shardPoints(0, { lo: [0], hi: [2 ** 60] }, 2), {
      name: 'RangeError',
      message: /safe integers/,
    });
    assert.throws(() => rt.shardPoints(0, -3, 2), {
      name: 'RangeError',
      message: /point count must be a non-negative integer, got -3/,
    });
    assert.throws(() => rt.shardPoints(0, null as unknown as RectLike, 2), {
      name: 'TypeError',
      message: /shardPoints: domain must be a rect/,
    });
    assert.throws(() => rt.shardPoints(12345, Rect(0, 5), 2), /no sharding functor is registered with id 12345/);
    // The binding checks the same bounds itself (the facade is not the only caller).
    assert.throws(() => native.shardPoints(0, [0], [5], 5e8), {
      name: 'RangeError',
      message: /totalShards must be an integer from 1 to 65536, got 500000000/,
    });
    assert.throws(() => native.shardPoints(0, [0], [5], -1), { name: 'RangeError' });
    assert.throws(() => native.shardPoints(0, [0, 0], [1e9, 1e9], 2), {
      name: 'RangeError',
      message: /has more than 16777216 points/,
    });
    // The largest accepted count works (most shards empty), and the runtime is fine afterwards.
    const many = rt.shardPoints(0, Rect(0, 5), 65536);
    assert.equal(many.length, 65536);
    assert.deepEqual(many.slice(0, 7), [[[0]], [[1]], [[2]], [[3]], [[4]], [[5]], []]);
    assert.deepEqual(rt.shardPoints(0, 4, 2), [
      [[0], [2]],
      [[1], [3]],
    ]);
  });

  it('the chosen sharding functor is asked about every point and its answer (the owning rank) is validated', async () => {
    const functor = new EvenOdd();
    rt.registerShardingFunctor(11, functor);
    class Sharded extends Mapper {
      constructor() {
        super('sharded');
      }
      override selectShardingFunctor(): number {
        return 11;
      }
    }
    rt.addMapper(12, new Sharded());
    await rt.indexLaunch(tk.task('empty'), Rect(0, 3), { mapper: 12 }).waitAll();
    assert.equal(functor.calls, 4, 'the chosen functor was asked about every point');
  });

  it('a mapper answering replicate: true is refused with "not supported yet", naming mapper, callback and task', async () => {
    let asked = 0;
    class Replicating extends Mapper {
      constructor() {
        super('replicating');
      }
      override selectTaskOptions(): TaskOptions {
        return { replicate: true };
      }
      override replicateTask() {
        asked++;
        return { shardRanks: [0] };
      }
    }
    rt.addMapper(13, new Replicating());
    const pattern =
      /mapper 'replicating' \(id 13\), selectTaskOptions, task 'empty': replicate: true is not supported yet: control replication/;
    assert.throws(() => rt.indexLaunch(tk.task('empty'), Rect(0, 3), { mapper: 13 }), pattern);
    assert.throws(() => rt.launch(tk.task('empty'), [], { mapper: 13 }), pattern);
    assert.equal(asked, 0, 'replicateTask is not asked, so no answer of it is dropped');
    assert.equal(await rt.launch(tk.task('which_variant'), []).get(), 'cpp', 'the runtime keeps working');
  });

  it('mapLocally: false changes nothing on one rank, and a non-boolean mapLocally is refused naming the value', async () => {
    class Remote extends Mapper {
      constructor(private readonly answer: unknown) {
        super('remote-mapping');
      }
      override selectTaskOptions(): TaskOptions {
        return { mapLocally: this.answer } as TaskOptions;
      }
    }
    rt.addMapper(21, new Remote(false));
    const values = await rt.indexLaunch(tk.task<[], string>('which_variant'), Rect(0, 3), { mapper: 21 }).values();
    assert.deepEqual(values, ['cpp', 'cpp', 'cpp', 'cpp']);
    rt.addMapper(22, new Remote('no'));
    assert.throws(
      () => rt.indexLaunch(tk.task('empty'), Rect(0, 3), { mapper: 22 }),
      /mapper 'remote-mapping' \(id 22\), selectTaskOptions, task 'empty': .*mapLocally must be a boolean, got a string/,
    );
  });

  it('a mapper asking for inline while mapTask picks the C++ variant is refused (inline runs the TS variant)', () => {
    if (!native.taskVariants(tk.task('which_variant').id).includes('ts')) rt.registerTask('which_variant', () => 'ts');
    class Contradicting extends Mapper {
      constructor() {
        super('contradicting');
      }
      override selectTaskOptions(): TaskOptions {
        return { inline: true };
      }
      override mapTask(): MapTaskOutput {
        return { variant: 'cpp' };
      }
    }
    rt.addMapper(14, new Contradicting());
    assert.throws(
      () => rt.launch(tk.task('which_variant'), [], { mapper: 14 }),
      /mapper 'contradicting' \(id 14\), mapTask, task 'which_variant': chose variant 'cpp', but selectTaskOptions asked to run the task inline/,
    );
  });

  it('a mapper is given the task it maps (name, regions, tag, mapperArg, point): answers follow each task, no launch state is kept in JS', async () => {
    const seen: {
      name: string;
      tag: number;
      arg: unknown;
      regions: number;
      point?: readonly number[];
      index: boolean;
    }[] = [];
    // Its answers depend only on the task it is given.
    class ByTask extends Mapper {
      constructor() {
        super('by-task');
      }
      override selectTaskOptions(task: MappableTask): TaskOptions {
        return { targetProcessor: (task.mapperArg as { worker: number }).worker };
      }
      override mapTask(task: MappableTask): MapTaskOutput {
        seen.push({
          name: task.name,
          tag: task.tag,
          arg: task.mapperArg,
          regions: task.regions.length,
          point: task.point,
          index: task.isIndexLaunch,
        });
        const base = (task.mapperArg as { worker: number }).worker;
        // Index points alternate from the launch's worker; a single task stays on it.
        return { targetProcessors: [task.point ? (base + task.point[0]) % 2 : base] };
      }
    }
    rt.addMapper(15, new ByTask());
    const proc = tk.task<[], number>('processor');
    const r = rt.createRegion(Rect(0, 3), { x: 'f64' });
    const parts = rt.partitionEqual(r, 4);
    const a = rt.launch(proc, [], { mapper: 15, tag: 1, mapperArg: { worker: 1 }, regions: [r.read('x')] });
    const b = rt.launch(proc, [], { mapper: 15, tag: 2, mapperArg: { worker: 0 } });
    const c = rt.indexLaunch(proc, Rect(0, 3), {
      mapper: 15,
      tag: 3,
      mapperArg: { worker: 1 },
      regions: [parts.read('x')],
    });
    assert.equal(await a.get(), 1);
    assert.equal(await b.get(), 0);
    assert.deepEqual(await c.values(), [1, 0, 1, 0]);
    assert.deepEqual(seen, [
      { name: 'processor', tag: 1, arg: { worker: 1 }, regions: 1, point: undefined, index: false },
      { name: 'processor', tag: 2, arg: { worker: 0 }, regions: 0, point: undefined, index: false },
      ...[0, 1, 2, 3].map((p) => ({
        name: 'processor',
        tag: 3,
        arg: { worker: 1 },
        regions: 1,
        point: [p],
        index: true,
      })),
    ]);
    // Nothing of a launch is module state: the facade keeps no "current launch".
    assert.equal('current' in (rt as unknown as { mapping: object }).mapping, false);
  });

  it('a mapper that launches a task while mapping another gets both launched and both results right', async () => {
    const echo = tk.task<[number], number>('echo');
    const launchedInside: Promise<number>[] = [];
    class LaunchesWhileMapping extends Mapper {
      constructor() {
        super('launches-while-mapping');
      }
      override mapTask(task: MappableTask): MapTaskOutput {
        // Only for the outer launch, whose tag is 1: the inner one maps by default.
        if (task.tag === 1) launchedInside.push(rt.launch(echo, [41], { tag: 2 }).get());
        return {};
      }
    }
    rt.addMapper(9, new LaunchesWhileMapping());
    const outer = rt.launch(echo, [7], { mapper: 9, tag: 1 });
    assert.equal(await outer.get(), 7);
    assert.equal(launchedInside.length, 1);
    assert.equal(await launchedInside[0], 41);
  });

  it("the task a mapper is given is read-only, so one launch's mapper cannot change what the next one sees", async () => {
    const seen: string[] = [];
    class Meddler extends Mapper {
      constructor() {
        super('meddler');
      }
      override mapTask(task: MappableTask): MapTaskOutput {
        seen.push(task.name);
        assert.throws(() => {
          (task as unknown as { tag: number }).tag = 99;
        }, TypeError);
        assert.throws(() => (task.variants as string[]).push('gpu'), TypeError);
        return {};
      }
    }
    rt.addMapper(10, new Meddler());
    const echo = tk.task<[number], number>('echo');
    assert.deepEqual(
      await Promise.all([
        rt.launch(echo, [1], { mapper: 10, tag: 3 }).get(),
        rt.launch(echo, [2], { mapper: 10, tag: 3 }).get(),
      ]),
      [1, 2],
    );
    assert.deepEqual(seen, ['echo', 'echo']);
  });

  it("callback ids come from the addon's one table", () => {
    assert.deepEqual(native.mapperCallbacks, {
      selectTaskOptions: 0,
      sliceTask: 1,
      mapTask: 2,
      selectShardingFunctor: 3,
      replicateTask: 4,
      mapPoints: 5,
    });
    class OnlyMapTask extends Mapper {
      constructor() {
        super('only-map-task');
      }
      override mapTask(): MapTaskOutput {
        return {};
      }
    }
    assert.equal(new OnlyMapTask().overrides(), 1 << native.mapperCallbacks.mapTask);
  });

  describe('mapper errors lose nothing', () => {
    let scripted: Scripted;
    before(() => {
      scripted = new Scripted();
      rt.addMapper(20, scripted);
    });

    const expectLaunchError = async (pattern: RegExp): Promise<void> => {
      // Work launched before keeps running and finishes normally.
      const before = rt.launch(tk.task<[], number>('processor'), []);
      assert.throws(() => rt.indexLaunch(tk.task('empty'), Rect(0, 3), { mapper: 20 }), pattern);
      assert.ok((await before.get()) >= 0);
      // And the runtime keeps working.
      assert.equal(await rt.launch(tk.task('which_variant'), []).get(), 'cpp');
    };

    it('a callback that throws', async () => {
      scripted.map = () => {
        throw new Error('mapper bug');
      };
      await expectLaunchError(
        /mapper 'scripted' \(id 20\), mapTask, task 'empty': the callback threw: at point \(0\): mapper bug/,
      );
      scripted.map = () => ({});
    });

    it('a processor that does not exist', async () => {
      scripted.map = () => ({ targetProcessors: [7] });
      await expectLaunchError(
        /mapper 'scripted' \(id 20\), mapTask, task 'empty' .*target processor 7 does not exist; the machine has 3 processors/,
      );
      scripted.map = () => ({});
    });

    it('a target processor that is -1 or not an integer', async () => {
      scripted.map = () => ({ targetProcessors: [-1] });
      await expectLaunchError(
        /mapper 'scripted' \(id 20\), mapTask, task 'empty' point \(0\): target processor -1 is not a processor id; .*the machine has 3 processors/,
      );
      scripted.map = () => ({ targetProcessors: [1.5] });
      await expectLaunchError(
        /mapper 'scripted' \(id 20\), mapTask, task 'empty'.*at point \(0\): targetProcessors\[0\] \(a processor id\) must be an integer, got 1\.5/,
      );
      scripted.map = () => ({ targetProcessors: [0, '1' as unknown as number] });
      await expectLaunchError(
        /mapTask, task 'empty'.*targetProcessors\[1\] \(a processor id\) must be an integer, got '1'/,
      );
      scripted.map = () => ({});
    });

    it('a priority that is NaN, infinite or not an integer', async () => {
      for (const priority of [NaN, Infinity, 0.5]) {
        scripted.map = () => ({ priority });
        await expectLaunchError(
          new RegExp(
            `mapper 'scripted' \\(id 20\\), mapTask, task 'empty'.*'priority' must be an integer, got ${priority}`,
          ),
        );
      }
      scripted.map = () => ({});
    });

    it('a Promise instead of an answer (an async callback)', async () => {
      scripted.map = () => Promise.resolve({}) as unknown as MapTaskOutput;
      await expectLaunchError(
        /mapper 'scripted' \(id 20\), mapTask, task 'empty'.*mapTask returned a Promise; mapper callbacks must answer synchronously/,
      );
      scripted.map = () => ({});
      scripted.slices = (d) => Promise.resolve([{ domain: d, processor: 0 }]) as unknown as TaskSlice[];
      await expectLaunchError(/mapper 'scripted' \(id 20\), sliceTask, task 'empty'.*sliceTask returned a Promise/);
      scripted.slices = (d) => [{ domain: d, processor: 0 }];
    });

    it('a processor that cannot run the variant', async () => {
      scripted.map = () => ({ targetProcessors: [2] });
      await expectLaunchError(/target processor 2 is the JS processor, which cannot run variant 'cpp'/);
      scripted.map = () => ({});
    });

    it('a variant the task lacks', async () => {
      scripted.map = () => ({ variant: 'ts' });
      await expectLaunchError(
        /mapTask, task 'empty' .*chose variant 'ts', which task 'empty' lacks \(it has only cpp\)/,
      );
      scripted.map = () => ({});
    });

    it('slices that leave a point out', async () => {
      scripted.slices = () => [{ domain: Rect(0, 2), processor: 0 }];
      await expectLaunchError(
        /mapper 'scripted' \(id 20\), sliceTask, task 'empty': the slices leave point \(3\) of \[0\.\.3\] uncovered/,
      );
    });

    it('slices that cover a point twice', async () => {
      scripted.slices = () => [
        { domain: Rect(0, 2), processor: 0 },
        { domain: Rect(2, 3), processor: 1 },
      ];
      await expectLaunchError(/sliceTask, task 'empty': slices 0 and 1 both cover point \(2\)/);
      scripted.slices = (d) => [{ domain: d, processor: 0 }];
    });

    it('a slice on a processor that cannot run the variant', async () => {
      scripted.slices = (d) => [{ domain: d, processor: 2 }];
      await expectLaunchError(
        /sliceTask, task 'empty'( point \(0\))?: slice processor 2 is the JS processor, which cannot run variant 'cpp'/,
      );
      scripted.slices = (d) => [{ domain: d, processor: 0 }];
    });

    it('a malformed answer', async () => {
      scripted.map = () => 'fast' as unknown as MapTaskOutput;
      await expectLaunchError(
        /mapTask, task 'empty'.*expected an object \{variant\?, targetProcessors\?, priority\?\}, got a string/,
      );
      scripted.map = () => ({});
    });

    it('a sharding functor answering out of range names the functor, point, domain and shard count', () => {
      class Bad extends ShardingFunctor {
        constructor() {
          super('off-by-one');
        }
        shard(point: number[], _d: RectLike, total: number): number {
          return point[0] === 3 ? total : 0;
        }
      }
      rt.registerShardingFunctor(30, new Bad());
      assert.throws(
        () => rt.shardPoints(30, Rect(0, 5), 2),
        /sharding functor 'off-by-one' \(id 30\) returned shard 2 for point \(3\) of domain \[0\.\.5\]; shards must be in \[0, 2\)/,
      );
    });

    it('registering over a built-in functor or mapper id 0 is refused', () => {
      assert.throws(() => rt.registerShardingFunctor(0, new EvenOdd()), /reserved for the built-in cyclic/);
      assert.throws(
        () => rt.addMapper(0, new Scripted()),
        /mapper id 0 is the default mapper; use replaceDefaultMapper/,
      );
      assert.throws(() => rt.launch(tk.task('empty'), [], { mapper: 99 }), /no mapper is registered with id 99/);
    });
  });
});

describe('mapper priorities on one worker', () => {
  let rt: Runtime;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 1 });
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('after a blocker task, the tasks a mapper gives higher priority run first (equal priorities in launch order)', async () => {
    class ByArg extends Mapper {
      constructor() {
        super('priority-by-arg');
      }
      override mapTask(task: MappableTask): MapTaskOutput {
        return { priority: task.mapperArg as number };
      }
    }
    rt.addMapper(1, new ByArg());
    await rt.launch(tk.task('reset_probe'), []).get();
    const gate = rt.createRegion(Rect(0, 0), { flag: 'i32' });
    // The blocker holds the only worker until the TS task below stores the
    // flag; the tickets wait for the blocker, so all of them become ready at
    // once and the worker picks among them.
    const blocker = rt.launch(tk.task<[], number>('wait_for_flag'), [], {
      regions: [gate.readWrite('flag').simultaneous()],
    });
    const priorities = [0, 3, -2, 7, 3, 1, -5];
    const tickets = priorities.map((p) =>
      rt.launch(tk.task<[], number>('ticket'), [], { mapper: 1, mapperArg: p, futures: [blocker] }).get(),
    );
    const release = rt.registerTask('release_flag', (ctx) => {
      Atomics.store(ctx.region(0).field<Int32Array>('flag'), 0, 1);
    });
    await rt.launch(release, [], { regions: [gate.readWrite('flag').simultaneous()] }).get();
    assert.equal(await blocker.get(), 1, 'the blocker saw the flag (it held the worker until then)');
    const ran = await Promise.all(tickets);
    // Expected order: 7, 3 (the first launched), 3, 1, 0, -2, -5.
    const expected = [4, 1, 5, 0, 2, 3, 6];
    assert.deepEqual(ran, expected, `ticket of each launch (priorities ${priorities.join(', ')})`);
    rt.destroyRegion(gate);
  });
});
