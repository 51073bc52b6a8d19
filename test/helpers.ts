// Shared by the mocha tests: where the built task libraries are, and a
// bounded wait for a promise (every test that could hang fails instead).
import * as path from 'path';

export const root = path.resolve(__dirname, '..');
export const kernelsDir = path.join(root, 'build', 'kernels');
export const exampleKernels = path.join(kernelsDir, 'libkernels.so');
export const testKernels = path.join(kernelsDir, 'libtest_kernels.so');
export const fixture = (name: string): string => path.join(kernelsDir, `libfixture_${name}.so`);

/** Rejects if `p` has not settled within `ms` (a hang guard, not a timing check). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}
