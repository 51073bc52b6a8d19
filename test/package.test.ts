// The package as users get it: the CMake package config (cmake/), the
// prebuilt binary, the npm tarball, and an install of that tarball into an
// empty project on a PATH without any compiler, followed by the two
// documented ways of building your own task library against it.
//
// Nothing here runs prebuildify or npm pack in the repository: prebuildify's
// `node-gyp rebuild` would wipe build/ (and build/kernels/, which the other
// tests load), so the package is copied to a temp dir first. Every child
// process has a timeout (its whole process group is killed), so a hang fails.
// Set COHORT_KEEP_TMP=1 to keep the temp dirs for a look afterwards.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Runtime } from '../lib';
import { root } from './helpers';

interface PackEntry {
  filename: string;
  files: { path: string }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const packCheck = require('../scripts/pack-check.js') as {
  checkPackList(files: string[], dir: string): string[];
  parsePackJson(stdout: string): PackEntry;
};

const MINUTE = 60_000;

interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}
interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; on timeout its whole process group is killed. */
function spawnBounded(cmd: string, args: string[], opts: RunOptions): Promise<RunResult & { timedOut: boolean }> {
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

const tail = (s: string): string => (s.length > 6000 ? `…${s.slice(-6000)}` : s);

/** Like spawnBounded, but rejects (with the output) unless the command exits 0. */
async function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
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
const sh = (line: string, opts: RunOptions): Promise<RunResult> => run('/bin/sh', ['-c', line], opts);

// Settings of the npm run that started the tests, which must not leak into
// the npm runs below (npm_config_local_prefix would point them back at the repo).
const KEEP_NPM_VARS =
  /^npm_config_(nodedir|userconfig|globalconfig|cache|cafile|registry|https?_proxy|proxy|noproxy|strict_ssl)$/i;

/** The test's environment without npm's per-run variables or addon overrides, plus `extra`. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !KEEP_NPM_VARS.test(k)) continue;
    if (['INIT_CWD', 'PREBUILDS_ONLY', 'COHORT_PREBUILD'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Absolute path of `name` on `PATH`, or undefined. */
function onPath(name: string, PATH: string): string | undefined {
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
function elfSections(file: string): string[] {
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

const mkTemp = (what: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `cohort-${what}-`));
function removeTemp(dir: string): void {
  if (process.env.COHORT_KEEP_TMP) console.log(`      (kept ${dir})`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

/** A task library with one number task and one string task, as a user might write it. */
const KERNEL_SOURCE = `#include <cohort/cohort.hpp>
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

const cmakeGenerator = (): string[] => (onPath('ninja', process.env.PATH ?? '') ? ['-G', 'Ninja'] : []);

describe('the CMake package config (cmake/cohortConfig.cmake)', function () {
  this.timeout(5 * MINUTE);
  let tmp: string;
  let rt: Runtime;
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const sdkVersion = /#define COHORT_SDK_VERSION (\d+)u/.exec(
    fs.readFileSync(path.join(root, 'include/cohort/cohort.h'), 'utf8'),
  )?.[1];

  /** Configures and builds a project whose CMakeLists.txt is `cmakeLists`. */
  async function cmakeProject(
    name: string,
    cmakeLists: string,
    files: Record<string, string>,
  ): Promise<{ dir: string; configure: RunResult }> {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), cmakeLists);
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    const configure = await run('cmake', ['-S', '.', '-B', 'build', ...cmakeGenerator()], {
      cwd: dir,
      timeoutMs: 2 * MINUTE,
    });
    await run('cmake', ['--build', 'build'], { cwd: dir, timeoutMs: 3 * MINUTE });
    return { dir, configure };
  }

  before(async () => {
    tmp = mkTemp('sdk-cmake');
    rt = await Runtime.start({ workers: 2 });
  });
  after(async () => {
    await rt.shutdown();
    removeTemp(tmp);
  });

  it('cohort_add_task_library builds a library that loads and runs, exporting only the two entry points', async () => {
    const { dir, configure } = await cmakeProject(
      'lib',
      `cmake_minimum_required(VERSION 3.18)
project(sdk_check CXX)
find_package(cohort ${version} CONFIG REQUIRED PATHS "${root}/cmake" NO_DEFAULT_PATH)
message(STATUS "cohort=\${cohort_VERSION} sdk=\${cohort_SDK_VERSION} include=\${cohort_INCLUDE_DIR}")
cohort_add_task_library(my_kernels my_kernels.cc)
`,
      { 'my_kernels.cc': KERNEL_SOURCE },
    );
    assert.match(
      configure.stdout,
      new RegExp(`cohort=${version.replace(/\./g, '\\.')} sdk=${sdkVersion} include=${path.join(root, 'include')}\\n`),
    );
    const so = path.join(dir, 'build', 'libmy_kernels.so');
    const lib = await rt.loadLibrary(so);
    assert.deepEqual(lib.taskNames.sort(), ['greet', 'triple']);
    assert.equal(await rt.launch(lib.task<[number], number>('triple'), [14]).get(), 42);
    assert.equal(await rt.launch(lib.task<[string], string>('greet'), ['cmake']).get(), 'hi cmake');
    const nm = await run('nm', ['-D', '--defined-only', so], { cwd: dir, timeoutMs: MINUTE });
    const exported = nm.stdout
      .split('\n')
      .filter((l) => / T /.test(l))
      .map((l) => l.split(' ').pop());
    assert.deepEqual(exported.sort(), ['cohort_library_register', 'cohort_library_sdk_version']);
  });

  it('cohort::sdk gives a plain target the SDK headers and C++17', async () => {
    const { dir } = await cmakeProject(
      'sdk',
      `cmake_minimum_required(VERSION 3.18)
project(sdk_probe CXX)
find_package(cohort CONFIG REQUIRED PATHS "${root}/cmake" NO_DEFAULT_PATH)
add_executable(probe probe.cc)
target_link_libraries(probe PRIVATE cohort::sdk)
`,
      {
        'probe.cc': `#include <cohort/cohort.hpp>
#include <cstdio>
#include <optional>
int main() {
  std::optional<unsigned> v = COHORT_SDK_VERSION;  // C++17
  std::printf("sdk %u cplusplus %ld\\n", *v, static_cast<long>(__cplusplus));
}
`,
      },
    );
    const out = (await run(path.join(dir, 'build', 'probe'), [], { cwd: dir, timeoutMs: MINUTE })).stdout;
    const m = /^sdk (\d+) cplusplus (\d+)$/m.exec(out);
    assert.ok(m, out);
    assert.equal(m[1], sdkVersion);
    assert.ok(Number(m[2]) >= 201703, `__cplusplus is ${m[2]}`);
  });

  it('find_package refuses a version request the package does not satisfy', async () => {
    const dir = path.join(tmp, 'too-new');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'CMakeLists.txt'),
      `cmake_minimum_required(VERSION 3.18)
project(too_new CXX)
find_package(cohort 99.0 CONFIG REQUIRED PATHS "${root}/cmake" NO_DEFAULT_PATH)
`,
    );
    const r = await spawnBounded('cmake', ['-S', '.', '-B', 'build'], { cwd: dir, timeoutMs: 2 * MINUTE });
    assert.ok(!r.timedOut && r.status !== 0, 'configuring should have failed');
    assert.match(r.stderr, /cohortConfig\.cmake, version: 0|not\s+accepted/);
  });
});

describe('the npm package', function () {
  this.timeout(10 * MINUTE);

  const platformDir = `${process.platform}-${process.arch}`;
  const prebuildName = 'cohort.glibc.node';
  let tmp: string;
  let stage: string; // copy of the repository where prebuildify and npm pack run
  let tarball: string;
  let packed: PackEntry;
  let consumer: string; // an empty project that installs the tarball
  let installed = false;

  /** The PATH of a machine without a compiler: node, npm, npx and sh only. */
  let noCompilerPath: string;
  const noCompilerEnv = (): NodeJS.ProcessEnv => {
    const env = childEnv({ PATH: noCompilerPath });
    for (const k of ['CC', 'CXX', 'CPP', 'LD', 'AR', 'MAKE', 'LINK']) delete env[k];
    return env;
  };

  /** Runs `script` (CommonJS) with plain node in `dir` and parses the JSON it prints last. */
  async function nodeScript<T>(dir: string, name: string, script: string, env: NodeJS.ProcessEnv): Promise<T> {
    fs.writeFileSync(path.join(dir, name), script);
    const r = await run(process.execPath, [name], { cwd: dir, env, timeoutMs: 2 * MINUTE });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as T;
    } catch {
      throw new Error(`${name} printed no JSON:\n${r.stdout}\n${r.stderr}`);
    }
  }

  const requireInstalled = (): void => {
    if (!installed)
      throw new Error('needs the consumer project from "installing the packed tarball needs no compiler"');
  };

  before(async () => {
    tmp = mkTemp('package');
    stage = path.join(tmp, 'stage');

    // The package's files as a fresh clone + the author's uncommitted work would
    // have them: tracked and untracked-but-not-ignored files, no build output.
    const ls = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      timeoutMs: MINUTE,
    });
    for (const rel of ls.stdout.split('\0').filter(Boolean)) {
      const from = path.join(root, rel);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(from);
      } catch {
        continue; // deleted in the working tree
      }
      const to = path.join(stage, rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
      else if (st.isFile()) fs.copyFileSync(from, to);
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');

    await run('npm', ['run', 'prebuildify'], { cwd: stage, timeoutMs: 8 * MINUTE });
    const dest = path.join(tmp, 'tarball');
    fs.mkdirSync(dest);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dest], {
      cwd: stage,
      timeoutMs: 5 * MINUTE,
    });
    packed = packCheck.parsePackJson(pack.stdout);
    tarball = path.join(dest, packed.filename);

    const bin = path.join(tmp, 'no-compiler-bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    for (const tool of ['npm', 'npx']) {
      const p = onPath(tool, process.env.PATH ?? '');
      assert.ok(p, `${tool} is not on PATH`);
      fs.symlinkSync(p, path.join(bin, tool));
    }
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs package scripts with sh
    noCompilerPath = bin;
  });

  after(() => {
    if (!tmp) return;
    const link = path.join(tmp, 'stage', 'node_modules');
    if (fs.existsSync(link)) fs.unlinkSync(link); // the repository's node_modules: never delete through it
    removeTemp(tmp);
  });

  it('npm run prebuildify writes one stripped, glibc-tagged N-API binary that node-gyp-build loads with PREBUILDS_ONLY=1', async () => {
    const prebuilds = path.join(stage, 'prebuilds');
    assert.deepEqual(fs.readdirSync(prebuilds), [platformDir]);
    assert.deepEqual(fs.readdirSync(path.join(prebuilds, platformDir)), [prebuildName]);
    const binary = path.join(prebuilds, platformDir, prebuildName);
    const sections = elfSections(binary);
    assert.ok(sections.includes('.dynsym'), 'no dynamic symbol table');
    assert.ok(!sections.includes('.symtab'), 'not stripped: has .symtab');
    assert.deepEqual(
      sections.filter((s) => s.startsWith('.debug')),
      [],
      'not stripped: has debug sections',
    );

    const probe = `const ngb = require('node-gyp-build');
const addon = ngb('.');
console.log(JSON.stringify({ resolved: ngb.resolve('.'), exports: Object.keys(addon) }));`;
    const r = await run(process.execPath, ['-e', probe], {
      cwd: stage,
      env: childEnv({ PREBUILDS_ONLY: '1' }),
      timeoutMs: MINUTE,
    });
    const { resolved, exports } = JSON.parse(r.stdout) as { resolved: string; exports: string[] };
    assert.equal(fs.realpathSync(resolved), fs.realpathSync(binary));
    assert.ok(exports.includes('start') && exports.includes('launch'), `addon exports: ${exports.join(', ')}`);
  });

  it('the tarball holds dist/ with .d.ts, the SDK headers, cohort-config, the CMake config, the C++ sources and the prebuild, and no build output, tests or node_modules', () => {
    const files = packed.files.map((f) => f.path);
    assert.deepEqual(packCheck.checkPackList(files, stage), []);
    for (const f of [
      'dist/index.js',
      'dist/index.d.ts',
      'include/cohort/cohort.hpp',
      'bin/cohort-config.js',
      'cmake/cohortConfig.cmake',
      'scripts/sources.js',
      'binding.gyp',
      `prebuilds/${platformDir}/${prebuildName}`,
    ]) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    assert.deepEqual(
      files.filter((f) => /^(build|test|node_modules)\//.test(f)),
      [],
    );
    assert.ok(fs.statSync(tarball).size > 0);
  });

  it('installing the packed tarball needs no compiler', async () => {
    // The stripped-down PATH really has no compiler (and the test machine does).
    const whichTool = onPath('which', process.env.PATH ?? '');
    assert.ok(whichTool, 'which is not on PATH');
    assert.ok(
      onPath('g++', process.env.PATH ?? '') ?? onPath('c++', process.env.PATH ?? ''),
      'the test machine should have a compiler for this check to mean anything',
    );
    for (const tool of ['g++', 'c++', 'cc', 'gcc', 'clang', 'make']) {
      const r = await spawnBounded(whichTool, [tool], { cwd: tmp, env: noCompilerEnv(), timeoutMs: MINUTE });
      assert.equal(r.status, 1, `\`which ${tool}\` found ${r.stdout.trim()} on the no-compiler PATH`);
    }

    consumer = path.join(tmp, 'consumer');
    fs.mkdirSync(consumer);
    fs.writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], {
      cwd: consumer,
      env: noCompilerEnv(),
      timeoutMs: 5 * MINUTE,
    });
    const pkgDir = path.join(consumer, 'node_modules', 'cohort');
    assert.ok(
      !fs.existsSync(path.join(pkgDir, 'build')),
      'the install compiled the addon (node_modules/cohort/build exists)',
    );
    installed = true;

    const out = await nodeScript<{ result: string; resolved: string; mapped: string[] }>(
      consumer,
      'run-ts-task.js',
      RUN_TS_TASK,
      noCompilerEnv(),
    );
    assert.equal(out.result, 'hello consumer x42');
    const expected = path.join(pkgDir, 'prebuilds', platformDir, prebuildName);
    assert.equal(out.resolved, expected);
    assert.deepEqual(out.mapped, [fs.realpathSync(expected)]);
  });

  it('the prebuilt binary also loads when npm skips install scripts', async () => {
    const dir = path.join(tmp, 'consumer-ignore-scripts');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer2', version: '1.0.0', private: true }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: dir,
      env: noCompilerEnv(),
      timeoutMs: 5 * MINUTE,
    });
    const out = await nodeScript<{ result: string; mapped: string[] }>(
      dir,
      'run-ts-task.js',
      RUN_TS_TASK,
      noCompilerEnv(),
    );
    assert.equal(out.result, 'hello consumer x42');
    assert.deepEqual(out.mapped, [
      fs.realpathSync(path.join(dir, 'node_modules', 'cohort', 'prebuilds', platformDir, prebuildName)),
    ]);
  });

  it('npm install --build-from-source compiles the addon from the packed sources instead', async () => {
    const dir = path.join(tmp, 'consumer-from-source');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer3', version: '1.0.0', private: true }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--build-from-source', tarball], {
      cwd: dir,
      env: childEnv(),
      timeoutMs: 8 * MINUTE,
    });
    const built = path.join(dir, 'node_modules', 'cohort', 'build', 'Release', 'cohort.node');
    assert.ok(fs.existsSync(built), 'no build/Release/cohort.node after a from-source install');
    const out = await nodeScript<{ result: string; mapped: string[] }>(dir, 'run-ts-task.js', RUN_TS_TASK, childEnv());
    assert.equal(out.result, 'hello consumer x42');
    assert.deepEqual(out.mapped, [fs.realpathSync(built)]);
  });

  it('the installed type declarations type-check a strict TypeScript consumer', async () => {
    requireInstalled();
    fs.writeFileSync(path.join(consumer, 'use-types.ts'), USE_TYPES_TS);
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true, // @types/node is slow to check; unused @ts-expect-errors still catch untyped declarations
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          types: ['node'],
          typeRoots: [path.join(root, 'node_modules', '@types')],
        },
        files: ['use-types.ts'],
      }),
    );
    await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
      cwd: consumer,
      timeoutMs: 2 * MINUTE,
    });
  });

  it('the README one-command build (npx cohort-config build) makes a task library the installed package loads', async () => {
    requireInstalled();
    fs.writeFileSync(path.join(consumer, 'my_kernels.cc'), KERNEL_SOURCE);
    // Exactly the command the README documents, with the compiler back on PATH.
    await sh('npx cohort-config build my_kernels.cc -o my_kernels.so', {
      cwd: consumer,
      env: childEnv(),
      timeoutMs: 3 * MINUTE,
    });
    const out = await nodeScript<{ tasks: string[]; triple: number; greet: string }>(
      consumer,
      'run-lib.js',
      runLibrary('./my_kernels.so'),
      childEnv(),
    );
    assert.deepEqual(out, { tasks: ['greet', 'triple'], triple: 42, greet: 'hi npx' });
  });

  it('the README CMake project builds a task library against the installed package, which loads it', async () => {
    requireInstalled();
    fs.writeFileSync(path.join(consumer, 'my_kernels.cc'), KERNEL_SOURCE);
    fs.writeFileSync(path.join(consumer, 'CMakeLists.txt'), README_CMAKELISTS);
    // The README's two commands (the generator is left to CMake, as there).
    await sh('cmake -S . -B build', { cwd: consumer, env: childEnv(), timeoutMs: 3 * MINUTE });
    await sh('cmake --build build', { cwd: consumer, env: childEnv(), timeoutMs: 3 * MINUTE });
    const cache = fs.readFileSync(path.join(consumer, 'build', 'CMakeCache.txt'), 'utf8');
    assert.match(
      cache,
      new RegExp(
        `^cohort_DIR:PATH=${fs.realpathSync(path.join(consumer, 'node_modules', 'cohort', 'cmake')).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
        'm',
      ),
    );
    const out = await nodeScript<{ tasks: string[]; triple: number; greet: string }>(
      consumer,
      'run-lib.js',
      runLibrary('./build/libmy_kernels.so'),
      childEnv(),
    );
    assert.deepEqual(out, { tasks: ['greet', 'triple'], triple: 42, greet: 'hi npx' });
  });
});

/** Consumer script: start the runtime, run a TS task, report which binary got loaded. */
const RUN_TS_TASK = `'use strict';
const fs = require('fs');
const path = require('path');
const { Runtime } = require('cohort');
const pkgDir = path.dirname(require.resolve('cohort/package.json'));
const ngb = require(require.resolve('node-gyp-build', { paths: [pkgDir] }));
(async () => {
  const rt = await Runtime.start({ workers: 2 });
  const greet = rt.registerTask('greet', (_ctx, who, n) => 'hello ' + who + ' x' + n * 2);
  const result = await rt.launch(greet, ['consumer', 21]).get();
  await rt.shutdown();
  const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
    .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.startsWith('/') && p.endsWith('.node')))];
  console.log(JSON.stringify({ result, resolved: ngb.resolve(pkgDir), mapped }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Consumer script: load a task library and run its two tasks. */
const runLibrary = (so: string): string => `'use strict';
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
const USE_TYPES_TS = `import { Future, Runtime, Task, TaskError } from 'cohort';

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
const README_CMAKELISTS = `cmake_minimum_required(VERSION 3.19)
project(my_kernels CXX)

# Where the installed cohort package keeps its CMake files (node_modules/cohort/cmake).
execute_process(COMMAND npx cohort-config --cmake-dir
                WORKING_DIRECTORY \${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE COHORT_CMAKE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
find_package(cohort 0.1 CONFIG REQUIRED PATHS \${COHORT_CMAKE_DIR} NO_DEFAULT_PATH)

cohort_add_task_library(my_kernels my_kernels.cc)   # -> build/libmy_kernels.so
`;
