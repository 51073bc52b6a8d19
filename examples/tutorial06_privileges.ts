// Port of Legion's tutorial 06 (privileges): daxpy split into subtasks that
// say which regions and fields they touch, and how.
//
//   init_field (TS)   write-discard on one field of the input region; the
//                     launches for x and for y touch different fields, so
//                     they do not depend on each other
//   daxpy (C++)       read-only x, y; write-discard z; waits for both inits
//   check (TS)        read-only everything; waits for daxpy
//
// Nothing here waits or orders by hand: the runtime derives every ordering
// from the region requirements, in program order.
import { Rect, Runtime } from '../lib';
import { tutorialKernels } from './paths';
import { Failure, intArg, random, runMain } from './tutorial-support';

interface CheckResult {
  bad: number;
  first: number;
  expected: number;
  received: number;
}

async function main(): Promise<void> {
  const numElements = intArg('-n', 1024);
  const rt = await Runtime.start();
  const kernels = await rt.loadLibrary(tutorialKernels);
  const daxpy = kernels.task<[alpha: number], void>('daxpy');

  // init_field(fieldId, seed): fills the one field of its requirement.
  const initField = rt.registerTask(
    'init_field',
    (ctx, fieldId: number, seed: number) => {
      const region = ctx.region(0);
      console.log(`Initializing field ${fieldId}...`);
      const data = region.field(region.fieldNames[0]);
      const rand = random(seed);
      for (let i = 0; i < data.length; i++) data[i] = rand();
    },
    { leaf: true },
  );

  // check(alpha): recomputes daxpy from read-only inputs.
  const check = rt.registerTask(
    'check',
    (ctx, alpha: number): CheckResult => {
      const x = ctx.region(0).field('x');
      const y = ctx.region(0).field('y');
      const z = ctx.region(1).field('z');
      process.stdout.write('Checking results...');
      const r: CheckResult = { bad: 0, first: -1, expected: 0, received: 0 };
      for (let i = 0; i < z.length; i++) {
        const expected = alpha * x[i] + y[i];
        if (expected !== z[i]) {
          if (r.bad++ === 0) Object.assign(r, { first: i, expected, received: z[i] });
        }
      }
      console.log(r.bad === 0 ? 'SUCCESS!' : 'FAILURE!');
      return r;
    },
    { leaf: true },
  );

  // Under `mpirun -n N` every rank runs the top-level function (control
  // replication); the single tasks run on rank 0, so each line prints once.
  await rt.main(
    async () => {
      rt.printOnce(`Running daxpy for ${numElements} elements...`);
      const elems = Rect(0, numElements - 1);
      const input = rt.createRegion(elems, { x: 'f64', y: 'f64' });
      const output = rt.createRegion(elems, { z: 'f64' });
      const fid = (name: string): number => input.tree.fieldIds.get(name)!;

      // Two independent launches: different fields of the same region.
      rt.launch(initField, [fid('x'), 1], { regions: [input.writeDiscard('x')] });
      rt.launch(initField, [fid('y'), 2], { regions: [input.writeDiscard('y')] });

      // daxpy reads what both inits wrote and overwrites z.
      const alpha = random(6)();
      rt.launch(daxpy, [alpha], { regions: [input.read('x', 'y'), output.writeDiscard('z')] });

      // check reads the inputs and daxpy's output.
      const result = await rt.launch(check, [alpha], { regions: [input.read('x', 'y'), output.read('z')] }).get();
      if (result.bad > 0) {
        throw new Failure(
          `${result.bad} of ${numElements} elements are wrong; first at ${result.first}: expected ${result.expected}, got ${result.received}`,
        );
      }

      rt.destroyRegion(input);
      rt.destroyRegion(output);
    },
    { replicable: true },
  );
}

runMain(main);
