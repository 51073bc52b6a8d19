// What the prebuilt binaries are: one per target, all N-API 8, glibc-tagged,
// needing no glibc newer than GLIBC_FLOOR. Read by scripts/prebuild.js (makes
// them), scripts/check-prebuild.js (verifies them) and scripts/install.js
// (decides at install time whether one fits or the addon must be compiled).
'use strict';

/** The newest glibc symbol version a prebuild may need. */
const GLIBC_FLOOR = '2.28';

/** File name of every prebuild: node-gyp-build reads the napi and glibc tags. */
const PREBUILD_FILE = 'cohort.napi.glibc.node';

/**
 * platform-arch -> how it is built and what its ELF header says.
 * `machine` is readelf's "Machine:" text, `tools` the cross toolchain prefix
 * (empty: the host's), `packages` the Debian packages providing it.
 */
const TARGETS = {
  'linux-x64': { arch: 'x64', machine: 'Advanced Micro Devices X86-64', tools: '', packages: [] },
  'linux-arm64': {
    arch: 'arm64',
    machine: 'AArch64',
    tools: 'aarch64-linux-gnu-',
    packages: ['g++-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'],
  },
};

/** Libraries a prebuild may list as needed (all part of glibc). */
const ALLOWED_NEEDED = [
  'libc.so.6',
  'libm.so.6',
  'libdl.so.2',
  'libpthread.so.0',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
];

/** Compares dotted versions numerically: -1, 0 or 1. */
function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

module.exports = { GLIBC_FLOOR, PREBUILD_FILE, TARGETS, ALLOWED_NEEDED, compareVersions };
