import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { root } from './helpers';

// The README's TypeScript programs, run as written: only the package name
// and the library paths are pointed at this checkout.
function readmeProgram(index: number): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const code = blocks[index]
    .replace(/from 'cohort'/g, `from ${JSON.stringify(path.join(root, 'lib'))}`)
    .replace(/'\.\/build\//g, `'${root}/build/`);
  const lines = code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import '));
  return [...imports, '(async () => {', ...body, '})().catch((e) => { console.error(e); process.exit(1); });'].join(
    '\n',
  );
}

function run(code: string): string {
  const file = path.join(os.tmpdir(), `cohort-readme-${process.pid}-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.error, undefined, `did not finish: ${r.error?.message}`);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    fs.unlinkSync(file);
  }
}

describe('the README', () => {
  it('the first program prints 42', () => {
    assert.match(run(readmeProgram(0)), /^42$/m);
  });

  it('the regions program gives the sequential result (z = 2x + y)', () => {
    const out = run(readmeProgram(1));
    assert.match(out, /^3$/m);
    assert.equal((out.match(/Running daxpy computation with alpha 2 for point \d/g) ?? []).length, 4);
  });

  it('the many-processes program runs as one process, every point on rank 0', () => {
    assert.match(run(readmeProgram(3)), /^0@0 2@0 4@0 6@0 8@0 10@0 12@0 14@0$/m);
  });
});
