// Running arm64 Node.js on this x86-64 machine: Debian's arm64 nodejs
// (scripts/fetch-arm64-node.sh unpacks it with its libraries into
// .cache/arm64-node) under qemu-user (Debian's qemu-user-static).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** How to start arm64 node (`command ...args script.js`), or why it cannot be. */
export type Arm64Runner = { command: string; args: string[] } | { missing: string };

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Finds qemu-aarch64(-static) and the arm64 node root (COHORT_ARM64_NODE_ROOT,
 * else `<repo>/.cache/arm64-node`, fetched there with apt-get download if
 * absent), and checks that node starts.
 */
export async function arm64Runner(repo: string): Promise<Arm64Runner> {
  const qemu = which('qemu-aarch64-static') ?? which('qemu-aarch64');
  if (!qemu) return { missing: 'no qemu-aarch64-static or qemu-aarch64 on PATH (apt-get install qemu-user-static)' };
  if (!which('aarch64-linux-gnu-g++'))
    return { missing: 'no aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)' };
  let sysroot = process.env.COHORT_ARM64_NODE_ROOT;
  if (!sysroot) {
    sysroot = path.join(repo, '.cache', 'arm64-node');
    const f = spawnSync('bash', [path.join(repo, 'scripts', 'fetch-arm64-node.sh'), sysroot], {
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    if (f.status !== 0)
      return { missing: `scripts/fetch-arm64-node.sh failed: ${(f.stderr || String(f.error)).trim()}` };
  }
  const node = path.join(sysroot, 'usr', 'bin', 'node');
  if (!fs.existsSync(node)) return { missing: `no ${node}` };
  const libs = ['lib', 'usr/lib'].map((d) => path.join(sysroot, d, 'aarch64-linux-gnu')).join(':');
  const runner = { command: qemu, args: ['-L', sysroot, '-E', `LD_LIBRARY_PATH=${libs}`, node] };
  const probe = spawnSync(runner.command, [...runner.args, '-p', 'process.arch'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (probe.status !== 0 || probe.stdout.trim() !== 'arm64')
    throw new Error(`arm64 node under qemu does not start: ${probe.stderr || probe.stdout || String(probe.error)}`);
  return runner;
}
