#!/usr/bin/env node
// Builds and runs the C++ unit tests with CMake + ctest.
//   node scripts/test-cpp.js              plain build (build-cpp/)
//   node scripts/test-cpp.js --sanitize   ASan+UBSan, then TSan (build-asan/, build-tsan/)
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const sanitize = process.argv.includes('--sanitize');
const variants = sanitize
  ? [
      ['build-asan', 'address'],
      ['build-tsan', 'thread'],
    ]
  : [['build-cpp', '']];

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) {
    console.error(`test-cpp: cannot run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);
}

const generator = spawnSync('ninja', ['--version']).status === 0 ? ['-G', 'Ninja'] : [];
for (const [dir, san] of variants) {
  console.log(
    `\n== C++ unit tests${san ? ` under ${san === 'address' ? 'AddressSanitizer+UBSan' : 'ThreadSanitizer'}` : ''} (${dir})`,
  );
  run(
    'cmake',
    ['-S', '.', '-B', dir, ...generator, `-DCOHORT_SANITIZE=${san}`, '-DCMAKE_BUILD_TYPE=RelWithDebInfo'],
    {},
  );
  run('cmake', ['--build', dir, '-j', '2'], {});
  run('ctest', ['--test-dir', dir, '--output-on-failure'], {
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    TSAN_OPTIONS: 'halt_on_error=1:second_deadlock_stack=1',
  });
}
