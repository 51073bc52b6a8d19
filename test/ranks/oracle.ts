// Multi-rank test program: the sequential oracle's random programs (see
// test/oracle.test.ts) run by rank 0 with the default mapper, which spreads
// the points of every index launch over the ranks (block sharding), so the
// region data they read and write moves between ranks. Every field of every
// program is compared with the sequential interpreter. Nested parents (whose
// subtasks stay on their rank) and checking mode are left out. Prints
// RESULT {rank, replicated, programs, failures, regionBytes, requests,
// shardCopies, shardResults}.
//
// With argv[4] = 'replicated' the programs run under control replication
// instead: every rank runs the top-level function (rt.main with
// replicable: true), each runs the points its shard owns and the single
// tasks of shard 0, inline mappings run on every shard, and every rank
// compares every field and prints its own RESULT.
//   argv[2]: how many programs (default 60), argv[3]: first seed;
//   COHORT_ORACLE_VERBOSE=1 prints each seed before it runs.
import * as path from 'path';
import { Runtime } from '../../lib';
import { kernelsDir } from '../helpers';
import { generate } from '../oracle/generate';
import { OracleFailure, runProgram } from '../oracle/run';
import { oracleTasks } from '../oracle/tasks';

async function run(): Promise<void> {
  const programs = Number(process.argv[2] ?? 60);
  const firstSeed = Number(process.argv[3] ?? 20261203);
  const replicable = process.argv[4] === 'replicated';
  const rt = await Runtime.start({ workers: 1 });
  const lib = await rt.loadLibrary(path.join(kernelsDir, 'liboracle_kernels.so'));
  const tasks = oracleTasks(rt, lib);
  const body = async (): Promise<void> => {
    const failures: string[] = [];
    let ran = 0;
    for (let i = 0; ran < programs; ++i) {
      const prog = generate(firstSeed + i, { without: new Set(['nested', 'violations', 'checks']) });
      if (prog.checks) continue;
      ran++;
      if (process.env.COHORT_ORACLE_VERBOSE) console.error(`oracle: rank ${rt.rank} seed ${firstSeed + i}`);
      try {
        await runProgram(rt, tasks, prog);
      } catch (e) {
        if (!(e instanceof OracleFailure) || e.hung) throw e;
        failures.push(`seed ${firstSeed + i}: ${e.message}`);
      }
    }
    const peers = rt.transportCounters().peers;
    const result = {
      rank: rt.rank,
      replicated: rt.replicated,
      programs: ran,
      failures,
      regionBytes: peers.reduce((s, p) => s + p.regionBytesSent + p.regionBytesReceived, 0),
      requests: peers.reduce((s, p) => s + (p.sent.taskRequest?.messages ?? 0), 0),
      shardCopies: peers.reduce((s, p) => s + (p.sent.shardCopy?.messages ?? 0), 0),
      shardResults: peers.reduce((s, p) => s + (p.sent.shardResult?.messages ?? 0), 0),
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  };
  await rt.main(body, { replicable });
}

run().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
