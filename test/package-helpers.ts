// Shared by the package tests (package.test.ts, cmake-config.test.ts):
// bounded child processes, environments without npm's per-run settings or a
// compiler, temp dirs, and the consumer programs the installed package runs.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface PackEntry {
  filename: string;
  files: { path: string }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const packCheck = require('../scripts/pack-check.js') as {
  checkPackList(files: string[], dir: string): string[];
  parsePackJson(stdout: string): PackEntry;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const prebuildCheck = require('../scripts/check-prebuild.js') as {
  checkBinary(file: string, target: string): string[];
  checkPlugin(file: string, target: string): string[];
  inspectBinary(file: string): { machine: string; glibcMax?: string; versions: string[]; needed: string[] };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const targets = require('../scripts/prebuild-targets.js') as {
  GLIBC_FLOOR: string;
  PREBUILD_FILE: string;
  TARGETS: Record<string, { arch: string; tools: string }>;
  compareVersions(a: string, b: string): number;
};

export const MINUTE = 60_000;

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}
export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; on timeout its whole process group is killed. */
export function spawnBounded(
  cmd: string,
  args: string[],
  opts: RunOptions,
): Promise<RunResult & { timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

export const tail = (s: string): string => (s.length > 6000 ? `…${s.slice(-6000)}` : s);

/** Like spawnBounded, but rejects (with the output) unless the command exits 0. */
export async function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const r = await spawnBounded(cmd, args, opts);
  if (r.timedOut || r.status !== 0) {
    const how = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited with ${r.status ?? r.signal}`;
    throw new Error(
      `\`${[cmd, ...args].join(' ')}\` in ${opts.cwd} ${how}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`,
    );
  }
  return r;
}

/** Runs a shell command line exactly as a user would type it. */
export const sh = (line: string, opts: RunOptions): Promise<RunResult> => run('/bin/sh', ['-c', line], opts);

// Settings of the npm run that started the tests, which must not leak into
// the npm runs below (npm_config_local_prefix would point them back at the repo).
export const KEEP_NPM_VARS =
  /^npm_config_(nodedir|userconfig|globalconfig|cache|cafile|registry|https?_proxy|proxy|noproxy|strict_ssl)$/i;

/** The test's environment without npm's per-run variables or addon overrides, plus `extra`. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !KEEP_NPM_VARS.test(k)) continue;
    if (['INIT_CWD', 'PREBUILDS_ONLY', 'COHORT_PREBUILD'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Absolute path of `name` on `PATH`, or undefined. */
export function onPath(name: string, PATH: string): string | undefined {
  for (const dir of PATH.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Names of the sections of an ELF64 little-endian file. */
export function elfSections(file: string): string[] {
  const b = fs.readFileSync(file);
  assert.equal(b.toString('latin1', 0, 4), '\x7fELF', `${file} is not an ELF file`);
  assert.equal(b[4], 2, 'expected ELF64');
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  const strtab = Number(b.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18));
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const nameOff = strtab + b.readUInt32LE(shoff + i * shentsize);
    names.push(b.toString('latin1', nameOff, b.indexOf(0, nameOff)));
  }
  return names;
}

