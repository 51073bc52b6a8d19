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
  ['examples/kernels/tutorial_kernels.cc', 'libtutorial_kernels.so', ['-ffp-contract=off']],
  ['test/kernels/test_kernels.cc', 'libtest_kernels.so'],
  ['test/kernels/oracle_kernels.cc', 'liboracle_kernels.so'],
  // Broken libraries that the load-error tests expect to be rejected.
  ['test/cpp/fixtures/no_entry.cc', 'libfixture_no_entry.so'],
  ['test/cpp/fixtures/wrong_version.cc', 'libfixture_wrong_version.so'],
  ['test/cpp/fixtures/failing_register.cc', 'libfixture_failing_register.so'],
  // A valid library whose register function is named `reg` (macro hygiene).
  ['test/cpp/fixtures/named_reg.cc', 'libfixture_named_reg.so'],
  // npm run bench: cohort's bench tasks and the hand-written baselines in one
  // library, built with the same optimisation flags on both sides.
  [
    [
      'bench/kernels/bench_kernels.cc',
      'bench/native/baselines_c.cc',
      'bench/native/thread_pool_baseline.cc',
      'bench/native/stencil_baseline.cc',
    ],
    'libbench_kernels.so',
    ['-O3', '-march=native', '-DNDEBUG', '-pthread', `-I${path.join(root, 'bench', 'native')}`],
  ],
];
for (const [src, name, flags = []] of libs) {
  const sources = (Array.isArray(src) ? src : [src]).map((s) => path.join(root, s));
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'cohort-config.js'), 'build', ...sources, '-o', path.join(out, name), ...flags],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) {
    console.error(`build-examples: building ${src} failed`);
    process.exit(1);
  }
}
