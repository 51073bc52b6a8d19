import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Future, Library, Runtime, Task, TaskError } from '../lib';
import { exampleKernels, fixture, testKernels, within } from './helpers';

describe('C++ tasks from a loaded library', () => {
  let rt: Runtime;
  let lib: Library;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    lib = await rt.loadLibrary(exampleKernels);
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('lists the tasks the library registered', () => {
    assert.deepEqual(lib.taskNames.sort(), ['add', 'describe', 'hello', 'norm', 'scale', 'sum_futures']);
    assert.equal(lib.path, fs.realpathSync(exampleKernels));
    assert.match(lib.hash, /^[0-9a-f]{16}$/);
  });

  it('runs a C++ task with number, string, object and typed-array arguments', async () => {
    assert.equal(await rt.launch(lib.task<[number, number], number>('add'), [40, 2]).get(), 42);
    assert.equal(await rt.launch(lib.task<[string], string>('hello'), ['cohort']).get(), 'Hello, cohort!');
    assert.deepEqual(await rt.launch(lib.task('describe'), [{ name: 'x', n: 21 }]).get(), {
      greeting: 'item x',
      twice: 42,
    });
    assert.deepEqual(
      await rt.launch(lib.task('scale'), [new Float64Array([1, 2, 3]), 2]).get(),
      new Float64Array([2, 4, 6]),
    );
    assert.equal(await rt.launch(lib.task('norm'), [new Float64Array([3, 4])]).get(), 5);
  });

  it('every kind of value survives the trip through the C++ decoder and encoder', async () => {
    const echo = tk.task('echo');
    const values = [
      undefined,
      null,
      true,
      false,
      0,
      -1.5,
      1e300,
      2n ** 62n,
      '',
      'héllo ✓',
      [1, 'two', [3]],
      { a: 1, nested: { b: [true] } },
      new Float64Array([1, 2]),
      new Float32Array([0.5]),
      new Int32Array([-3, 4]),
      new Uint8Array([255, 0, 1]),
      { mixed: [new Float64Array([9]), 'x', { y: new Uint8Array([1, 2, 3]) }] },
    ];
    for (const v of values) assert.deepEqual(await rt.launch(echo, [v]).get(), v, `value ${String(v)}`);
  });

  it('an object with a "__proto__" key comes back from a C++ task with it as an own data property', async () => {
    const v = JSON.parse('{"__proto__": 5, "a": {"__proto__": [1]}}') as never;
    const back = (await rt.launch(tk.task('echo'), [v]).get()) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ['__proto__', 'a']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(back, '__proto__'), {
      value: 5,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    const inner = back.a as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(inner), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(inner, '__proto__')?.value, [1]);
  });

  it('loading the same library twice returns the same Library', async () => {
    const again = await rt.loadLibrary(exampleKernels);
    assert.equal(again, lib);
    const viaOtherPath = await rt.loadLibrary(
      path.join(path.dirname(exampleKernels), '.', path.basename(exampleKernels)),
    );
    assert.equal(viaOtherPath, lib);
  });

  it('a copy of a loaded library elsewhere is the same library (deduplicated by content hash)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-copy-'));
    try {
      const copy = path.join(dir, 'copy.so');
      fs.copyFileSync(testKernels, copy);
      assert.equal(await rt.loadLibrary(copy), tk);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a registration callback once per payload, and names an unknown callback or a bad payload', async () => {
    const state = tk.task<[], string>('callback_state');
    const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
    assert.deepEqual(tk.callbackNames, ['record_payload']);
    await tk.runOnEveryRank('record_payload', bytes('one'));
    await tk.runOnEveryRank('record_payload', bytes('one'));
    assert.equal(await rt.launch(state, []).get(), '1:one');
    await tk.runOnEveryRank('record_payload', bytes('two'));
    assert.equal(await rt.launch(state, []).get(), '2:two');
    await assert.rejects(tk.runOnEveryRank('nope'), /registered no callback 'nope'; it registered: record_payload/);
    await assert.rejects(
      tk.runOnEveryRank('record_payload', 'text' as unknown as Uint8Array),
      /the payload must be a Uint8Array, got/,
    );
  });

  it('a C++ task waits for futures and sums them (fan-in)', async () => {
    const add = lib.task<[number, number], number>('add');
    const parts = Array.from({ length: 50 }, (_, i) => rt.launch(add, [i, 0]));
    assert.equal(await rt.launch(lib.task('sum_futures'), [], { futures: parts }).get(), (49 * 50) / 2);
  });

  it('mixes TS and C++ tasks in one dependence chain', async () => {
    const add = lib.task<[number, number], number>('add');
    const triple = rt.registerTask('triple_prev', (ctx) => (ctx.futures[0] as number) * 3);
    const a = rt.launch(add, [1, 1]);
    const b = rt.launch(triple, [], { futures: [a] });
    const c = rt.launch(lib.task('sum_futures'), [], { futures: [a, b] });
    assert.equal(await c.get(), 8);
  });

  it('with 2 workers, independent C++ tasks run at the same time (2 observed at once)', async () => {
    await rt.launch(tk.task('reset_probe'), []).get();
    const r = tk.task<[number], number>('rendezvous');
    const seen = await within(Promise.all([rt.launch(r, [2]).get(), rt.launch(r, [2]).get()]), 30000, 'rendezvous');
    assert.deepEqual(seen, [2, 2]);
  });

  it('C++ tasks run on worker processors and can be pinned to one', async () => {
    const proc = tk.task<[], number>('processor');
    const ids = await Promise.all(Array.from({ length: 20 }, () => rt.launch(proc, []).get()));
    assert.ok(ids.every((p) => p >= 0 && p < rt.workers));
    const pinned = await Promise.all(Array.from({ length: 20 }, () => rt.launch(proc, [], { worker: 1 }).get()));
    assert.ok(pinned.every((p) => p === 1));
  });
});

