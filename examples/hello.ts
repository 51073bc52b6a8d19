// The main example (`npm start`): one TS task and one C++ task, with a
// future passed from one to the other.
import { Runtime } from '../lib';
import { exampleKernels } from './paths';

async function main(): Promise<void> {
  const rt = await Runtime.start();
  console.log(`cohort runtime with ${rt.workers} worker threads`);

  // A C++ task library: tasks compiled against include/cohort/cohort.hpp.
  const kernels = await rt.loadLibrary(exampleKernels);
  const greet = kernels.task<[string], string>('hello');
  const add = kernels.task<[number, number], number>('add');

  // A TypeScript task: runs on the JS thread.
  const square = rt.registerTask('square', (_ctx, x: number) => x * x);

  const greeting = rt.launch(greet, ['cohort']);
  const sq = rt.launch(square, [6]); // TS task
  const total = rt.launch(kernels.task('sum_futures'), [], { futures: [sq, rt.launch(add, [4, 2])] });

  console.log(await greeting.get());
  console.log(`6 * 6 + (4 + 2) = ${await total.get()}`);
  await rt.shutdown();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
