// The CMake package config (cmake/) as a task library author uses it from the
// repository: cohort_add_task_library, cohort::sdk, and version checks.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Runtime } from '../lib';
import { root } from './helpers';
import {
  KERNEL_SOURCE,
  MINUTE,
  RunResult,
  cmakeGenerator,
  mkTemp,
  removeTemp,
  run,
  spawnBounded,
} from './package-helpers';

describe('the CMake package config (cmake/cohortConfig.cmake)', function () {
  this.timeout(5 * MINUTE);
  let tmp: string;
  let rt: Runtime;
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const sdkVersion = /#define COHORT_SDK_VERSION (\d+)u/.exec(
    fs.readFileSync(path.join(root, 'include/cohort/cohort.h'), 'utf8'),
  )?.[1];

  /** Configures and builds a project whose CMakeLists.txt is `cmakeLists`. */
  async function cmakeProject(
    name: string,
    cmakeLists: string,
    files: Record<string, string>,
  ): Promise<{ dir: string; configure: RunResult }> {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), cmakeLists);
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    const configure = await run('cmake', ['-S', '.', '-B', 'build', ...cmakeGenerator()], {
      cwd: dir,
      timeoutMs: 2 * MINUTE,
    });
    await run('cmake', ['--build', 'build'], { cwd: dir, timeoutMs: 3 * MINUTE });
    return { dir, configure };
  }

  before(async () => {
    tmp = mkTemp('sdk-cmake');
    rt = await Runtime.start({ workers: 2 });
  });
  after(async () => {
    await rt.shutdown();
    removeTemp(tmp);
  });

  it('cohort_add_task_library builds a library that loads and runs, exporting only the two entry points', async () => {
    const { dir, configure } = await cmakeProject(
      'lib',
      `cmake_minimum_required(VERSION 3.18)
project(sdk_check CXX)
find_package(cohort ${version} CONFIG REQUIRED PATHS "${root}/cmake" NO_DEFAULT_PATH)
message(STATUS "cohort=\${cohort_VERSION} sdk=\${cohort_SDK_VERSION} include=\${cohort_INCLUDE_DIR}")
cohort_add_task_library(my_kernels my_kernels.cc)
`,
      { 'my_kernels.cc': KERNEL_SOURCE },
    );
    assert.match(
      configure.stdout,
      new RegExp(`cohort=${version.replace(/\./g, '\\.')} sdk=${sdkVersion} include=${path.join(root, 'include')}\\n`),
    );
    const so = path.join(dir, 'build', 'libmy_kernels.so');
    const lib = await rt.loadLibrary(so);
    assert.deepEqual(lib.taskNames.sort(), ['greet', 'triple']);
    assert.equal(await rt.launch(lib.task<[number], number>('triple'), [14]).get(), 42);
    assert.equal(await rt.launch(lib.task<[string], string>('greet'), ['cmake']).get(), 'hi cmake');
    const nm = await run('nm', ['-D', '--defined-only', so], { cwd: dir, timeoutMs: MINUTE });
    const exported = nm.stdout
      .split('\n')
      .filter((l) => / T /.test(l))
      .map((l) => l.split(' ').pop());
    assert.deepEqual(exported.sort(), ['cohort_library_register', 'cohort_library_sdk_version']);
  });

  it('cohort::sdk gives a plain target the SDK headers and C++17', async () => {
    const { dir } = await cmakeProject(
      'sdk',
      `cmake_minimum_required(VERSION 3.18)
project(sdk_probe CXX)
find_package(cohort CONFIG REQUIRED PATHS "${root}/cmake" NO_DEFAULT_PATH)
add_executable(probe probe.cc)
target_link_libraries(probe PRIVATE cohort::sdk)
`,
      {
        'probe.cc': `#include <cohort/cohort.hpp>
#include <cstdio>
#include <optional>
int main() {
  std::optional<unsigned> v = COHORT_SDK_VERSION;  // C++17
  std::printf("sdk %u cplusplus %ld\\n", *v, static_cast<long>(__cplusplus));
}
`,
      },
    );
    const out = (await run(path.join(dir, 'build', 'probe'), [], { cwd: dir, timeoutMs: MINUTE })).stdout;
    const m = /^sdk (\d+) cplusplus (\d+)$/m.exec(out);
    assert.ok(m, out);
    assert.equal(m[1], sdkVersion);
    assert.ok(Number(m[2]) >= 201703, `__cplusplus is ${m[2]}`);
  });

  it('find_package refuses a version request the package does not satisfy', async () => {
    const dir = path.join(tmp, 'too-new');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'CMakeLists.txt'),
      `cmake_minimum_required(VERSION 3.18)
project(too_new CXX)
find_package(cohort 99.0 CONFIG REQUIRED PATHS "${root}/cmake" NO_DEFAULT_PATH)
`,
    );
    const r = await spawnBounded('cmake', ['-S', '.', '-B', 'build'], { cwd: dir, timeoutMs: 2 * MINUTE });
    assert.ok(!r.timedOut && r.status !== 0, 'configuring should have failed');
    assert.match(r.stderr, /cohortConfig\.cmake, version: 0|not\s+accepted/);
  });
});
