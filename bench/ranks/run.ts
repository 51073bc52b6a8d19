// `npm run bench:ranks`: remote tasks on 2 ranks against a bare MPI
// ping-pong of the same message size, measured in the same run. Each figure
// is the median of --reps runs (default 5) with its spread; the ratio is
// cohort's remote round trip over the ping-pong's.
//   npm run bench:ranks [-- --reps 5 --json]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 5) || 5;
const mpirunArgs = ['--allow-run-as-root', '--oversubscribe', '-n', '2'];

function mpirun(cmd: string[]): string {
  const r = spawnSync('mpirun', [...mpirunArgs, ...cmd], { cwd: root, encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) throw new Error(`mpirun ${cmd.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
function tagged(out: string, tag: string): string {
  const line = out.split('\n').find((l) => l.startsWith(`${tag} `));
  if (!line) throw new Error(`no ${tag} line in:\n${out}`);
  return line.slice(tag.length + 1);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-pingpong-'));
const pingpong = path.join(dir, 'pingpong');
const cc = spawnSync('mpicc', ['-O2', path.join(__dirname, 'pingpong.c'), '-o', pingpong], { stdio: 'inherit' });
if (cc.status !== 0) throw new Error('mpicc could not build the ping-pong baseline (install libopenmpi-dev)');

const rows: { pingUs: number; tripUs: number; perSecond: number; bytes: number }[] = [];
for (let i = 0; i < reps; ++i) {
  const remote = JSON.parse(
    tagged(mpirun([process.execPath, '--require', 'tsx/cjs', path.join(__dirname, 'remote.ts')]), 'REMOTE'),
  ) as { tasksPerSecond: number; roundTripUs: number; requestBytes: number };
  const bytes = Math.round(remote.requestBytes);
  const pingUs = Number(tagged(mpirun([pingpong, String(bytes), '20000']), 'PINGPONG'));
  rows.push({ pingUs, tripUs: remote.roundTripUs, perSecond: remote.tasksPerSecond, bytes });
}
fs.rmSync(dir, { recursive: true, force: true });
const ratios = rows.map((r) => r.tripUs / r.pingUs);
const summary = {
  remoteTasksPerSecond: median(rows.map((r) => r.perSecond)),
  remoteRoundTripUs: median(rows.map((r) => r.tripUs)),
  pingPongUs: median(rows.map((r) => r.pingUs)),
  roundTripOverPingPong: median(ratios),
  requestBytes: rows[0].bytes,
};
if (args.includes('--json')) {
  console.log(JSON.stringify({ summary, rows }));
} else {
  console.log(`remote empty C++ tasks, 2 ranks (median of ${reps}, spread):`);
  console.log(
    `  throughput   ${summary.remoteTasksPerSecond.toFixed(0)} tasks/s  (${spread(rows.map((r) => r.perSecond / 1000))} k/s)`,
  );
  console.log(`  round trip   ${summary.remoteRoundTripUs.toFixed(1)} us  (${spread(rows.map((r) => r.tripUs))})`);
  console.log(
    `  MPI ping-pong of ${summary.requestBytes} bytes  ${summary.pingPongUs.toFixed(2)} us  (${spread(rows.map((r) => r.pingUs))})`,
  );
  console.log(`  ratio round trip / ping-pong  ${summary.roundTripOverPingPong.toFixed(1)}  (${spread(ratios)})`);
}
