#!/usr/bin/env node
// The package's install script (package.json "install"). Loads the addon the
// way the runtime will (node-gyp-build: build/Release, then
// prebuilds/<platform>-<arch>/), in a child process so a binary that cannot
// load cannot take npm down. If it loads, that's all. If not, or with
// --build-from-source, it says why in plain words, checks that a compiler
// and make are there, and compiles the addon with node-gyp.
//   node scripts/install.js
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { GLIBC_FLOOR, PREBUILD_FILE, TARGETS, compareVersions } = require('./prebuild-targets.js');

const pkgDir = path.resolve(__dirname, '..');

/**
 * This machine as far as prebuilds care.
 * @returns {{platform: string, arch: string, libc: string | undefined, glibc: string | undefined}}
 */
function describeHost() {
  let glibc;
  if (process.platform === 'linux') {
    const header = /** @type {{glibcVersionRuntime?: string}} */ (process.report.getReport().header);
    glibc = header.glibcVersionRuntime;
  }
  const libc = process.platform !== 'linux' ? undefined : glibc ? 'glibc' : 'musl';
  return { platform: process.platform, arch: process.arch, libc, glibc };
}

/** "linux-x64 and linux-arm64 with glibc >= 2.28": what the prebuilds serve. */
function prebuildSummary(targets = Object.keys(TARGETS)) {
  return `${targets.join(' and ')} with glibc >= ${GLIBC_FLOOR}`;
}

/**
 * Why no prebuilt binary fits `host`, or undefined if one should.
 * `shipped`: the platform-arch directories under prebuilds/ that hold a
 * PREBUILD_FILE.
 */
function whyNoPrebuild(host, shipped) {
  const target = `${host.platform}-${host.arch}`;
  const available = shipped.length ? prebuildSummary(shipped) : 'none in this copy of the package';
  if (!shipped.includes(target)) return `there is no prebuilt binary for ${target} (prebuilt: ${available})`;
  if (host.libc !== 'glibc')
    return `this machine uses ${host.libc ?? 'a C library other than glibc'}; the prebuilt binaries need glibc >= ${GLIBC_FLOOR}`;
  if (!host.glibc || compareVersions(host.glibc, GLIBC_FLOOR) < 0)
    return `this machine has glibc ${host.glibc ?? '(unknown version)'}; the prebuilt binary needs glibc >= ${GLIBC_FLOOR}`;
  return undefined;
}

/** Platform-arch directories of prebuilds/ under `dir` holding the prebuild file. */
function shippedTargets(dir) {
  let names = [];
  try {
    names = fs.readdirSync(path.join(dir, 'prebuilds'));
  } catch {
    return [];
  }
  return names.filter((t) => fs.existsSync(path.join(dir, 'prebuilds', t, PREBUILD_FILE))).sort();
}

/** What compiling needs, as printed before trying. */
const NEEDS =
  'a C++17 compiler (g++ or clang++), make and Python 3 (node-gyp), and the Node.js headers ' +
  '(node-gyp downloads them; offline, npm_config_nodedir=/usr uses /usr/include/node)';

function onPath(cmd) {
  if (!cmd) return false;
  if (cmd.includes('/')) return fs.existsSync(cmd);
  return (process.env.PATH || '').split(path.delimiter).some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Tries to load the addon in a child node; returns the error text, or undefined if it loaded. */
function tryLoad() {
  const ngb = require.resolve('node-gyp-build', { paths: [pkgDir] });
  const probe = `const r=require(${JSON.stringify(ngb)});const p=r.resolve(${JSON.stringify(pkgDir)});require(p);console.log(p)`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  if (r.status === 0) return { loaded: r.stdout.trim() };
  const lines = (r.stderr || String(r.error || `exit ${r.status}`)).split('\n').filter((l) => /Error|error/.test(l));
  return { error: (lines[0] || r.stderr.trim().split('\n')[0] || `exit ${r.status}`).trim() };
}

function say(msg) {
  process.stderr.write(`cohort: ${msg}\n`);
}

/** Compiles the addon with node-gyp; returns the exit status. */
function compile() {
  say(`compiling the addon from source (node-gyp rebuild); this needs ${NEEDS}.`);
  const cxx = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  // CXX may be a command line ("ccache g++"): its first word must be there.
  if (!cxx.some((c) => onPath(c.trim().split(/\s+/)[0]))) {
    say(`cannot compile: no C++ compiler found (looked for ${cxx.join(', ')} on PATH).`);
    say(
      'install one (Debian/Ubuntu: apt-get install g++ make python3; RHEL: dnf install gcc-c++ make python3; Alpine: apk add g++ make python3), or use a machine the prebuilt binaries fit: ' +
        prebuildSummary() +
        '.',
    );
    return 1;
  }
  if (!onPath((process.env.MAKE || 'make').trim().split(/\s+/)[0])) {
    say('cannot compile: `make` is not on PATH.');
    return 1;
  }
  let cmd = 'node-gyp';
  let args = ['rebuild'];
  try {
    args = [require.resolve('node-gyp/bin/node-gyp.js', { paths: [pkgDir] }), 'rebuild'];
    cmd = process.execPath;
  } catch {
    // npm puts its own node-gyp on PATH for install scripts
  }
  const r = spawnSync(cmd, args, { cwd: pkgDir, stdio: 'inherit' });
  if (r.error) {
    say(`cannot run node-gyp: ${r.error.message}`);
    return 1;
  }
  if (r.status !== 0) say('compiling from source failed; node-gyp says why above.');
  else say('compiled build/Release/cohort.node.');
  return r.status === null ? 1 : r.status;
}

/**
 * The MPI transport plugin, for `mpirun -n N node app.js`: built into
 * build/Release when this machine has an MPI compiler wrapper and no plugin
 * is there yet (a machine without MPI needs none: one process never loads it).
 */
function buildMpiPlugin() {
  const families = ['openmpi', 'mpich'];
  const dirs = [
    path.join(pkgDir, 'build', 'Release'),
    ...shippedTargets(pkgDir).map((t) => path.join(pkgDir, 'prebuilds', t)),
  ];
  if (families.some((f) => dirs.some((d) => fs.existsSync(path.join(d, `cohort_transport_${f}.so`))))) return 0;
  const r = spawnSync(
    process.execPath,
    [path.join(__dirname, 'build-mpi-plugin.js'), '--if-available', '--every-family'],
    {
      cwd: pkgDir,
      stdio: 'inherit',
    },
  );
  return r.status === null ? 1 : r.status;
}

function main() {
  if (process.env.npm_config_build_from_source === 'true') {
    say('--build-from-source given.');
    return compile() || buildMpiPlugin();
  }
  const { loaded, error } = tryLoad();
  if (loaded) return buildMpiPlugin();
  const why = whyNoPrebuild(describeHost(), shippedTargets(pkgDir));
  say(why ? `${why}.` : `the prebuilt binary did not load: ${error}`);
  return compile() || buildMpiPlugin();
}

module.exports = { whyNoPrebuild, describeHost, shippedTargets, prebuildSummary };

if (require.main === module) process.exit(main());
