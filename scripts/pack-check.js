#!/usr/bin/env node
// Checks what `npm pack` puts in the cohort tarball: everything a user needs
// (compiled TS, SDK headers, cohort-config, the CMake package config, the
// C++ sources and scripts/sources.js for a from-source install, prebuilds
// when present) and nothing that should stay home (build output, tests,
// node_modules, tarballs).
//
//   node scripts/pack-check.js [DIR]    (npm run pack:check)
//
// runs `npm pack --dry-run --json --ignore-scripts` in DIR (default: the
// package root) and exits non-zero with a list of problems. --ignore-scripts
// keeps `prepare` from rebuilding dist/ and build/kernels/ under running
// tests, so run `npm run build:ts` first if dist/ is stale or missing.
// test/package.test.ts applies the same rules to a real tarball through
// checkPackList().
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

/** Files every tarball must contain. */
const REQUIRED = [
  'package.json',
  'binding.gyp',
  'CMakeLists.txt',
  'scripts/sources.js',
  'scripts/install.js',
  'scripts/prebuild-targets.js',
  'bin/cohort-config.js',
  'cmake/cohortConfig.cmake',
  'cmake/cohortConfigVersion.cmake',
  'include/cohort/cohort.h',
  'include/cohort/cohort.hpp',
  'dist/index.js',
  'dist/index.d.ts',
  'cpp/napi/addon.cc',
];

/** Paths that must never be packed (build output, tests, dependencies). */
const FORBIDDEN = [
  /^build(-[^/]*)?\//,
  /^test\//,
  /^node_modules\//,
  /^\.ci\//,
  /^notes\//,
  /^bench\//,
  /\.tgz$/,
  /\.log$/,
  /(^|\/)\.git\//,
];

/**
 * Problems with a tarball's file list (paths relative to the package root).
 * `dir` is the packed directory: README.md, ARCHITECTURE.md and prebuilds/
 * are required when they exist there.
 * @param {string[]} files
 * @param {string} dir
 * @returns {string[]}
 */
function checkPackList(files, dir) {
  const have = new Set(files);
  const problems = [];
  const required = [...REQUIRED];
  for (const doc of ['README.md', 'ARCHITECTURE.md']) if (fs.existsSync(path.join(dir, doc))) required.push(doc);
  for (const f of required) if (!have.has(f)) problems.push(`missing ${f}`);
  for (const f of walk(dir, 'cpp'))
    if (f.endsWith('.cc') && !have.has(f)) problems.push(`missing ${f} (binding.gyp compiles every cpp/**/*.cc)`);
  for (const f of walk(dir, 'include/cohort')) if (!have.has(f)) problems.push(`missing ${f}`);
  for (const f of walk(dir, 'prebuilds'))
    if ((f.endsWith('.node') || f.endsWith('.so')) && !have.has(f)) problems.push(`missing ${f}`);
  if (!files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))) problems.push('no .d.ts under dist/');
  for (const f of files) if (FORBIDDEN.some((re) => re.test(f))) problems.push(`should not be packed: ${f}`);
  return problems;
}

/** Files under `sub` of `dir`, as `sub/...` paths (none if it does not exist). */
function walk(dir, sub) {
  const out = [];
  const abs = path.join(dir, sub);
  if (!fs.existsSync(abs)) return out;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = `${sub}/${e.name}`;
    if (e.isDirectory()) out.push(...walk(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** Parses the JSON array `npm pack --json` prints (script output may precede it). */
function parsePackJson(stdout) {
  const start = stdout.search(/^\[/m);
  if (start < 0) throw new Error(`npm pack --json printed no JSON array:\n${stdout}`);
  const entries = JSON.parse(stdout.slice(start));
  if (!Array.isArray(entries) || entries.length !== 1) throw new Error('npm pack --json: expected one package');
  return entries[0];
}

module.exports = { checkPackList, parsePackJson, REQUIRED, FORBIDDEN };

if (require.main === module) {
  const dir = path.resolve(process.argv[2] || path.join(__dirname, '..'));
  if (!fs.existsSync(path.join(dir, 'dist', 'index.js'))) {
    console.error(`pack-check: ${dir}/dist is missing; run \`npm run build:ts\` first`);
    process.exit(1);
  }
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120000,
    maxBuffer: 64 << 20,
  });
  if (r.error || r.status !== 0) {
    console.error(`pack-check: npm pack --dry-run failed: ${r.error ? r.error.message : r.stderr}`);
    process.exit(1);
  }
  const pkg = parsePackJson(r.stdout);
  const files = pkg.files.map((f) => f.path);
  const problems = checkPackList(files, dir);
  console.log(
    `pack-check: ${pkg.filename}: ${files.length} files, ${pkg.size} bytes packed, ${pkg.unpackedSize} unpacked`,
  );
  if (problems.length) {
    for (const p of problems) console.error(`pack-check: ${p}`);
    process.exit(1);
  }
  console.log('pack-check: ok');
}
