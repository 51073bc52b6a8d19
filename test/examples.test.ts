import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { root } from './helpers';

// Runs an example as a user would (tsx), with a timeout so a hang fails.
export function runExample(file: string, args: string[] = []): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples', file), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.equal(r.error, undefined, `${file} did not finish: ${r.error?.message}`);
  assert.equal(r.status, 0, `${file} failed:\n${r.stderr}`);
  return r.stdout;
}

describe('examples', () => {
  it('the main example (npm start) prints the C++ greeting and the mixed TS/C++ sum', () => {
    const out = runExample('hello.ts');
    assert.match(out, /Hello, cohort!/);
    assert.match(out, /6 \* 6 \+ \(4 \+ 2\) = 42/);
  });

  it('tutorial 00 prints Hello World!', () => {
    assert.match(runExample('tutorial00_hello_world.ts'), /^Hello World!$/m);
  });

  it('tutorial 01 prints the first 7 Fibonacci numbers 0 1 1 2 3 5 8', () => {
    const out = runExample('tutorial01_tasks_and_futures.ts');
    assert.match(out, /Computing the first 7 Fibonacci numbers\.\.\./);
    const values = [...out.matchAll(/Fibonacci\((\d+)\) = (\d+) \(elapsed = [\d.]+ s\)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    assert.deepEqual(values, [
      [0, 0],
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 5],
      [6, 8],
    ]);
  });

  it('tutorial 01 takes -n like the original', () => {
    const out = runExample('tutorial01_tasks_and_futures.ts', ['-n', '12']);
    assert.match(out, /Fibonacci\(11\) = 89 /);
  });
});
