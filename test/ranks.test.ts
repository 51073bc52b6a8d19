// Many ranks under mpirun (test/ranks/*.ts are the programs). Each run has a
// timeout that fails it. Without mpirun these tests cannot run: outside CI
// they are skipped with a line saying what to install; under CI (CI=true)
// that is a failure, so they are never skipped there.
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kernelsDir, root } from './helpers';
import { onPath as findOnPath } from './package-helpers';

const onPath = (cmd: string): string => findOnPath(cmd, process.env.PATH ?? '') ?? '';
/** An MPI's launcher, its flags, and the plugin built for it. */
interface Launcher {
  cmd: string;
  args: string[];
  plugin: string;
  /** Added to the environment of the run. */
  env?: NodeJS.ProcessEnv;
}
const openMpi: Launcher = {
  cmd: onPath('mpirun'),
  args: ['--allow-run-as-root', '--oversubscribe'],
  plugin: path.join(root, 'build', 'Release', 'cohort_transport_openmpi.so'),
};
// MPICH's Hydra, installed beside Open MPI by Debian's mpich package (mpirun stays Open MPI's).
const mpich: Launcher = {
  cmd: onPath('mpiexec.mpich'),
  args: [],
  plugin: path.join(root, 'build', 'Release', 'cohort_transport_mpich.so'),
};
const MISSING = 'mpirun was not found: install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev)';
const MISSING_MPICH = 'mpiexec.mpich was not found: install MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev)';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `program` (under test/ranks/) on `ranks` ranks started by `launcher`
 * (Open MPI's mpirun unless named), or as one plain process when ranks is 0.
 */
function runRanks(
  ranks: number,
  program: string,
  args: string[] = [],
  timeoutMs = 60000,
  launcher: Launcher = openMpi,
): Promise<Run> {
  const script = path.join(root, 'test', 'ranks', program);
  const node = [process.execPath, '--require', 'tsx/cjs', script, ...args];
  const [cmd, argv] =
    ranks === 0 ? [node[0], node.slice(1)] : [launcher.cmd, [...launcher.args, '-n', String(ranks), ...node]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: root,
      env: { ...process.env, OMPI_MCA_rmaps_base_oversubscribe: '1', ...launcher.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${program} on ${ranks} ranks did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The JSON after `RESULT ` on the one line that has it. */
function result(run: Run, tag = 'RESULT'): unknown {
  const lines = run.stdout.split('\n').filter((l) => l.startsWith(`${tag} `));
  assert.strictEqual(lines.length, 1, `expected one ${tag} line, got:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(lines[0].slice(tag.length + 1));
}

function ok(run: Run): Run {
  assert.strictEqual(run.code, 0, `exit ${run.code} (signal ${run.signal})\n${run.stdout}\n${run.stderr}`);
  return run;
}

describe('many ranks under mpirun', function () {
  this.timeout(180000);

  before(function () {
    if (!openMpi.cmd) {
      if (process.env.CI === 'true') throw new Error(`${MISSING}; under CI the multi-rank tests must run`);
      console.log(`    multi-rank tests NOT RUN: ${MISSING}`);
      this.skip();
    }
    assert.ok(
      fs.existsSync(openMpi.plugin),
      `the MPI transport plugin ${openMpi.plugin} is missing: run \`npm run build:mpi\` (npm install builds it when mpicc is there)`,
    );
  });

  it('runs TS and C++ tasks on every rank and gets the one-process result on 2 and 4 ranks', async () => {
    const one = result(ok(await runRanks(0, 'remote_tasks.ts'))) as { chain: number; expectedChain: number };
    assert.strictEqual(one.chain, one.expectedChain);
    for (const n of [2, 4]) {
      const run = ok(await runRanks(n, 'remote_tasks.ts'));
      assert.deepStrictEqual(result(run), one, `${n} ranks`);
      const placement = result(run, 'PLACEMENT') as { ranksSeen: number[]; requests: number[] };
      assert.deepStrictEqual(
        placement.ranksSeen,
        Array.from({ length: n }, (_, i) => i),
        'the default sharding spreads an index launch over every rank',
      );
      assert.strictEqual(placement.requests.length, n - 1);
    }
  });

  it('sends one request per task placed on another rank and nothing on one rank', async () => {
    const two = result(ok(await runRanks(2, 'remote_tasks.ts')), 'PLACEMENT') as { requests: number[] };
    // 6 of the 12 index points (cyclic sharding), and of the single tasks
    // the 4 squares and 4 sums with odd tags, one add and the TS sum.
    assert.deepStrictEqual(two.requests, [16]);
    const one = result(ok(await runRanks(0, 'remote_tasks.ts')), 'PLACEMENT') as { requests: number[] };
    assert.deepStrictEqual(one.requests, []);
  });

  it("rejects the futures of tasks that failed on another rank with that rank's message and stack", async () => {
    const out = result(ok(await runRanks(2, 'remote_failure.ts'))) as Record<
      string,
      { message: string; stack: string; failedTask: string }
    > & { afterwards: number };
    assert.strictEqual(out.ts.message, 'boom: from ts');
    assert.strictEqual(out.ts.failedTask, "task 'boom' (op #1) on rank 1");
    assert.match(out.ts.stack, /remote_failure\.ts/, 'the stack of the throw on rank 1');
    assert.strictEqual(out.cpp.message, 'from c++');
    assert.strictEqual(out.cpp.failedTask, "task 'fail' (op #2) on rank 1");
    assert.match(out.dependent.message, /task 'after' \(op #3\) did not run because task 'boom' \(op #1\) on rank 1/);
    assert.strictEqual(out.afterwards, 1, 'the runtime goes on: a later task ran on rank 1');
  });

  it('loads a library on every rank once, and names the rank where it is missing, not a library or different', async () => {
    for (const n of [2, 4]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-ranks-'));
      try {
        for (let r = 0; r < n; ++r) {
          const d = path.join(dir, `rank${r}`);
          fs.mkdirSync(d);
          fs.copyFileSync(path.join(kernelsDir, 'libkernels.so'), path.join(d, 'good.so'));
          fs.copyFileSync(path.join(kernelsDir, 'libtest_kernels.so'), path.join(d, 'callbacks.so'));
          if (r === 0) {
            fs.copyFileSync(path.join(kernelsDir, 'libfixture_named_reg.so'), path.join(d, 'missing.so'));
            fs.copyFileSync(path.join(kernelsDir, 'libtest_kernels.so'), path.join(d, 'notlib.so'));
            fs.copyFileSync(path.join(kernelsDir, 'libtutorial_kernels.so'), path.join(d, 'differs.so'));
          } else {
            fs.writeFileSync(path.join(d, 'notlib.so'), 'not a shared object\n');
            fs.copyFileSync(path.join(kernelsDir, 'liboracle_kernels.so'), path.join(d, 'differs.so'));
          }
        }
        const out = result(ok(await runRanks(n, 'libraries.ts', [dir]))) as Record<string, unknown>;
        const each = (k: number): number[] => Array.from({ length: n - 1 }, () => k);
        assert.deepStrictEqual(out.before, each(0));
        assert.deepStrictEqual(out.afterFirst, each(1), 'one message per other rank');
        assert.deepStrictEqual(out.afterSecond, each(1), 'a second call sends nothing');
        assert.deepStrictEqual(
          out.sums,
          Array.from({ length: n }, (_, r) => r + 100),
        );
        for (let r = 1; r < n; ++r) {
          assert.match(String(out.missing), new RegExp(`rank ${r}: .*missing\\.so`), `missing on rank ${r}`);
          assert.match(String(out.notlib), new RegExp(`rank ${r}: .*not a loadable shared object`));
          assert.match(String(out.differs), new RegExp(`rank ${r}: ./differs.so has content hash [0-9a-f]+ here but`));
        }
        assert.strictEqual(out.stillUsable, 5);
        // Registration callbacks: one message per other rank, once per payload.
        assert.deepStrictEqual(out.callbackSent, [each(0), each(1), each(1), each(2)]);
        assert.deepStrictEqual(
          out.statesFirst,
          Array.from({ length: n }, () => '1:hello'),
        );
        assert.match(String(out.unknown), /registered no callback 'nope'; it registered: record_payload/);
        assert.match(
          String(out.failing),
          /not every rank ran it: rank 1: callback 'record_payload' .* refused payload 'fail on rank 1'/,
        );
        assert.deepStrictEqual(
          out.statesAfter,
          Array.from({ length: n }, (_, r) => (r === 1 ? '1:hello' : '2:fail on rank 1')),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('ends the run with an error naming the rank that was killed, without hanging', async () => {
    const run = await runRanks(2, 'killed_rank.ts', [], 60000);
    assert.notStrictEqual(run.code, 0);
    assert.doesNotMatch(run.stdout, /RESULT/);
    assert.match(run.stdout + run.stderr, /rank 1 .*(signal 9|Killed)/);
  });

  it('exits cleanly on every rank when the program ends without calling shutdown()', async () => {
    const inMain = ok(await runRanks(2, 'no_shutdown.ts', ['main']));
    assert.deepStrictEqual(result(inMain), [0, 2, 4, 6, 8, 10, 12, 14]);
    const plain = ok(await runRanks(2, 'no_shutdown.ts', ['plain']));
    const lines = plain.stdout
      .split('\n')
      .filter((l) => l.startsWith('RESULT'))
      .sort();
    assert.deepStrictEqual(lines, ['RESULT rank 0: 2', 'RESULT rank 1: 4']);
  });

  it('runs the top-level function when every rank was ready before rank 0 called rt.main', async () => {
    assert.deepStrictEqual(result(ok(await runRanks(2, 'late_main.ts'))), [0, 2, 4, 6]);
  });

  it('prints the one-process output of the stencil tutorial on 2 and 4 ranks with one controller', async () => {
    const program = path.join('..', '..', 'examples', 'tutorial08_multiple_partitions.ts');
    const one = ok(await runRanks(0, program)).stdout;
    assert.match(one, /Checking results\.\.\.SUCCESS!/);
    const sorted = (out: string): string[] => out.split('\n').filter(Boolean).sort();
    for (const n of [2, 4]) {
      const many = ok(await runRanks(n, program, ['--single-controller'])).stdout;
      assert.deepStrictEqual(sorted(many), sorted(one), `${n} ranks`);
    }
  });

  it("gives the sequential interpreter's result for random programs whose index launches are spread over 2 and 4 ranks", async () => {
    for (const n of [2, 4]) {
      const r = result(ok(await runRanks(n, 'oracle.ts', ['150'], 120000))) as {
        programs: number;
        failures: string[];
        regionBytes: number;
        requests: number;
      };
      assert.deepStrictEqual(r.failures, [], `${n} ranks`);
      assert.strictEqual(r.programs, 150);
      // The points really ran elsewhere, and their data moved.
      assert.ok(r.requests > 1000, `${n} ranks: only ${r.requests} task requests`);
      assert.ok(r.regionBytes > 0, `${n} ranks: no region data moved`);
    }
  });

  it("moves exactly the ghost cells each stencil step, and an inline mapping fetches exactly the other ranks' pieces", async () => {
    type Stencil = {
      values: number[];
      ok: boolean;
      bytesPerStep: number;
      expectedPerStep: number;
      fetchedByMap: number;
      expectedFetch: number;
    };
    const one = result(ok(await runRanks(0, 'stencil_bytes.ts'))) as Stencil;
    assert.ok(one.ok, 'one process: the sequential result');
    for (const n of [2, 4]) {
      const r = result(ok(await runRanks(n, 'stencil_bytes.ts'))) as Stencil;
      assert.deepStrictEqual(r.values, one.values, `${n} ranks: the one-process values`);
      assert.ok(r.ok, `${n} ranks: the sequential result`);
      assert.strictEqual(r.bytesPerStep, r.expectedPerStep, `${n} ranks: region bytes per step`);
      assert.strictEqual(r.expectedPerStep, (n - 1) * 16);
      assert.strictEqual(r.fetchedByMap, r.expectedFetch, `${n} ranks: bytes the inline mapping fetched`);
    }
  });

  it('maps points on their own rank when the mapper asks for mapLocally: false', async () => {
    for (const n of [2, 4]) {
      const r = result(ok(await runRanks(n, 'map_on_target.ts'))) as {
        workers: number[];
        points: number;
        calls: [number, number][];
      };
      // Cyclic sharding: point p is on rank p % n; each rank's mapper puts its points on its last worker (1).
      r.workers.forEach((w, p) => {
        if (p % n !== 0) assert.strictEqual(w, 1, `${n} ranks: point ${p}`);
      });
      for (const [rank, calls] of r.calls)
        assert.strictEqual(calls, rank === 0 ? r.points : r.points / n, `${n} ranks: mapTask calls on rank ${rank}`);
    }
  });

  it('refuses to run the top-level function when the ranks registered different tasks', async () => {
    const run = await runRanks(2, 'mismatch.ts');
    assert.notStrictEqual(run.code, 0);
    assert.doesNotMatch(run.stdout, /main ran/);
    assert.match(run.stderr, /rank 1 registered other tasks than rank 0.*only rank 1 has ts 'only_on_rank_one'/);
  });
});

/** The JSON after `RESULT ` on each line that has it, by rank. */
function resultsByRank(run: Run): Record<string, unknown>[] {
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('RESULT '));
  const out = lines.map((l) => JSON.parse(l.slice('RESULT '.length)) as Record<string, unknown>);
  return out.sort((a, b) => Number(a.rank) - Number(b.rank));
}

describe('control replication under mpirun', function () {
  this.timeout(240000);

  before(function () {
    if (!openMpi.cmd) {
      if (process.env.CI === 'true') throw new Error(`${MISSING}; under CI the multi-rank tests must run`);
      console.log(`    replicated multi-rank tests NOT RUN: ${MISSING}`);
      this.skip();
    }
  });

  it('prints the one-process output of the stencil tutorial replicated on 2 and 4 ranks', async () => {
    const program = path.join('..', '..', 'examples', 'tutorial08_multiple_partitions.ts');
    const args = ['-n', '4096', '-b', '8'];
    const one = ok(await runRanks(0, program, args)).stdout;
    assert.match(one, /Checking results\.\.\.SUCCESS!/);
    const sorted = (out: string): string[] => out.split('\n').filter(Boolean).sort();
    for (const n of [2, 4])
      assert.deepStrictEqual(sorted(ok(await runRanks(n, program, args)).stdout), sorted(one), `${n} ranks`);
  });

  it('prints the one-process output of the hello example and tutorials 00 to 07 replicated on 4 ranks', async () => {
    // Tutorial 01 prints elapsed times, the only part that may differ; the
    // points of index launches print in any order.
    const lines = (out: string): string[] =>
      out
        .replace(/\(elapsed = [0-9.]+ s\)/g, '(elapsed)')
        .split('\n')
        .filter(Boolean)
        .sort();
    for (const [example, args] of [
      ['hello.ts', []],
      ['tutorial00_hello_world.ts', []],
      ['tutorial01_tasks_and_futures.ts', []],
      ['tutorial04_logical_regions.ts', []],
      ['tutorial05_physical_regions.ts', []],
      ['tutorial06_privileges.ts', []],
      ['tutorial07_partitioning.ts', ['-n', '4096', '-b', '8']],
    ] as const) {
      const program = path.join('..', '..', 'examples', example);
      const one = lines(ok(await runRanks(0, program, [...args])).stdout);
      assert.ok(one.length > 0, `${example} printed nothing on one process`);
      assert.deepStrictEqual(lines(ok(await runRanks(4, program, [...args])).stdout), one, `${example} on 4 ranks`);
    }
  });

  it("gives the sequential interpreter's result on every shard for random programs replicated on 2 and 4 ranks", async () => {
    type Shard = {
      rank: number;
      replicated: boolean;
      programs: number;
      failures: string[];
      regionBytes: number;
      shardCopies: number;
      shardResults: number;
      requests: number;
    };
    for (const n of [2, 4]) {
      const shards = resultsByRank(
        ok(await runRanks(n, 'oracle.ts', ['150', '20261207', 'replicated'], 180000)),
      ) as Shard[];
      assert.deepStrictEqual(
        shards.map((s) => s.rank),
        Array.from({ length: n }, (_, i) => i),
        `${n} ranks: every rank ran the top-level function`,
      );
      for (const s of shards) {
        const where = `${n} ranks, shard ${s.rank}`;
        assert.strictEqual(s.replicated, true, where);
        assert.strictEqual(s.programs, 150, where);
        assert.deepStrictEqual(s.failures, [], where);
        // No controller: nothing is sent as a task request; each shard ran
        // its own points and sent their results and the bytes others read.
        assert.strictEqual(s.requests, 0, where);
        assert.ok(s.shardResults > 0, `${where}: sent no results`);
        assert.ok(s.shardCopies > 0 && s.regionBytes > 0, `${where}: moved no region data`);
      }
    }
  });

  it('runs a replicable program unchanged on one process', async () => {
    const shards = resultsByRank(ok(await runRanks(0, 'oracle.ts', ['40', '20261207', 'replicated']))) as {
      replicated: boolean;
      failures: string[];
      shardResults: number;
    }[];
    assert.strictEqual(shards.length, 1);
    assert.strictEqual(shards[0].replicated, false);
    assert.deepStrictEqual(shards[0].failures, []);
    assert.strictEqual(shards[0].shardResults, 0);
  });

  it('refuses to start when the ranks disagree on replication, naming both answers', async () => {
    const run = await runRanks(2, 'replicated_mismatch.ts', [], 60000);
    assert.notStrictEqual(run.code, 0, `the run should fail\n${run.stdout}\n${run.stderr}`);
    assert.doesNotMatch(run.stdout, /RESULT/);
    assert.match(
      run.stderr,
      /rank 0 called rt\.main \{ replicable: true \} but rank 1 called it without replicable; every rank must run the same program/,
    );
  });
});

describe("many ranks under MPICH's mpiexec", function () {
  this.timeout(180000);

  before(function () {
    if (!mpich.cmd) {
      if (process.env.CI === 'true') throw new Error(`${MISSING_MPICH}; under CI the MPICH tests must run`);
      console.log(`    MPICH multi-rank tests NOT RUN: ${MISSING_MPICH}`);
      this.skip();
    }
    assert.ok(
      fs.existsSync(mpich.plugin),
      `the MPICH transport plugin ${mpich.plugin} is missing: npm install builds it when mpicc.mpich is there ` +
        '(or MPICC=mpicc.mpich npm run build:mpi)',
    );
  });

  it("gives the sequential interpreter's result for random programs spread over 2 and 4 MPICH ranks", async () => {
    for (const n of [2, 4]) {
      const r = result(ok(await runRanks(n, 'oracle.ts', ['60', '4100'], 120000, mpich))) as {
        programs: number;
        failures: string[];
        requests: number;
      };
      assert.deepStrictEqual(r.failures, [], `${n} ranks`);
      assert.strictEqual(r.programs, 60);
      assert.ok(r.requests > 300, `${n} ranks: only ${r.requests} task requests`);
    }
  });

  it('moves exactly the ghost cells each stencil step over MPICH, with the MPICH library loaded', async () => {
    const r = result(ok(await runRanks(2, 'stencil_bytes.ts', [], 60000, mpich))) as {
      ok: boolean;
      bytesPerStep: number;
      library: string;
    };
    assert.ok(r.ok, 'the sequential result');
    assert.strictEqual(r.bytesPerStep, 16);
    assert.match(r.library, /MPICH/);
  });

  it("rejects the futures of tasks that failed on an MPICH rank with that rank's message", async () => {
    type Failures = Record<string, { message: string; stack: string; failedTask: string }> & { afterwards: number };
    // Messages and failed tasks, not the controller's own stack frames (they depend on when the reply came).
    const summary = (out: Failures): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(out).map(([k, v]) => [k, typeof v === 'object' ? [v.message, v.failedTask] : v]),
      );
    const underMpich = result(ok(await runRanks(2, 'remote_failure.ts', [], 60000, mpich))) as Failures;
    const underOpenMpi = result(ok(await runRanks(2, 'remote_failure.ts'))) as Failures;
    assert.deepStrictEqual(summary(underMpich), summary(underOpenMpi), 'the same rejections as under Open MPI');
    assert.match(underMpich.ts.stack, /remote_failure\.ts/, 'the stack of the throw on rank 1');
  });

  it('names the MPICH-ABI libraries it could not open when the prebuilt-style plugin finds no MPI', async () => {
    // A --prebuild plugin links no MPI: with no library to open, the error says what was tried.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-mpich-'));
    try {
      const build = spawnSync(
        process.execPath,
        [path.join(root, 'scripts', 'build-mpi-plugin.js'), '--prebuild', '--out', out],
        { encoding: 'utf8', env: { ...process.env, MPICC: onPath('mpicc.mpich') } },
      );
      assert.strictEqual(build.status, 0, build.stderr);
      const run = await runRanks(2, 'remote_tasks.ts', [], 60000, {
        ...mpich,
        env: {
          COHORT_MPI_PLUGIN: path.join(out, 'cohort_transport_mpich.so'),
          COHORT_MPI_LIBRARY: 'libno_such_mpi.so.12',
        },
      });
      assert.notStrictEqual(run.code, 0);
      assert.match(
        run.stderr,
        /undefined symbol: MPI_\w+ \(no MPICH-ABI library could be opened: libno_such_mpi\.so\.12: cannot open shared object file.*COHORT_MPI_LIBRARY\)/,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