export const mkTemp = (what: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `cohort-${what}-`));
export function removeTemp(dir: string): void {
  if (process.env.COHORT_KEEP_TMP) console.log(`      (kept ${dir})`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

/** A task library with one number task and one string task, as a user might write it. */
export const KERNEL_SOURCE = `#include <cohort/cohort.hpp>
#include <string>

namespace {
void triple(cohort::TaskContext& ctx) { ctx.result(3 * ctx.arg(0).asNumber()); }
void greet(cohort::TaskContext& ctx) { ctx.result("hi " + std::string(ctx.arg(0).asString())); }
void registerTasks(cohort::Registrar& r) {
  r.task<triple>("triple");
  r.task<greet>("greet");
}
}  // namespace

COHORT_LIBRARY(registerTasks)
`;

export const cmakeGenerator = (): string[] => (onPath('ninja', process.env.PATH ?? '') ? ['-G', 'Ninja'] : []);

/** Consumer script: start the runtime, run a TS task, report which binary got loaded. */
export const RUN_TS_TASK = `'use strict';
const fs = require('fs');
const path = require('path');
const { Runtime } = require('cohort');
const pkgDir = path.dirname(require.resolve('cohort/package.json'));
const ngb = require(require.resolve('node-gyp-build', { paths: [pkgDir] }));
(async () => {
  const rt = await Runtime.start({ workers: 2 });
  const greet = rt.registerTask('greet', (_ctx, who, n) => 'hello ' + who + ' x' + n * 2);
  const result = await rt.launch(greet, ['consumer', 21]).get();
  // Refused in C++ by a throw: the unwinder of the binary works.
  let refused = 'not refused';
  try {
    rt.launch(greet, [() => 1]);
  } catch (e) {
    refused = e.message;
  }
  await rt.shutdown();
  const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
    .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.startsWith('/') && p.endsWith('.node')))];
  console.log(JSON.stringify({ result, refused, arch: process.arch, resolved: ngb.resolve(pkgDir), mapped }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/**
 * Consumer script for mpirun: rank 0 spreads four TS tasks over the ranks;
 * it prints "RANKS {ranks, where, library, plugin, mpi}" (plugin: the MPI
 * transport plugin this process mapped; mpi: the MPI libraries it mapped).
 */
export const RUN_ON_RANKS = `'use strict';
const fs = require('fs');
const { Runtime } = require('cohort');
(async () => {
  const rt = await Runtime.start({ workers: 1 });
  const where = rt.registerTask('where', () => rt.rank);
  await rt.main(async () => {
    const ranks = await rt.indexLaunch(where, 4).values();
    const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
      .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.startsWith('/')))];
    const plugin = mapped.find((p) => /cohort_transport_\\w+\\.so$/.test(p));
    const mpi = mapped.filter((p) => /\\/libmpi(ch)?\\.so/.test(p)).map((p) => p.slice(p.lastIndexOf('/') + 1));
    console.log('RANKS ' + JSON.stringify({ ranks: rt.ranks, where: ranks, library: rt.transportCounters().library, plugin, mpi }));
  });
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Consumer script: load a task library and run its two tasks. */
export const runLibrary = (so: string): string => `'use strict';
const { Runtime } = require('cohort');
(async () => {
  const rt = await Runtime.start();
  const lib = await rt.loadLibrary(${JSON.stringify(so)});
  const triple = await rt.launch(lib.task('triple'), [14]).get();
  const greet = await rt.launch(lib.task('greet'), ['npx']).get();
  await rt.shutdown();
  console.log(JSON.stringify({ tasks: lib.taskNames.sort(), triple, greet }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** A strict TS consumer of the installed declarations; the @ts-expect-error lines prove they are typed. */
export const USE_TYPES_TS = `import { Future, Runtime, Task, TaskError } from 'cohort';

export async function main(): Promise<string> {
  const rt: Runtime = await Runtime.start({ workers: 1 });
  const double: Task<[number], number> = rt.registerTask('double', (_ctx, n: number) => n * 2);
  const f: Future<number> = rt.launch(double, [21]);
  // @ts-expect-error a string is not a number argument
  rt.launch(double, ['x']);
  // @ts-expect-error workers is a number
  await Runtime.start({ workers: 'many' });
  const lib = await rt.loadLibrary('./my_kernels.so');
  const add = lib.task<[number, number], number>('add');
  const sum: number = await rt.launch(add, [1, 2], { futures: [f] }).get();
  await rt.shutdown();
  const failed = (e: unknown): string | undefined => (e instanceof TaskError ? e.message : undefined);
  return String(sum) + String(failed(undefined));
}
`;

/** The CMakeLists.txt the README shows for building a task library with CMake. */
export const README_CMAKELISTS = `cmake_minimum_required(VERSION 3.19)
project(my_kernels CXX)

# Where the installed cohort package keeps its CMake files (node_modules/cohort/cmake).
execute_process(COMMAND npx cohort-config --cmake-dir
                WORKING_DIRECTORY \${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE COHORT_CMAKE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
find_package(cohort 0.1 CONFIG REQUIRED PATHS \${COHORT_CMAKE_DIR} NO_DEFAULT_PATH)

cohort_add_task_library(my_kernels my_kernels.cc)   # -> build/libmy_kernels.so
`;
