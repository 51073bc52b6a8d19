import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Runtime } from '../lib';
import { exampleKernels, root, testKernels, within } from './helpers';

describe('the runtime', () => {
  it('starting twice resolves to the same runtime', async () => {
    const a = await Runtime.start({ workers: 2 });
    const b = await Runtime.start();
    assert.equal(a, b);
    assert.equal(a.workers, 2);
    await a.shutdown();
  });

  it('asking a running runtime for another worker count is a clear error', async () => {
    const rt = await Runtime.start({ workers: 2 });
    await assert.rejects(Runtime.start({ workers: 3 }), /already running with 2 workers; cannot start another with 3/);
    await rt.shutdown();
  });

  it('asking a running runtime for other checks or window is a clear error; the same options return it', async () => {
    const rt = await Runtime.start({ workers: 2, window: 64 });
    await assert.rejects(
      Runtime.start({ checks: !rt.checks }),
      new RegExp(
        `already running with checks ${rt.checks}; cannot start another with checks ${!rt.checks} \\(call shutdown\\(\\) first\\)`,
      ),
    );
    await assert.rejects(
      Runtime.start({ window: 128 }),
      /already running with window 64; cannot start another with window 128/,
    );
    await assert.rejects(Runtime.start({ workers: 2, window: 4096 }), /already running with window 64/);
    assert.equal(await Runtime.start({ workers: 2, checks: rt.checks, window: 64 }), rt);
    assert.equal(await Runtime.start({}), rt);
    assert.equal(rt.window, 64);
    await rt.shutdown();
  });

  it('rejects a worker count that is not a positive integer', async () => {
    await assert.rejects(Runtime.start({ workers: 0 }), /workers must be a positive integer, got 0/);
    await assert.rejects(Runtime.start({ workers: 1.5 }), /workers must be a positive integer/);
  });

  it('defaults to one worker per core', async () => {
    const rt = await Runtime.start();
    assert.equal(rt.workers, require('os').availableParallelism?.() ?? require('os').cpus().length);
    await rt.shutdown();
  });

  it('shutdown resolves only after every launched task has finished', async () => {
    const rt = await Runtime.start({ workers: 2 });
    const lib = await rt.loadLibrary(exampleKernels);
    const add = lib.task<[number, number], number>('add');
    const futures = Array.from({ length: 500 }, (_, i) => rt.launch(add, [i, 1]));
    const slowTs = rt.registerTask('slow_ts', async () => {
      await new Promise((r) => setImmediate(r));
      return 'done';
    });
    const last = rt.launch(slowTs, []);
    await within(rt.shutdown(), 30000, 'shutdown');
    assert.ok(futures.every((f) => f.isReady()));
    assert.ok(last.isReady());
    assert.equal(await last.get(), 'done');
    assert.equal(await futures[499].get(), 500);
  });

  it('launch, registerTask and loadLibrary after shutdown are errors that say so', async () => {
    const rt = await Runtime.start({ workers: 1 });
    const t = rt.registerTask('after_shutdown', () => 1);
    await rt.shutdown();
    assert.throws(() => rt.launch(t, []), /launch after shutdown/);
    assert.throws(() => rt.registerTask('x', () => 1), /registerTask after shutdown/);
    await assert.rejects(rt.loadLibrary(testKernels), /loadLibrary after shutdown/);
  });

  it('a new runtime can start after the previous one shut down', async () => {
    const a = await Runtime.start({ workers: 1 });
    await a.shutdown();
    const b = await Runtime.start({ workers: 2 });
    assert.notEqual(a, b);
    const t = b.registerTask('again', () => 7);
    assert.equal(await b.launch(t, []).get(), 7);
    await b.shutdown();
  });

  it('pending() lists unfinished tasks with name, op, variant, state, processor and time', async () => {
    const rt = await Runtime.start({ workers: 1 });
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      const gate = rt.registerTask('gate', (ctx) => {
        resolve();
        return new Promise<void>((r) => (release = r));
      });
      rt.launch(gate, []);
    });
    await within(started, 10000, 'the gate task');
    const gated = rt.pending()[0];
    const after = rt.launch(
      rt.registerTask('after_gate', () => 'done'),
      [],
      {
        futures: [
          rt.launch(
            rt.registerTask('noop', () => 1),
            [],
          ),
        ],
      },
    );
    const blocked = rt.launch(
      rt.registerTask('behind_gate', () => 1),
      [],
      { futures: [after] },
    );
    assert.deepEqual(
      rt.pending().map((t) => [t.task, t.state]),
      [
        ['gate', 'running'],
        ['noop', 'queued'],
        ['after_gate', 'waiting'],
        ['behind_gate', 'waiting'],
      ],
    );
    assert.equal(gated.variant, 'ts');
    assert.equal(gated.processor, rt.jsProcessor);
    assert.equal(gated.background, false);
    assert.ok(Number.isInteger(gated.op) && gated.op > 0);
    assert.equal(gated.name, '1', 'the first operation of the program');
    assert.deepEqual(
      rt.pending().map((t) => t.name),
      ['1', '2', '3', '4'],
      'named by position in program order (noop, an argument of after_gate, is launched before it)',
    );
    assert.ok(gated.ms >= 0 && gated.ms < 10000);
    await within(blocked.get(), 10000, 'the tasks behind the gate');
    assert.deepEqual(
      rt.pending().map((t) => t.task),
      ['gate'],
    );
    release();
    await within(rt.shutdown(), 10000, 'shutdown');
    assert.deepEqual(rt.pending(), []);
  });

  it('two concurrent shutdown() calls return the same promise, and both resolve', async () => {
    const rt = await Runtime.start({ workers: 1 });
    const slow = rt.registerTask('slow_for_shutdown', async () => {
      await new Promise((r) => setImmediate(r));
    });
    rt.launch(slow, []);
    const a = rt.shutdown();
    const b = rt.shutdown();
    assert.equal(a, b);
    await within(Promise.all([a, b]), 10000, 'both shutdowns');
    assert.equal(rt.isShutDown, true);
    await rt.shutdown(); // and again, after it finished
  });

  it('shutdown refuses a reportAfterMs that is not a non-negative number', async () => {
    const rt = await Runtime.start({ workers: 1 });
    await assert.rejects(rt.shutdown({ reportAfterMs: -1 }), {
      name: 'RangeError',
      message: /reportAfterMs must be a non-negative number/,
    });
    await assert.rejects(rt.shutdown({ reportAfterMs: NaN }), RangeError);
    await rt.shutdown({ reportAfterMs: Infinity });
  });

  it('a script that never calls shutdown exits once the runtime is idle', function () {
    this.timeout(60000);
    const script = `
      const { Runtime } = require(${JSON.stringify(path.join(root, 'lib'))});
      (async () => {
        const rt = await Runtime.start({ workers: 2 });
        const lib = await rt.loadLibrary(${JSON.stringify(exampleKernels)});
        const f = rt.launch(lib.task('add'), [1, 2]);
        const t = rt.registerTask('t', (ctx) => ctx.futures[0] * 10, {});
        const g = rt.launch(t, [], { futures: [f] });
        console.log('result', await g.get());
        rt.launch(lib.task('add'), [3, 4]); // left running on purpose
      })();
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.error, undefined, `the script did not exit: ${r.error?.message}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /result 30/);
  });
});
