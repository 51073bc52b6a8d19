#!/usr/bin/env node
// Makes the prebuilt binaries from this machine (Debian 12, x86-64):
//   node scripts/prebuild.js [TARGET...]    TARGET: linux-x64, linux-arm64 or all (default)
//   npm run prebuild:all                    every target
// For each target: prebuildify --napi --strip --tag-libc --arch ARCH, linked
// for glibc 2.28 (gyp variable cohort_glibc_compat=1, see
// compat/glibc_compat.cc), arm64 with Debian's cross compiler
// (g++-aarch64-linux-gnu); the result is renamed to
// prebuilds/<target>/cohort.napi.glibc.node and checked with
// scripts/check-prebuild.js. node-gyp rebuilds in build/, so this deletes
// build/ (test kernels included); x64 is built last, so build/Release ends up
// an x64 binary. Node's headers: npm_config_nodedir, else /usr/include/node
// when it is there (as .ci/run does), else node-gyp downloads them.
// linux-x64 also gets the MPI transport plugins for Open MPI 4/5
// (cohort_transport_openmpi.so) and for the MPICH ABI (libmpi.so.12:
// cohort_transport_mpich.so), built by scripts/build-mpi-plugin.js
// --prebuild against this machine's Open MPI and MPICH and checked with
// checkPlugin; a family whose mpicc is missing is left out with a notice,
// and under CI that is an error.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { PREBUILD_FILE, TARGETS } = require('./prebuild-targets.js');
const { checkBinary, checkPlugin, describe } = require('./check-prebuild.js');

const root = path.resolve(__dirname, '..');

function fail(msg) {
  console.error(`prebuild: ${msg}`);
  process.exit(1);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { encoding: 'utf8' }).status === 0;
}

function build(target) {
  const t = TARGETS[target];
  const env = { ...process.env, npm_package_config_node_gyp_cohort_glibc_compat: '1' };
  if (!env.JOBS) env.JOBS = '2'; // node-gyp's make -j
  if (!env.npm_config_nodedir && fs.existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
  if (t.tools) {
    for (const tool of ['gcc', 'g++', 'ar', 'strip'])
      if (!onPath(t.tools + tool))
        fail(`${target} needs ${t.tools}${tool}; on Debian/Ubuntu: apt-get install ${t.packages.join(' ')}`);
    Object.assign(env, {
      CC: `${t.tools}gcc`,
      CXX: `${t.tools}g++`,
      LINK: `${t.tools}g++`,
      AR: `${t.tools}ar`,
    });
  }
  const outDir = path.join(root, 'prebuilds', target);
  fs.rmSync(outDir, { recursive: true, force: true });
  const args = ['--napi', '--strip', '--tag-libc', '--arch', t.arch, '--strip-bin', `${t.tools}strip`];
  console.log(`\n== prebuild ${target}: prebuildify ${args.join(' ')}${t.tools ? ` (CXX=${env.CXX})` : ''}`);
  const r = spawnSync(process.execPath, [require.resolve('prebuildify/bin.js'), ...args], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (r.error) fail(`cannot run prebuildify: ${r.error.message}`);
  if (r.status !== 0) fail(`prebuildify for ${target} failed (exit ${r.status ?? r.signal})`);
  const made = fs.readdirSync(outDir).filter((f) => f.endsWith('.node'));
  if (made.length !== 1) fail(`expected one .node in ${outDir}, found: ${made.join(', ') || 'none'}`);
  const file = path.join(outDir, PREBUILD_FILE);
  fs.renameSync(path.join(outDir, made[0]), file);
  const problems = checkBinary(file, target);
  if (problems.length) fail(`the ${target} prebuild does not meet its tags:\n  ${problems.join('\n  ')}`);
  console.log(`prebuild: ${describe(path.relative(root, file))}`);
  if (target === 'linux-x64') buildPlugin(outDir, target);
}

// The MPI transport plugins next to the addon, where the runtime looks
// first: one per MPI family, each built with that family's compiler wrapper
// (Debian installs both side by side as mpicc.openmpi and mpicc.mpich;
// COHORT_MPICC_OPENMPI / COHORT_MPICC_MPICH name others).
const PLUGIN_FAMILIES = [
  { family: 'openmpi', wrappers: ['mpicc.openmpi', 'mpicc'], packages: 'openmpi-bin libopenmpi-dev' },
  { family: 'mpich', wrappers: ['mpicc.mpich'], packages: 'mpich libmpich-dev' },
];

function buildPlugin(outDir, target) {
  for (const { family, wrappers, packages } of PLUGIN_FAMILIES) {
    const chosen = process.env[`COHORT_MPICC_${family.toUpperCase()}`];
    const mpicc = chosen || wrappers.find(onPath);
    if (!mpicc) {
      const why = `no ${wrappers.join(' or ')}: the prebuilds ship without the ${family} transport plugin (apt-get install ${packages})`;
      if (process.env.CI === 'true') fail(why);
      console.log(`prebuild: ${why}`);
      continue;
    }
    const r = spawnSync(
      process.execPath,
      [path.join(__dirname, 'build-mpi-plugin.js'), '--prebuild', '--out', outDir],
      {
        cwd: root,
        env: { ...process.env, MPICC: mpicc },
        stdio: 'inherit',
      },
    );
    if (r.status !== 0)
      fail(`building the ${family} transport plugin with ${mpicc} failed (exit ${r.status ?? r.signal})`);
    const file = path.join(outDir, `cohort_transport_${family}.so`);
    if (!fs.existsSync(file)) fail(`${file} was not made: ${mpicc} is not ${family}'s compiler wrapper`);
    const problems = checkPlugin(file, target);
    if (problems.length) fail(`the ${family} plugin does not meet its tags:\n  ${problems.join('\n  ')}`);
    console.log(`prebuild: ${describe(path.relative(root, file))}`);
  }
}

const asked = process.argv.slice(2);
const known = Object.keys(TARGETS);
const targets = !asked.length || asked.includes('all') ? known : asked;
for (const t of targets) if (!known.includes(t)) fail(`unknown target ${t} (known: ${known.join(', ')}, all)`);
// x64 last: node-gyp leaves the last build in build/Release.
for (const t of [...targets].sort((a, b) => (a === 'linux-x64') - (b === 'linux-x64'))) build(t);
