// Port of Legion's tutorial 01 (tasks and futures): the top level launches
// one fibonacci task per number; each fibonacci task launches two
// fibonacci subtasks and a leaf `sum` task (C++) that waits on their
// futures, and returns the sum's future. Prints the first N numbers.
import { Future, Runtime } from '../lib';
import { exampleKernels } from './paths';

async function main(): Promise<void> {
  const numFibonacci = Number(process.argv.find((a, i) => process.argv[i - 1] === '-n') ?? 7);
  const rt = await Runtime.start();
  const kernels = await rt.loadLibrary(exampleKernels);
  const sum = kernels.task<[], number>('sum_futures'); // a leaf task in C++

  const fibonacci = rt.registerTask('fibonacci', (ctx, n: number): number | Future<number> => {
    if (n === 0) return 0;
    if (n === 1) return 1;
    const f1 = ctx.launch(fibonacci, [n - 1]);
    const f2 = ctx.launch(fibonacci, [n - 2]);
    // Returning a future: this task's result is the sum's result.
    return ctx.launch(sum, [], { futures: [f1, f2] });
  });

  // Under `mpirun -n N` every rank runs the top-level function (the time
  // is only printed, never used to decide what to launch).
  await rt.main(
    async () => {
      rt.printOnce(`Computing the first ${numFibonacci} Fibonacci numbers...`);
      const start = process.hrtime.bigint();
      const results = Array.from({ length: numFibonacci }, (_, i) => rt.launch(fibonacci, [i]));
      for (let i = 0; i < numFibonacci; i++) {
        const value = await results[i].get();
        const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
        rt.printOnce(`Fibonacci(${i}) = ${value} (elapsed = ${elapsed.toFixed(2)} s)`);
      }
    },
    { replicable: true },
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
