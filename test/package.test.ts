// The package as users get it: the prebuilt binaries, the npm tarball, and an install of that tarball into an
// empty project on a PATH without any compiler, followed by the two
// documented ways of building your own task library against it.
//
// Nothing here runs prebuildify or npm pack in the repository: prebuildify's
// `node-gyp rebuild` would wipe build/ (and build/kernels/, which the other
// tests load), so the package is copied to a temp dir first. Every child
// process has a timeout (its whole process group is killed), so a hang fails.
// Set COHORT_KEEP_TMP=1 to keep the temp dirs for a look afterwards.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { root } from './helpers';
import { arm64Runner } from './arm64';
import {
  KERNEL_SOURCE,
  MINUTE,
  PackEntry,
  README_CMAKELISTS,
  RUN_ON_RANKS,
  RUN_TS_TASK,
  USE_TYPES_TS,
  childEnv,
  elfSections,
  mkTemp,
  onPath,
  packCheck,
  prebuildCheck,
  removeTemp,
  run,
  runLibrary,
  sh,
  spawnBounded,
  targets,
} from './package-helpers';

describe('the npm package', function () {
  this.timeout(10 * MINUTE);

  const platformDir = `${process.platform}-${process.arch}`;
  const prebuildName = targets.PREBUILD_FILE;
  // linux-x64 ships an MPI transport plugin per MPI family: Open MPI 4/5 and the MPICH ABI.
  const mpiPluginNames = ['cohort_transport_mpich.so', 'cohort_transport_openmpi.so'];
  const allTargets = Object.keys(targets.TARGETS).sort();
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

    await run('npm', ['run', 'prebuild:all'], { cwd: stage, timeoutMs: 12 * MINUTE });
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

  it(`npm run prebuild:all writes one stripped, napi+glibc-tagged binary per target (${allTargets.join(', ')}), each needing at most GLIBC_${targets.GLIBC_FLOOR}`, () => {
    const prebuilds = path.join(stage, 'prebuilds');
    assert.deepEqual(fs.readdirSync(prebuilds).sort(), allTargets);
    for (const target of allTargets) {
      // linux-x64 also ships the MPI transport plugins (checked below).
      assert.deepEqual(
        fs.readdirSync(path.join(prebuilds, target)).sort(),
        target === 'linux-x64' ? [prebuildName, ...mpiPluginNames].sort() : [prebuildName],
      );
      const binary = path.join(prebuilds, target, prebuildName);
      const info = prebuildCheck.inspectBinary(binary);
      assert.ok(info.glibcMax, `${target}: no GLIBC_ version requirement at all`);
      assert.ok(
        targets.compareVersions(info.glibcMax, targets.GLIBC_FLOOR) <= 0,
        `${target} needs GLIBC_${info.glibcMax}, newer than GLIBC_${targets.GLIBC_FLOOR}`,
      );
      assert.deepEqual(
        info.versions.filter((v) => !v.startsWith('GLIBC_')),
        [],
        `${target}: GLIBCXX_/CXXABI_/GCC_ requirements mean a shared libstdc++/libgcc`,
      );
      assert.deepEqual(prebuildCheck.checkBinary(binary, target), []);
    }
    for (const name of mpiPluginNames)
      assert.deepEqual(prebuildCheck.checkPlugin(path.join(prebuilds, 'linux-x64', name), 'linux-x64'), []);
    const needed = (name: string): string[] =>
      prebuildCheck.inspectBinary(path.join(prebuilds, 'linux-x64', name)).needed;
    assert.ok(needed('cohort_transport_openmpi.so').includes('libmpi.so.40'));
    assert.deepEqual(
      needed('cohort_transport_mpich.so').filter((l) => /mpi/.test(l)),
      [],
      'the MPICH plugin links no MPI: the runtime opens libmpi.so.12 or libmpich.so.12',
    );
  });

  it('the linux-x64 prebuild is stripped and node-gyp-build loads it with PREBUILDS_ONLY=1', async () => {
    const prebuilds = path.join(stage, 'prebuilds');
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
      ...allTargets.map((t) => `prebuilds/${t}/${prebuildName}`),
      ...mpiPluginNames.map((n) => `prebuilds/linux-x64/${n}`),
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

    const out = await nodeScript<{ result: string; refused: string; resolved: string; mapped: string[] }>(
      consumer,
      'run-ts-task.js',
      RUN_TS_TASK,
      noCompilerEnv(),
    );
    assert.equal(out.result, 'hello consumer x42');
    assert.match(out.refused, /cannot encode argument 0 of task 'greet' \(a function\)/);
    const expected = path.join(pkgDir, 'prebuilds', platformDir, prebuildName);
    assert.equal(out.resolved, expected);
    assert.deepEqual(out.mapped, [fs.realpathSync(expected)]);
  });

  // Each MPI's own launcher: Debian's default mpirun is Open MPI's; MPICH's is mpiexec.mpich (Hydra).
  const launchers = [
    {
      family: 'Open MPI',
      plugin: 'cohort_transport_openmpi.so',
      launcher: 'mpirun',
      args: ['--allow-run-as-root', '--oversubscribe'],
      library: /Open MPI/,
      mpi: ['libmpi.so.40'],
      install: 'openmpi-bin',
    },
    {
      family: 'MPICH',
      plugin: 'cohort_transport_mpich.so',
      launcher: 'mpiexec.mpich',
      args: [],
      library: /MPICH/,
      mpi: ['libmpich.so.12'],
      install: 'mpich',
    },
  ];
  for (const l of launchers) {
    it(`the installed package runs on 2 ranks under ${l.family}'s ${l.launcher} with its prebuilt ${l.plugin} (nothing compiled)`, async () => {
      requireInstalled();
      const pkgDir = path.join(consumer, 'node_modules', 'cohort');
      const prebuilt = path.join(pkgDir, 'prebuilds', platformDir, l.plugin);
      assert.ok(fs.existsSync(prebuilt), `no prebuilt ${l.plugin}`);
      assert.ok(
        !fs.existsSync(path.join(pkgDir, 'build')),
        'something was compiled: only the prebuilt plugin may load',
      );
      fs.writeFileSync(path.join(consumer, 'ranks.js'), RUN_ON_RANKS);
      const launcher = onPath(l.launcher, process.env.PATH ?? '');
      assert.ok(launcher, `${l.launcher} is not on PATH (.ci/run installs ${l.install})`);
      const r = await run(launcher, [...l.args, '-n', '2', process.execPath, 'ranks.js'], {
        cwd: consumer,
        env: childEnv({ OMPI_MCA_rmaps_base_oversubscribe: '1' }),
        timeoutMs: 2 * MINUTE,
      });
      const line = r.stdout.split('\n').find((x) => x.startsWith('RANKS '));
      assert.ok(line, `no RANKS line:\n${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(line.slice('RANKS '.length)) as {
        ranks: number;
        where: number[];
        library: string;
        plugin: string;
        mpi: string[];
      };
      assert.equal(out.ranks, 2);
      assert.deepEqual(out.where, [0, 1, 0, 1]);
      assert.match(out.library, l.library);
      assert.equal(out.plugin, fs.realpathSync(prebuilt));
      assert.deepEqual(
        out.mpi.map((m) => m.replace(/\.so\.(\d+).*$/, '.so.$1')),
        l.mpi,
      );
    });
  }

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

  it('the linux-arm64 prebuild from the installed tarball runs tasks and loads a cross-built task library on arm64 (qemu-user, Debian arm64 node)', async function () {
    requireInstalled();
    const arm = await arm64Runner(root);
    if ('missing' in arm) {
      // CI installs both (.ci/run); elsewhere only an absent tool excuses this test.
      if (process.env.CI) throw new Error(`arm64 run impossible in CI: ${arm.missing}`);
      console.log(`      SKIPPED arm64 run: ${arm.missing}`);
      this.skip();
    }
    const pkgDir = path.join(consumer, 'node_modules', 'cohort');
    const kernel = path.join(consumer, 'arm64_kernels.so');
    fs.writeFileSync(path.join(consumer, 'arm64_kernels.cc'), KERNEL_SOURCE);
    await run(
      'aarch64-linux-gnu-g++',
      [
        '-std=c++17',
        '-O2',
        '-shared',
        '-fPIC',
        '-fvisibility=hidden',
        '-I',
        path.join(pkgDir, 'include'),
        '-o',
        kernel,
        'arm64_kernels.cc',
      ],
      { cwd: consumer, timeoutMs: 3 * MINUTE },
    );
    fs.writeFileSync(path.join(consumer, 'run-ts-task.js'), RUN_TS_TASK);
    fs.writeFileSync(path.join(consumer, 'run-lib.js'), runLibrary('./arm64_kernels.so'));
    const last = (r: { stdout: string }): string => r.stdout.trim().split('\n').pop() ?? '';
    const task = JSON.parse(
      last(await run(arm.command, [...arm.args, 'run-ts-task.js'], { cwd: consumer, timeoutMs: 4 * MINUTE })),
    ) as {
      result: string;
      refused: string;
      arch: string;
      resolved: string;
      mapped: string[];
    };
    assert.equal(task.arch, 'arm64');
    assert.equal(task.result, 'hello consumer x42');
    assert.match(task.refused, /cannot encode argument 0 of task 'greet' \(a function\)/);
    const expected = path.join(pkgDir, 'prebuilds', 'linux-arm64', prebuildName);
    assert.equal(task.resolved, expected);
    assert.deepEqual(task.mapped, [fs.realpathSync(expected)]);
    const lib = JSON.parse(
      last(await run(arm.command, [...arm.args, 'run-lib.js'], { cwd: consumer, timeoutMs: 4 * MINUTE })),
    );
    assert.deepEqual(lib, { tasks: ['greet', 'triple'], triple: 42, greet: 'hi npx' });
  });

  it('where no prebuild fits, npm says it compiles from source and what that needs, and fails plainly without a compiler', async () => {
    const dir = path.join(tmp, 'consumer-no-prebuild');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer4', version: '1.0.0', private: true }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: dir,
      env: noCompilerEnv(),
      timeoutMs: 5 * MINUTE,
    });
    // This machine without its prebuild is a machine the package has none for.
    fs.rmSync(path.join(dir, 'node_modules', 'cohort', 'prebuilds', platformDir), { recursive: true });
    const r = await spawnBounded('npm', ['rebuild', 'cohort', '--foreground-scripts'], {
      cwd: dir,
      env: noCompilerEnv(),
      timeoutMs: 5 * MINUTE,
    });
    const out = r.stdout + r.stderr;
    assert.ok(!r.timedOut && r.status !== 0, `npm rebuild should have failed:\n${out}`);
    const others = allTargets.filter((t) => t !== platformDir).join(' and ');
    assert.match(
      out,
      new RegExp(
        `cohort: there is no prebuilt binary for ${platformDir} \\(prebuilt: ${others} with glibc >= ${targets.GLIBC_FLOOR.replace('.', '\\.')}\\)`,
      ),
    );
    assert.match(
      out,
      /cohort: compiling the addon from source \(node-gyp rebuild\); this needs a C\+\+17 compiler \(g\+\+ or clang\+\+\), make and Python 3/,
    );
    assert.match(out, /cohort: cannot compile: no C\+\+ compiler found \(looked for c\+\+, g\+\+, clang\+\+ on PATH\)/);
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
