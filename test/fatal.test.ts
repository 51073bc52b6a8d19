// Programs that crash or hang, run in child processes: a native crash names
// the C++ task; a task that never finishes is reported (shutdown grace
// period, Ctrl-C, an event loop with nothing left) instead of a silent hang.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { root, testKernels, within } from './helpers';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `body` (JS, inside an async function, with `Runtime` and `tk`, the
 * test kernels, in scope) in a child node. `whenStderr`: called each time
 * stderr grows (to send a signal once the child says something). No core
 * files: `ulimit -c 0`, then exec, so the child's fate is node's.
 */
function runChild(
  body: string,
  guardMs: number,
  whenStderr?: (child: ChildProcess, stderr: string, stdout: string) => void,
): Promise<Exit> {
  const script = `
    const { Runtime } = require(${JSON.stringify(path.join(root, 'lib'))});
    (async () => {
      const rt = await Runtime.start({ workers: 1 });
      const tk = await rt.loadLibrary(${JSON.stringify(testKernels)});
      ${body}
    })().catch((e) => { console.error('child failed:', e); process.exit(99); });
  `;
  const child = spawn('sh', ['-c', 'ulimit -c 0; exec "$0" "$@"', process.execPath, '--import', 'tsx', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    whenStderr?.(child, stderr, stdout);
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    whenStderr?.(child, stderr, stdout);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return within(exited, guardMs, 'the child process').catch((e: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  });
}

describe('native crashes name the C++ task', function () {
  this.timeout(60000);

  it('a C++ task that calls abort() dies of SIGABRT, and stderr names the task, op and worker', async () => {
    const r = await runChild(`await rt.launch(tk.task('crash_abort'), []).get();`, 30000);
    assert.equal(r.signal, 'SIGABRT', `exit ${r.code}, stderr: ${r.stderr}`);
    assert.match(r.stderr, /^cohort: fatal signal SIGABRT in C\+\+ task 'crash_abort' \(op #1\) on worker 0$/m);
  });

  it('a C++ task that writes through a null pointer dies of SIGSEGV, and stderr names the task, op and worker', async () => {
    const r = await runChild(`await rt.launch(tk.task('crash_null'), []).get();`, 30000);
    assert.equal(r.signal, 'SIGSEGV', `exit ${r.code}, stderr: ${r.stderr}`);
    assert.match(r.stderr, /^cohort: fatal signal SIGSEGV in C\+\+ task 'crash_null' \(op #1\) on worker 0$/m);
  });

  it('a C++ task that overflows its stack is reported too (workers have an alternate signal stack)', async () => {
    const r = await runChild(`await rt.launch(tk.task('crash_stack_overflow'), [1e9]).get();`, 30000);
    assert.equal(r.signal, 'SIGSEGV', `exit ${r.code}, stderr: ${r.stderr}`);
    assert.match(
      r.stderr,
      /^cohort: fatal signal SIGSEGV in C\+\+ task 'crash_stack_overflow' \(op #1\) on worker 0$/m,
    );
  });

  it("WebAssembly bounds checks (V8's own SIGSEGV handler) still work while the runtime runs", async () => {
    // (module (memory 1) (func (export "load") (param i32) (result i32) local.get 0 i32.load))
    const r = await runChild(
      `
      await rt.launch(tk.task('empty'), []).get();
      const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, 3, 2, 1, 0, 5, 3, 1, 0, 1,
        7, 8, 1, 4, 0x6c, 0x6f, 0x61, 0x64, 0, 0, 0x0a, 9, 1, 7, 0, 0x20, 0, 0x28, 2, 0, 0x0b]);
      const load = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.load;
      try { load(0x7fff0000); console.log('no trap'); } catch (e) { console.log('trapped:', String(e)); }
      await rt.shutdown();
    `,
      30000,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /trapped: RuntimeError: memory access out of bounds/);
    assert.doesNotMatch(r.stderr, /cohort: fatal signal/);
  });

  it('a crash outside any C++ task is passed on unchanged (no cohort line)', async () => {
    const r = await runChild(`await rt.launch(tk.task('empty'), []).get(); process.abort();`, 30000);
    assert.equal(r.signal, 'SIGABRT', `exit ${r.code}, stderr: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /cohort: fatal signal/);
  });
});

describe('a task that never finishes is reported, never a silent hang', function () {
  this.timeout(60000);

  const neverSettles = `
    const never = rt.registerTask('never_settles', () => new Promise(() => undefined));
    const f = rt.launch(never, []);
    rt.launch(rt.registerTask('after_it', () => 1), [], { futures: [f] });
  `;

  it('a TS task whose promise never settles, in a script that never shuts down: the report names it, exit 13', async () => {
    const r = await runChild(neverSettles, 30000);
    assert.equal(r.code, 13, r.stderr);
    assert.match(r.stderr, /cohort: the event loop has nothing left to do, but these tasks can never finish/);
    assert.match(r.stderr, /task 'never_settles' \(op #1, TS\): running on the JS thread for \d+\.\d s/);
    assert.match(r.stderr, /task 'after_it' \(op #2, TS\): waiting for \d+\.\d s/);
  });

  it('shutdown() waiting for a TS task that never settles: the same report and exit 13', async () => {
    const r = await runChild(`${neverSettles} await rt.shutdown(); console.log('shut down');`, 30000);
    assert.equal(r.code, 13, r.stderr);
    assert.doesNotMatch(r.stdout, /shut down/);
    assert.match(r.stderr, /task 'never_settles' \(op #1, TS\): running on the JS thread/);
  });

  it('shutdown() reports unfinished tasks after reportAfterMs, and Ctrl-C then exits 130 with the report', async () => {
    let interrupted = false;
    const r = await runChild(
      `rt.launch(tk.task('block_forever'), []); await rt.shutdown({ reportAfterMs: 50 }); console.log('shut down');`,
      30000,
      (child, stderr) => {
        // The grace-period report says shutdown is stuck: now press Ctrl-C.
        if (!interrupted && /shutdown\(\) has waited 50 ms/.test(stderr)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    );
    assert.equal(r.code, 130, `signal ${r.signal}, stderr: ${r.stderr}`);
    assert.match(
      r.stderr,
      /cohort: shutdown\(\) has waited 50 ms; these tasks have not finished:\n  task 'block_forever' \(op #1, C\+\+\): running on worker 0 for \d+\.\d s\n/,
    );
    assert.match(
      r.stderr,
      /cohort: interrupted \(SIGINT\) while these tasks had not finished:\n  task 'block_forever' \(op #1, C\+\+\): running on worker 0/,
    );
    assert.equal(r.stderr.match(/shutdown\(\) has waited/g)?.length, 1, 'the grace-period report is printed once');
  });

  it("Ctrl-C with nothing unfinished keeps Node's default: the process dies of SIGINT", async () => {
    let sent = false;
    const r = await runChild(
      `setInterval(() => undefined, 1000); console.log('ready');`,
      30000,
      (child, _stderr, stdout) => {
        if (!sent && stdout.includes('ready')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    assert.equal(r.signal, 'SIGINT', `exit ${r.code}, stderr: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /cohort:/);
  });

  it('after shutdown the runtime no longer listens for SIGINT or beforeExit', async () => {
    const r = await runChild(
      `await rt.shutdown(); console.log(process.listenerCount('SIGINT'), process.listenerCount('beforeExit'));`,
      30000,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0 0$/m);
  });
});