describe('errors with a clear cause', () => {
  let rt: Runtime;
  let lib: Library;
  let tk: Library;
  before(async () => {
    rt = await Runtime.start({ workers: 2 });
    lib = await rt.loadLibrary(exampleKernels);
    tk = await rt.loadLibrary(testKernels);
  });
  after(async () => {
    await rt.shutdown();
  });

  it('a TS task that throws rejects its future with the original message and stack', async () => {
    const bad = rt.registerTask('throws_ts', () => {
      throw new RangeError('out of cheese');
    });
    const err = await rt
      .launch(bad, [])
      .get()
      .then(
        () => undefined,
        (e: Error) => e,
      );
    assert.ok(err);
    assert.equal(err.message, 'out of cheese');
    assert.match(err.stack ?? '', /RangeError: out of cheese\n\s+at .*cpp-tasks\.test\.ts/);
  });

  it('an async TS task that rejects fails its future the same way', async () => {
    const bad = rt.registerTask('rejects_ts', async () => {
      await Promise.resolve();
      throw new Error('async failure');
    });
    await assert.rejects(rt.launch(bad, []).get(), { name: 'TaskError', message: 'async failure' });
  });

  it('a C++ task that reports failure rejects with its message', async () => {
    await assert.rejects(rt.launch(tk.task('fail'), ['bad input row 7']).get(), { message: 'bad input row 7' });
    await assert.rejects(rt.launch(tk.task('throws'), ['thrown in C++']).get(), { message: 'thrown in C++' });
  });

  it('tasks depending on a failed future do not run and name the failed predecessor', async () => {
    let ran = false;
    const bad = rt.registerTask('fails_first', () => {
      throw new Error('root cause');
    });
    const after = rt.registerTask('never_runs', () => {
      ran = true;
    });
    const f = rt.launch(bad, []);
    const g = rt.launch(after, [], { futures: [f] });
    const h = rt.launch(lib.task('sum_futures'), [], { futures: [g] });
    await assert.rejects(
      g.get(),
      /task 'never_runs' \(op #\d+\) did not run because task 'fails_first' \(op #\d+\), which it depends on, failed: root cause/,
    );
    await assert.rejects(h.get(), /task 'sum_futures' .* did not run because task 'fails_first' .* failed: root cause/);
    assert.equal(ran, false);
  });

  it('a failure message stays bounded along a chain of 2,000 dependents and still names the root', async () => {
    const root = rt.registerTask('chain_root', () => {
      throw new Error('root cause of the chain');
    });
    const link = rt.registerTask('chain_link', () => 1);
    const futures: Future<unknown>[] = [rt.launch(root, [])];
    for (let i = 0; i < 2000; i++) futures.push(rt.launch(link, [], { futures: [futures[futures.length - 1]] }));
    const failure = async (i: number): Promise<TaskError> => {
      const e = await futures[i].get().then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(e instanceof TaskError, `future ${i} should reject with a TaskError`);
      return e;
    };
    const first = await within(failure(1), 30000, 'the first dependent');
    const last = await within(failure(2000), 30000, 'the last dependent');
    assert.ok(last.message.length < 2 * first.message.length, `the last message has ${last.message.length} characters`);
    assert.match(
      first.message,
      /^task 'chain_link' \(op #\d+\) did not run because task 'chain_root' \(op #\d+\), which it depends on, failed: root cause of the chain$/,
    );
    assert.match(
      last.message,
      /^task 'chain_link' \(op #\d+\) did not run because task 'chain_link' \(op #\d+\), which it depends on, did not run because task 'chain_root' \(op #\d+\) failed: root cause of the chain$/,
    );
    for (const e of [first, last]) {
      assert.match(e.failedTask, /^task 'chain_root' \(op #\d+\)$/);
      assert.equal(e.originalMessage, 'root cause of the chain');
      assert.match(e.stack ?? '', /caused by: Error: root cause of the chain\n\s+at .*cpp-tasks\.test\.ts/);
    }
  });

  it('a result that cannot be encoded fails the task and names it', async () => {
    const bad = rt.registerTask('returns_function', () => (() => 1) as unknown as number);
    await assert.rejects(
      rt.launch(bad, []).get(),
      /cannot encode the result of task 'returns_function' \(a function\)/,
    );
  });

  it('an argument of the wrong type is rejected at launch with its position', () => {
    const add = lib.task('add');
    assert.throws(
      () => rt.launch(add, [1, (() => 2) as never]),
      /cannot encode argument 1 of task 'add' \(a function\)/,
    );
    assert.throws(() => rt.launch(add, [new Map() as never]), /argument 0 of task 'add' \(an instance of Map\)/);
  });

  it('launch options variant and worker outside the accepted values are refused, listing them', () => {
    const add = lib.task('add');
    assert.throws(() => rt.launch(add, [1, 2], { variant: 'gpu' as 'cpp' }), {
      name: 'RangeError',
      message: "launch('add'): variant must be 'cpp' or 'ts' (or left out), got 'gpu'",
    });
    assert.throws(
      () => rt.indexLaunch(add, 2, { args: [1, 2], variant: 'gpu' as 'cpp' }),
      /indexLaunch\('add'\): variant must be 'cpp' or 'ts' \(or left out\), got 'gpu'/,
    );
    for (const worker of [-5, 1.5, 2, NaN]) {
      assert.throws(() => rt.launch(add, [1, 2], { worker }), {
        name: 'RangeError',
        message: `launch('add'): worker must be an integer from 0 to 1 (the runtime has 2 workers), got ${worker}`,
      });
    }
  });

  it('a C++ task reading an argument as the wrong type fails with what it expected', async () => {
    await assert.rejects(rt.launch(tk.task('needs_number'), ['seven']).get(), /expected number, got string/);
  });

  it('an unknown task is an error naming the task and what the library has', () => {
    assert.throws(() => lib.task('nope'), /has no task 'nope'; it defines: .*add/);
    assert.throws(() => rt.launch('add' as unknown as Task, []), /expected a Task/);
  });

  it('loadLibrary of a missing file names the path', async () => {
    await assert.rejects(
      rt.loadLibrary('/nonexistent/libnothing.so'),
      /cannot open '\/nonexistent\/libnothing\.so': No such file or directory/,
    );
  });

  it('loadLibrary of a file that is not a shared object includes dlerror text', async () => {
    const notSo = path.join(os.tmpdir(), `cohort-not-a-library-${process.pid}.so`);
    fs.writeFileSync(notSo, 'this is text, not ELF');
    try {
      await assert.rejects(
        rt.loadLibrary(notSo),
        /is not a loadable shared object: .*(invalid ELF header|file too short)/,
      );
    } finally {
      fs.unlinkSync(notSo);
    }
  });

  it('loadLibrary of a library without the entry point says which symbol is missing', async () => {
    await assert.rejects(
      rt.loadLibrary(fixture('no_entry')),
      /has no cohort entry point \(symbol 'cohort_library_sdk_version' not found.*undefined symbol/,
    );
  });

  it('a library registered through COHORT_LIBRARY(reg), with a function named reg, loads and runs', async () => {
    const lib = await rt.loadLibrary(fixture('named_reg'));
    assert.deepEqual(lib.taskNames, ['macro_hygiene']);
    assert.equal(
      await rt.launch(lib.task<[], string>('macro_hygiene'), []).get(),
      'registered through COHORT_LIBRARY(reg)',
    );
  });

  it('loadLibrary of a library built for another SDK version names both versions', async () => {
    await assert.rejects(
      rt.loadLibrary(fixture('wrong_version')),
      /built against cohort SDK version 2, but this runtime provides SDK version 1/,
    );
  });

  it('the runtime keeps working after all of these errors', async () => {
    assert.equal(await rt.launch(lib.task('add'), [2, 2]).get(), 4);
  });
});
