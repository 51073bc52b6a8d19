#!/usr/bin/env node
// cohort-config: how to compile a C++ task library against this cohort.
//   cohort-config --cflags           compiler flags (include path, C++17, PIC)
//   cohort-config --ldflags          linker flags for a task library (-shared)
//   cohort-config --includedir       the SDK include directory
//   cohort-config --cmake-dir        directory holding cohortConfig.cmake
//   cohort-config --sdk-version      the SDK version libraries must match
//   cohort-config --version          the cohort package version
//   cohort-config build SRC... -o OUT [extra compiler flags]
//                                    builds a task library in one command
//   cohort-config build-mpi [--out DIR]
//                                    builds the MPI transport plugin against
//                                    the MPI of `mpicc` (or $MPICC), into the
//                                    package's build/Release unless --out
//                                    (then point COHORT_MPI_PLUGIN at it)
'use strict';
const path = require('path');
const fs = require('fs');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const includeDir = path.join(root, 'include');
const cflags = ['-std=c++17', '-fPIC', '-O2', `-I${includeDir}`];
const ldflags = ['-shared'];

function sdkVersion() {
  const h = fs.readFileSync(path.join(includeDir, 'cohort', 'cohort.h'), 'utf8');
  const m = /#define COHORT_SDK_VERSION (\d+)u/.exec(h);
  return m ? m[1] : 'unknown';
}

function usage(code) {
  (code === 0 ? process.stdout : process.stderr).write(
    'usage: cohort-config --cflags | --ldflags | --includedir | --cmake-dir | --sdk-version | --version\n' +
      '       cohort-config build SOURCE.cc [SOURCE.cc ...] -o OUTPUT.so [compiler flags]\n' +
      '       cohort-config build-mpi [--out DIR]   (the MPI transport plugin, against the MPI of mpicc or $MPICC)\n',
  );
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.length === 0) usage(1);
switch (args[0]) {
  case '--cflags':
    console.log(cflags.join(' '));
    break;
  case '--ldflags':
    console.log(ldflags.join(' '));
    break;
  case '--version':
    console.log(require(path.join(root, 'package.json')).version);
    break;
  case '-h':
  case '--help':
    usage(0);
    break;
  case '--includedir':
    console.log(includeDir);
    break;
  case '--cmake-dir':
    console.log(path.join(root, 'cmake'));
    break;
  case '--sdk-version':
    console.log(sdkVersion());
    break;
  case 'build-mpi': {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-mpi-plugin.js'), ...args.slice(1)], {
      stdio: 'inherit',
    });
    process.exit(r.status === null ? 1 : r.status);
  }
  case 'build': {
    const rest = args.slice(1);
    const o = rest.indexOf('-o');
    if (o < 0 || o + 1 >= rest.length) {
      process.stderr.write('cohort-config build: missing -o OUTPUT.so\n');
      usage(1);
    }
    const out = rest[o + 1];
    const others = rest.filter((_, i) => i !== o && i !== o + 1);
    const sources = others.filter((a) => !a.startsWith('-'));
    const extra = others.filter((a) => a.startsWith('-'));
    if (sources.length === 0) {
      process.stderr.write('cohort-config build: no source files given\n');
      usage(1);
    }
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const cxx = process.env.CXX || 'c++';
    const cmd = [...cflags, ...ldflags, '-Wall', '-Wextra', ...extra, ...sources, '-o', out];
    const r = spawnSync(cxx, cmd, { stdio: 'inherit' });
    if (r.error) {
      process.stderr.write(`cohort-config build: cannot run the C++ compiler '${cxx}': ${r.error.message}\n`);
      process.exit(1);
    }
    process.exit(r.status === null ? 1 : r.status);
  }
  // eslint-disable-next-line no-fallthrough
  default:
    usage(1);
}
