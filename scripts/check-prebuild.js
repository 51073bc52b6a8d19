#!/usr/bin/env node
// Checks that prebuilt binaries need only what their tags promise:
//   node scripts/check-prebuild.js [FILE...]   (npm run prebuild:check)
// (default: every prebuilds/<platform-arch>/*.node). For each binary: an ELF
// shared object for the machine its directory names; stripped; no glibc
// symbol version newer than GLIBC_FLOOR (scripts/prebuild-targets.js); no
// GLIBCXX_/CXXABI_/GCC_ versions (libstdc++ and libgcc are linked
// statically); only glibc's own libraries needed; napi_register_module_v1
// exported and every unversioned undefined symbol an N-API function (which
// node provides). Prints one line per binary, exits 1 listing the problems.
// Reads the binary with binutils' readelf, which reads any architecture.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { GLIBC_FLOOR, TARGETS, ALLOWED_NEEDED, compareVersions } = require('./prebuild-targets.js');

function readelf(args, file) {
  const r = spawnSync('readelf', ['-W', ...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run readelf (binutils): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`readelf ${args.join(' ')} ${file} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * What a binary needs and provides, from its ELF headers and dynamic symbols.
 * @param {string} file
 */
function inspectBinary(file) {
  const header = readelf(['-h'], file);
  const field = (name) => (new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(header) || [])[1] || '';
  const sections = readelf(['-S'], file);
  const needed = [...readelf(['-d'], file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  // Version names a binary requires (.gnu.version_r), by library.
  const versions = [...readelf(['-V'], file).matchAll(/Name: (\S+)\s+Flags: \S+\s+Version: \d+/g)].map((m) => m[1]);
  const undefinedUnversioned = [];
  const exported = [];
  const imported = []; // versioned undefined symbols, as name@VERSION
  for (const line of readelf(['--dyn-syms'], file).split('\n')) {
    // Num: Value Size Type Bind Vis Ndx Name
    const m = /^\s*\d+:\s+\S+\s+\d+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)/.exec(line);
    if (!m || m[1] === 'SECTION' || m[1] === 'FILE') continue;
    const [, , bind, ndx, name] = m;
    if (ndx === 'UND') {
      if (name.includes('@')) imported.push(name.replace(/@+/, '@').replace(/\s.*/, ''));
      else if (bind !== 'WEAK') undefinedUnversioned.push(name);
    } else exported.push(name.replace(/@.*/, ''));
  }
  const glibc = versions.filter((v) => v.startsWith('GLIBC_')).map((v) => v.slice('GLIBC_'.length));
  glibc.sort(compareVersions);
  return {
    type: field('Type'),
    machine: field('Machine'),
    stripped: !/\s\.symtab\s/.test(sections) && !/\s\.debug_/.test(sections),
    needed,
    versions,
    glibcMax: glibc.length ? glibc[glibc.length - 1] : undefined,
    undefinedUnversioned,
    imported,
    exported,
  };
}

/**
 * Problems with the prebuild `file` for `target` ("linux-x64", ...), or [].
 * @param {string} file
 * @param {string} target
 */
function checkBinary(file, target) {
  const t = TARGETS[target];
  if (!t) return [`${file}: unknown target ${target} (known: ${Object.keys(TARGETS).join(', ')})`];
  const info = inspectBinary(file);
  const problems = [];
  if (!info.type.startsWith('DYN')) problems.push(`not a shared object (Type: ${info.type})`);
  if (info.machine !== t.machine) problems.push(`built for ${info.machine}, expected ${t.machine}`);
  if (!info.stripped) problems.push('not stripped');
  if (!info.glibcMax) problems.push('needs no GLIBC_ version at all: not linked against glibc?');
  else if (compareVersions(info.glibcMax, GLIBC_FLOOR) > 0) {
    const tooNew = info.imported.filter((s) => {
      const v = /@GLIBC_([\d.]+)$/.exec(s);
      return v && compareVersions(v[1], GLIBC_FLOOR) > 0;
    });
    problems.push(`needs GLIBC_${info.glibcMax}, newer than GLIBC_${GLIBC_FLOOR}: ${tooNew.join(' ')}`);
  }
  for (const v of info.versions)
    if (!v.startsWith('GLIBC_')) problems.push(`needs ${v} (libstdc++/libgcc should be linked statically)`);
  for (const lib of info.needed) if (!ALLOWED_NEEDED.includes(lib)) problems.push(`needs ${lib}`);
  if (!info.exported.includes('napi_register_module_v1')) problems.push('does not export napi_register_module_v1');
  const foreign = info.undefinedUnversioned.filter((s) => !/^(napi|node_api)_/.test(s));
  if (foreign.length) problems.push(`unversioned undefined symbols that are not N-API: ${foreign.join(', ')}`);
  return problems.map((p) => `${file}: ${p}`);
}

/** Libraries a prebuilt MPI plugin may need besides glibc's, by MPI family. */
const PLUGIN_NEEDED = {
  // Open MPI 4 and 5 share libmpi.so.40; its handles are data symbols, so the plugin links it.
  openmpi: ['libmpi.so.40', 'libstdc++.so.6', 'libgcc_s.so.1'],
  // The MPICH ABI's handles are constants: the plugin links no MPI and the
  // runtime opens libmpi.so.12 (or Debian's libmpich.so.12) before it.
  mpich: ['libstdc++.so.6', 'libgcc_s.so.1'],
};

/** The MPI family of a plugin file, from its name (cohort_transport_<family>.so). */
function pluginFamily(file) {
  const m = /^cohort_transport_(\w+)\.so$/.exec(path.basename(file));
  return m && Object.hasOwn(PLUGIN_NEEDED, m[1]) ? m[1] : undefined;
}

/**
 * Problems with the prebuilt MPI transport plugin `file` for `target`, or
 * []: stripped, glibc no newer than GLIBC_FLOOR, libstdc++ no newer than
 * GCC 5's (GLIBCXX_3.4.21, CXXABI_1.3.9), the wire entry point exported,
 * and for its family (from the file name): Open MPI's links only
 * libmpi.so.40 (Open MPI 4 and 5) besides; MPICH's links no MPI library and
 * leaves MPI_Init_thread to the one the runtime opens.
 * @param {string} file
 * @param {string} target
 */
function checkPlugin(file, target) {
  const t = TARGETS[target];
  if (!t) return [`${file}: unknown target ${target}`];
  const family = pluginFamily(file);
  if (!family)
    return [`${file}: not named cohort_transport_<family>.so with family ${Object.keys(PLUGIN_NEEDED).join(' or ')}`];
  const info = inspectBinary(file);
  const problems = [];
  if (!info.type.startsWith('DYN')) problems.push(`not a shared object (Type: ${info.type})`);
  if (info.machine !== t.machine) problems.push(`built for ${info.machine}, expected ${t.machine}`);
  if (!info.stripped) problems.push('not stripped');
  if (info.glibcMax && compareVersions(info.glibcMax, GLIBC_FLOOR) > 0)
    problems.push(`needs GLIBC_${info.glibcMax}, newer than GLIBC_${GLIBC_FLOOR}`);
  for (const v of info.versions) {
    const cxx = /^GLIBCXX_([\d.]+)$/.exec(v);
    const abi = /^CXXABI_([\d.]+)$/.exec(v);
    if (cxx && compareVersions(cxx[1], '3.4.21') > 0) problems.push(`needs ${v}, newer than GCC 5's GLIBCXX_3.4.21`);
    else if (abi && compareVersions(abi[1], '1.3.9') > 0) problems.push(`needs ${v}, newer than GCC 5's CXXABI_1.3.9`);
    else if (!cxx && !abi && !v.startsWith('GLIBC_') && !v.startsWith('GCC_')) problems.push(`needs ${v}`);
  }
  for (const lib of info.needed)
    if (!ALLOWED_NEEDED.includes(lib) && !PLUGIN_NEEDED[family].includes(lib)) problems.push(`needs ${lib}`);
  if (family === 'openmpi' && !info.needed.includes('libmpi.so.40'))
    problems.push('does not link libmpi.so.40 (Open MPI 4/5)');
  if (family === 'mpich' && !info.undefinedUnversioned.includes('MPI_Init_thread'))
    problems.push('does not leave MPI_Init_thread undefined (it should take MPI from the library the runtime opens)');
  if (!info.exported.includes('cohort_wire_v1')) problems.push('does not export cohort_wire_v1');
  return problems.map((p) => `${file}: ${p}`);
}

/** One line saying what a binary needs. */
function describe(file) {
  const info = inspectBinary(file);
  const napi = info.undefinedUnversioned.filter((s) => /^(napi|node_api)_/.test(s)).length;
  return `${file}: ${info.machine}, highest GLIBC_${info.glibcMax}, needs ${info.needed.join(' ')}, ${napi} N-API functions`;
}

/** Every prebuilds/<target>/*.node under `dir`, as [file, target]. */
function findPrebuilds(dir) {
  const root = path.join(dir, 'prebuilds');
  if (!fs.existsSync(root)) return [];
  const out = [];
  for (const target of fs.readdirSync(root).sort())
    for (const f of fs.readdirSync(path.join(root, target)).sort())
      if (f.endsWith('.node')) out.push([path.join(root, target, f), target]);
  return out;
}

module.exports = { inspectBinary, checkBinary, checkPlugin, describe, findPrebuilds, PLUGIN_NEEDED };

if (require.main === module) {
  const args = process.argv.slice(2);
  const files = args.length
    ? args.map((f) => [f, path.basename(path.dirname(path.resolve(f)))])
    : findPrebuilds(path.join(__dirname, '..'));
  if (!files.length) {
    console.error('check-prebuild: no prebuilds/*/*.node (run `npm run prebuild:all` first)');
    process.exit(1);
  }
  let problems = [];
  for (const [file, target] of files) {
    if (!fs.existsSync(file)) {
      problems.push(`${file}: no such file`);
      continue;
    }
    const p = checkBinary(file, target);
    problems = problems.concat(p);
    if (!p.length) console.log(`check-prebuild: ${describe(file)}: ok`);
  }
  for (const p of problems) console.error(`check-prebuild: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
