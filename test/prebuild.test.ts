// The install-time decision (scripts/install.js) and the prebuild checker
// (scripts/check-prebuild.js) on their own; the package test runs both on
// the real prebuilds and tarball.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onPath } from './package-helpers';

interface Host {
  platform: string;
  arch: string;
  libc: string | undefined;
  glibc: string | undefined;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const install = require('../scripts/install.js') as {
  whyNoPrebuild(host: Host, shipped: string[]): string | undefined;
  describeHost(): Host;
  shippedTargets(dir: string): string[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const check = require('../scripts/check-prebuild.js') as {
  checkBinary(file: string, target: string): string[];
  checkPlugin(file: string, target: string): string[];
  inspectBinary(file: string): { glibcMax?: string; versions: string[]; needed: string[]; stripped: boolean };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GLIBC_FLOOR, PREBUILD_FILE, compareVersions } = require('../scripts/prebuild-targets.js') as {
  GLIBC_FLOOR: string;
  PREBUILD_FILE: string;
  compareVersions(a: string, b: string): number;
};

const both = ['linux-arm64', 'linux-x64'];
const glibcHost = (arch: string, glibc: string): Host => ({ platform: 'linux', arch, libc: 'glibc', glibc });

describe('install: does a prebuilt binary fit this machine?', () => {
  it('a glibc 2.28+ machine on x64 or arm64 is served by a prebuild', () => {
    for (const host of [glibcHost('x64', '2.28'), glibcHost('arm64', '2.36'), glibcHost('x64', '2.40')])
      assert.equal(install.whyNoPrebuild(host, both), undefined, JSON.stringify(host));
  });

  it('an older glibc, musl, another arch or platform each get their reason', () => {
    assert.equal(
      install.whyNoPrebuild(glibcHost('x64', '2.27'), both),
      `this machine has glibc 2.27; the prebuilt binary needs glibc >= ${GLIBC_FLOOR}`,
    );
    assert.equal(
      install.whyNoPrebuild(glibcHost('arm64', '2.17'), both),
      `this machine has glibc 2.17; the prebuilt binary needs glibc >= ${GLIBC_FLOOR}`,
    );
    assert.equal(
      install.whyNoPrebuild({ platform: 'linux', arch: 'x64', libc: 'musl', glibc: undefined }, both),
      `this machine uses musl; the prebuilt binaries need glibc >= ${GLIBC_FLOOR}`,
    );
    assert.equal(
      install.whyNoPrebuild(glibcHost('ppc64', '2.36'), both),
      `there is no prebuilt binary for linux-ppc64 (prebuilt: linux-arm64 and linux-x64 with glibc >= ${GLIBC_FLOOR})`,
    );
    assert.equal(
      install.whyNoPrebuild({ platform: 'darwin', arch: 'arm64', libc: undefined, glibc: undefined }, []),
      'there is no prebuilt binary for darwin-arm64 (prebuilt: none in this copy of the package)',
    );
  });

  it('versions compare numerically (2.28 < 2.100), not as strings', () => {
    assert.equal(compareVersions('2.28', '2.100'), -1);
    assert.equal(compareVersions('2.2.5', '2.28'), -1);
    assert.equal(compareVersions('2.28', '2.28.0'), 0);
    assert.equal(install.whyNoPrebuild(glibcHost('x64', '2.100'), both), undefined);
  });

  it('this machine is described as node sees it, and shippedTargets lists only directories holding the prebuild', () => {
    const host = install.describeHost();
    assert.equal(host.platform, process.platform);
    assert.equal(host.arch, process.arch);
    if (process.platform === 'linux') assert.ok(host.libc === 'glibc' || host.libc === 'musl');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-shipped-'));
    try {
      assert.deepEqual(install.shippedTargets(dir), []);
      for (const t of ['linux-x64', 'linux-arm64', 'darwin-x64'])
        fs.mkdirSync(path.join(dir, 'prebuilds', t), { recursive: true });
      fs.writeFileSync(path.join(dir, 'prebuilds', 'linux-x64', PREBUILD_FILE), '');
      fs.writeFileSync(path.join(dir, 'prebuilds', 'linux-arm64', PREBUILD_FILE), '');
      fs.writeFileSync(path.join(dir, 'prebuilds', 'darwin-x64', 'other.node'), '');
      assert.deepEqual(install.shippedTargets(dir), both);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check-prebuild: what a binary really needs', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-checkprebuild-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Builds `source` (C++, or C with compiler gcc) into linux-x64/NAME.node. */
  function sharedObject(name: string, source: string, flags: string[], compiler = 'g++'): string {
    const dir = path.join(tmp, 'linux-x64');
    fs.mkdirSync(dir, { recursive: true });
    const src = path.join(tmp, `${name}.${compiler === 'gcc' ? 'c' : 'cc'}`);
    fs.writeFileSync(src, source);
    const out = path.join(dir, `${name}.node`);
    const r = spawnSync(compiler, ['-shared', '-fPIC', '-O2', ...flags, '-o', out, src], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return out;
  }

  it('flags a shared libstdc++, a new pthread symbol, a missing N-API entry point and symbols', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip(); // builds x86-64 fixtures with g++
    const so = sharedObject(
      'plain',
      `#include <pthread.h>
#include <iostream>
static void* run(void*) { return nullptr; }
extern "C" int start_thread() { pthread_t t; int r = pthread_create(&t, nullptr, run, nullptr); std::cout << r; return pthread_join(t, nullptr); }
`,
      ['-pthread'],
    );
    const problems = check.checkBinary(so, 'linux-x64').join('\n');
    assert.match(problems, /not stripped/);
    assert.match(problems, /needs GLIBCXX_[\d.]+ \(libstdc\+\+\/libgcc should be linked statically\)/);
    assert.match(problems, /needs libstdc\+\+\.so\.6/);
    assert.match(problems, /does not export napi_register_module_v1/);
    const glibc = install.describeHost().glibc ?? '0';
    // glibc 2.34 gave pthread_create a new default version; an older build machine links the old one.
    if (compareVersions(glibc, '2.34') >= 0)
      assert.match(
        problems,
        new RegExp(`newer than GLIBC_${GLIBC_FLOOR.replace('.', '\\.')}: .*pthread_create@GLIBC_2\\.34`),
      );
    else assert.doesNotMatch(problems, /newer than GLIBC_/);
    assert.match(
      check.checkBinary(so, 'linux-arm64').join('\n'),
      /built for Advanced Micro Devices X86-64, expected AArch64/,
    );
    assert.deepEqual(check.checkBinary(so, 'linux-sparc'), [
      `${so}: unknown target linux-sparc (known: linux-x64, linux-arm64)`,
    ]);
  });

  it('passes a stripped N-API module that needs only old glibc symbols', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    const so = sharedObject(
      'napi',
      `#include <stdlib.h>
#include <string.h>
typedef struct napi_env__* napi_env;
typedef struct napi_value__* napi_value;
int napi_create_string_utf8(napi_env, const char*, size_t, napi_value*);
__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  const char* s = exports ? getenv("COHORT_FIXTURE") : 0;
  if (!s) s = "x";
  napi_value v;
  napi_create_string_utf8(env, s, strlen(s), &v);
  return v;
}
`,
      ['-s', '-fvisibility=hidden'],
      'gcc',
    );
    const info = check.inspectBinary(so);
    assert.ok(info.stripped);
    assert.ok(info.glibcMax && compareVersions(info.glibcMax, GLIBC_FLOOR) <= 0, `needs GLIBC_${info.glibcMax}`);
    assert.deepEqual(check.checkBinary(so, 'linux-x64'), []);
  });

  it('the command line exits 1 naming the problem, 0 with a summary line (on the two binaries above)', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    const bad = path.join(tmp, 'linux-x64', 'plain.node');
    const good = path.join(tmp, 'linux-x64', 'napi.node');
    const script = path.join(__dirname, '..', 'scripts', 'check-prebuild.js');
    assert.ok(fs.existsSync(bad) && fs.existsSync(good), 'needs the fixtures of the two tests above');
    const r1 = spawnSync(process.execPath, [script, bad], { encoding: 'utf8' });
    assert.equal(r1.status, 1);
    assert.match(r1.stderr, /check-prebuild: .*plain\.node: not stripped/);
    const r2 = spawnSync(process.execPath, [script, good], { encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(
      r2.stdout,
      /napi\.node: Advanced Micro Devices X86-64, highest GLIBC_[\d.]+, needs .*libc\.so\.6.*, 1 N-API functions: ok/,
    );
  });

  it('the MPI plugin check passes --prebuild builds against Open MPI and MPICH, and names what another library lacks', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    const unrelated = sharedObject('not_a_plugin', 'extern "C" int unrelated() { return 1; }', []);
    assert.match(check.checkPlugin(unrelated, 'linux-x64').join('\n'), /not named cohort_transport_<family>\.so/);
    // The same unrelated library under each family's name: what each family requires.
    const named = (family: string): string => {
      const file = path.join(tmp, 'linux-x64', `cohort_transport_${family}.so`);
      fs.copyFileSync(unrelated, file);
      return file;
    };
    const openmpi = check.checkPlugin(named('openmpi'), 'linux-x64').join('\n');
    assert.match(openmpi, /not stripped/);
    assert.match(openmpi, /does not link libmpi\.so\.40/);
    assert.match(openmpi, /does not export cohort_wire_v1/);
    const mpich = check.checkPlugin(named('mpich'), 'linux-x64').join('\n');
    assert.match(mpich, /does not leave MPI_Init_thread undefined/);
    assert.match(mpich, /does not export cohort_wire_v1/);
    const script = path.join(__dirname, '..', 'scripts', 'build-mpi-plugin.js');
    for (const [family, wrapper, pkg] of [
      ['openmpi', 'mpicc.openmpi', 'libopenmpi-dev'],
      ['mpich', 'mpicc.mpich', 'libmpich-dev'],
    ]) {
      const mpicc = onPath(wrapper, process.env.PATH ?? '');
      if (!mpicc && process.env.CI !== 'true') continue; // the fixture half above still ran
      assert.ok(mpicc, `${wrapper} is missing: .ci/run installs ${pkg}`);
      const out = path.join(tmp, `plugin-${family}`);
      const r = spawnSync(process.execPath, [script, '--prebuild', '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, MPICC: mpicc },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(check.checkPlugin(path.join(out, `cohort_transport_${family}.so`), 'linux-x64'), []);
    }
  });
});
