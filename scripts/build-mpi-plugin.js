#!/usr/bin/env node
// Builds the MPI transport plugin (plugins/mpi/transport_mpi.cc) against the
// MPI whose `mpicc` is found (MPICC, else mpicc on PATH), into
// <out>/cohort_transport_<family>.so, family = openmpi or mpich, read from
// the MPI's own mpi.h. The runtime loads it only under an MPI launcher.
//   node scripts/build-mpi-plugin.js [--out DIR] [--if-available] [--prebuild] [--every-family]
// --every-family (npm install's build): without MPICC, one plugin per MPI
// whose wrapper Debian installs side by side (mpicc.openmpi, mpicc.mpich),
// or mpicc's alone when neither is there.
// --if-available: no mpicc is not an error (prints why and exits 0), for
// builds on machines without MPI.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const ifAvailable = args.includes('--if-available');
// --prebuild: for the package's prebuilds: stripped, and linked only to
// what it uses. It then needs libmpi.so.40 (Open MPI 4 and 5), libstdc++.so.6
// (CXXABI_1.3.9: GCC 5 and later) and glibc 2.2.5 symbols only, which
// scripts/prebuild.js checks. (Linking libstdc++ statically would pull in
// glibc 2.34 symbols, which only the addon's compat layer works around.)
// The MPICH plugin is then linked to no MPI library at all: the runtime opens
// the MPICH-ABI library the launcher provides (libmpi.so.12, or Debian's
// libmpich.so.12) before the plugin, so one file serves MPICH, Intel MPI and
// MVAPICH.
const prebuild = args.includes('--prebuild');
const outIndex = args.indexOf('--out');
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, 'build', 'Release'));
const mpicc = process.env.MPICC || 'mpicc';

if (args.includes('--every-family') && !process.env.MPICC) {
  const onPath = (cmd) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
  const wrappers = ['mpicc.openmpi', 'mpicc.mpich'].filter(onPath);
  if (wrappers.length) {
    const rest = args.filter((a) => a !== '--every-family');
    let status = 0;
    for (const wrapper of wrappers) {
      const r = spawnSync(process.execPath, [__filename, ...rest], {
        env: { ...process.env, MPICC: wrapper },
        stdio: 'inherit',
      });
      if (r.status !== 0) status = r.status ?? 1;
    }
    process.exit(status);
  }
}

function run(cmd, argv, input) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', input });
  if (r.error) return { ok: false, out: '', err: r.error.message };
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** Compile and link flags of this MPI (Open MPI: --showme, MPICH: -compile_info). */
function mpiFlags() {
  const ompiCompile = run(mpicc, ['--showme:compile']);
  if (ompiCompile.ok) return { compile: ompiCompile.out, link: run(mpicc, ['--showme:link']).out };
  const compile = run(mpicc, ['-compile_info']);
  const link = run(mpicc, ['-link_info']);
  if (!compile.ok || !link.ok) return undefined;
  // MPICH prints a whole command line: drop the compiler and keep -I/-L/-l/-Wl flags.
  const keep = (line) =>
    line
      .split(/\s+/)
      .filter((f) => /^-(I|L|l|Wl|D)/.test(f))
      .join(' ');
  return { compile: keep(compile.out), link: keep(link.out) };
}

function fail(message) {
  if (ifAvailable) {
    console.log(`cohort: the MPI transport plugin was not built: ${message}`);
    process.exit(0);
  }
  console.error(`cohort: cannot build the MPI transport plugin: ${message}`);
  process.exit(1);
}

const probe = run(mpicc, ['--version']);
if (!probe.ok && !/mpicc/.test(probe.err)) {
  fail(
    `no MPI C compiler wrapper (${mpicc}) was found. Install an MPI with its development files ` +
      `(Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or set MPICC to your mpicc`,
  );
}
const flags = mpiFlags();
if (!flags) fail(`${mpicc} did not report its compile and link flags (--showme or -compile_info)`);
const macros = run(mpicc, ['-E', '-dM', '-x', 'c', '-'], '#include <mpi.h>\n');
if (!macros.ok) fail(`${mpicc} could not preprocess <mpi.h>: ${macros.err}`);
const family = /\bOPEN_MPI\b/.test(macros.out) ? 'openmpi' : /\bMPICH_VERSION\b/.test(macros.out) ? 'mpich' : '';
if (!family) fail(`the mpi.h of ${mpicc} is neither Open MPI's nor MPICH's (define it with COHORT_MPI_PLUGIN)`);

// Debian's MPICH library is libmpich.so.12; upstream's is libmpi.so.12.
const mpiLibrary = (flag) => /^-l(mpi|mpich)$/.test(flag);
const linkFlags = flags.link
  .split(/\s+/)
  .filter(Boolean)
  .filter((f) => !(prebuild && family === 'mpich' && mpiLibrary(f)));

fs.mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, `cohort_transport_${family}.so`);
const cxx = process.env.CXX || 'g++';
const argv = [
  '-std=c++17',
  '-O2',
  '-fPIC',
  '-shared',
  '-Wall',
  '-Wextra',
  '-fvisibility=hidden',
  '-DOMPI_SKIP_MPICXX',
  '-DMPICH_SKIP_MPICXX',
  `-I${path.join(root, 'cpp')}`,
  ...flags.compile.split(/\s+/).filter(Boolean),
  path.join(root, 'plugins', 'mpi', 'transport_mpi.cc'),
  ...(prebuild ? ['-Wl,--as-needed', '-s'] : []),
  ...linkFlags,
  '-o',
  out,
];
const r = spawnSync(cxx, argv, { stdio: 'inherit' });
if (r.status !== 0) fail(`${cxx} failed (exit ${r.status}) compiling ${argv.join(' ')}`);
console.log(`cohort: built the MPI transport plugin for ${family}: ${path.relative(process.cwd(), out) || out}`);
