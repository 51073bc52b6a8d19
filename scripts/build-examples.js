#!/usr/bin/env node
// Builds the example and test task libraries into build/kernels/ with the
// same one command users run (bin/cohort-config.js build ...).
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'build', 'kernels');
const libs = [
  ['examples/kernels/kernels.cc', 'libkernels.so'],
  ['test/kernels/test_kernels.cc', 'libtest_kernels.so'],
  // Broken libraries that the load-error tests expect to be rejected.
  ['test/cpp/fixtures/no_entry.cc', 'libfixture_no_entry.so'],
  ['test/cpp/fixtures/wrong_version.cc', 'libfixture_wrong_version.so'],
  ['test/cpp/fixtures/failing_register.cc', 'libfixture_failing_register.so'],
];
for (const [src, name] of libs) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cohort-config.js'), 'build', path.join(root, src), '-o', path.join(out, name)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build-examples: building ${src} failed`);
    process.exit(1);
  }
}
