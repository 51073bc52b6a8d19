// The main example (`npm start`): one TS task and one C++ task, with a
// future passed from one to the other.
import { Runtime } from '../lib';
import { exampleKernels } from './paths';

async function main(): Promise<void> {
  const rt = await Runtime.start();

  // A C++ task library: tasks compiled against include/cohort/cohort.hpp.
  const kernels = await rt.loadLibrary(exampleKernels);
  const greet = kernels.task<[string], string>('hello');
  const add = kernels.task<[number, number], number>('add');

  // A TypeScript task: runs on the JS thread.
  const square = rt.registerTask('square', (_ctx, x: number) => x * x);

  // The top-level function: on one process it runs once; under
  // `mpirun -n N` every rank runs it (control replication) and each prints
  // through rt.printOnce, so the output is the same. rt.main shuts down.
  await rt.main(
    async () => {
      rt.printOnce(`cohort runtime with ${rt.workers} worker threads`);
      const greeting = rt.launch(greet, ['cohort']);
      const sq = rt.launch(square, [6]); // TS task
      const total = rt.launch(kernels.task('sum_futures'), [], { futures: [sq, rt.launch(add, [4, 2])] });

      rt.printOnce(await greeting.get());
      rt.printOnce(`6 * 6 + (4 + 2) = ${await total.get()}`);
    },
    { replicable: true },
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
