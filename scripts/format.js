#!/usr/bin/env node
// Formats the tree: C++ with the clang-format binary bundled by the npm
// package `clang-format` (so CI needs nothing beyond `npm ci`), TS/JS/JSON
// with prettier. Style: .clang-format, .prettierrc.json, .prettierignore.
//   node scripts/format.js                 rewrite every file in place
//   node scripts/format.js --check         change nothing; list unformatted files, exit 1 if any
//   node scripts/format.js [--check] FILE...   only these files
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const CPP_DIRS = ['cpp', 'compat', 'include', 'test/cpp', 'test/kernels', 'examples/kernels', 'bench'];
const CPP_EXT = /\.(h|hpp|cc)$/;
const PRETTIER_GLOB = '**/*.{ts,js,cjs,mjs,json}';
const PRETTIER_EXT = /\.(ts|js|cjs|mjs|json)$/;
// clang-format gets its files on the command line: stay well below ARG_MAX.
const BATCH = 200;

const args = process.argv.slice(2);
const check = args.includes('--check');
const only = args.filter((a) => a !== '--check').map((f) => path.relative(root, path.resolve(f)));

function walk(dir, out) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return;
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel, out);
    else if (CPP_EXT.test(entry.name)) out.push(rel);
  }
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    console.error(`format: cannot run ${cmd}: ${r.error.message}`);
    process.exit(2);
  }
  return r;
}

// Returns the C++ files that are not formatted (check) or [] after rewriting them.
function formatCpp(files) {
  const binary = require('clang-format').getNativeBinary();
  const bad = new Set();
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    if (!check) {
      const r = run(binary, ['-i', '--style=file', ...batch]);
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        process.exit(2);
      }
      continue;
    }
    // One diagnostic per unformatted file is enough to name it.
    const r = run(binary, ['--dry-run', '-Werror', '--ferror-limit=1', '--style=file', ...batch]);
    for (const line of r.stderr.split('\n')) {
      const m = /^(.+?):\d+:\d+: error: code should be clang-formatted/.exec(line);
      if (m) bad.add(path.relative(root, path.resolve(root, m[1])));
    }
    if (r.status !== 0 && bad.size === 0) {
      process.stderr.write(r.stderr); // clang-format failed for another reason
      process.exit(2);
    }
  }
  return [...bad].sort();
}

// Prettier lists the unformatted files itself ("[warn] file").
function formatScripts(files) {
  const bin = require.resolve('prettier/bin/prettier.cjs');
  const targets = files === null ? [PRETTIER_GLOB] : files;
  if (targets.length === 0) return true;
  const r = spawnSync(process.execPath, [bin, check ? '--check' : '--write', '--log-level', 'warn', ...targets], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.error) {
    console.error(`format: cannot run prettier: ${r.error.message}`);
    process.exit(2);
  }
  return r.status === 0;
}

let cppFiles = [];
if (only.length) cppFiles = only.filter((f) => CPP_EXT.test(f));
else for (const dir of CPP_DIRS) walk(dir, cppFiles);
const scriptFiles = only.length ? only.filter((f) => PRETTIER_EXT.test(f)) : null;

const badCpp = formatCpp(cppFiles);
const scriptsOk = formatScripts(scriptFiles);
if (badCpp.length) {
  console.error(`C++ files not formatted (${badCpp.length}; run npm run format):`);
  for (const f of badCpp) console.error(`  ${f}`);
}
if (badCpp.length || !scriptsOk) process.exit(1);
if (check) {
  const scripts = scriptFiles === null ? 'every TS/JS/JSON file' : `${scriptFiles.length} TS/JS/JSON files`;
  console.log(`format: ${cppFiles.length} C++ files and ${scripts} are formatted`);
}
