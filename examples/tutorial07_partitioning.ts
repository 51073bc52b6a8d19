// Port of Legion's tutorial 07 (partitioning): daxpy in parallel, by
// partitioning the regions into blocks and launching one point task per
// block (index launches).
//
// `rt.partitionEqual(region, b)` splits a region into b near-equal blocks
// (a disjoint and complete partition, colors 0..b-1). An index launch over
// the colors with `partition.read(...)` gives point p subregion p (Legion's
// identity projection, ProjectionID 0). Different blocks never interfere,
// so the points of each launch may run in parallel; the x and y inits
// touch different fields, so they may run in parallel with each other too.
//
//   init_field (TS)   per block, write-discard x (then y)
//   daxpy (C++)       per block, read-only x, y and write-discard z
//   check (TS)        per block, read-only; the mismatch counts are summed
import { Rect, Runtime } from '../lib';
import { tutorialKernels } from './paths';
import { Failure, intArg, random, runMain } from './tutorial-support';

async function main(): Promise<void> {
  const numElements = intArg('-n', 1024);
  const numSubregions = intArg('-b', 4);
  const rt = await Runtime.start();
  const kernels = await rt.loadLibrary(tutorialKernels);
  const daxpy = kernels.task<[alpha: number], void>('daxpy');

  // init_field(fieldId, seed): fills this point's block of one field.
  const initField = rt.registerTask(
    'init_field',
    (ctx, fieldId: number, seed: number) => {
      const block = ctx.point![0];
      console.log(`Initializing field ${fieldId} for block ${block}...`);
      const region = ctx.region(0);
      const data = region.field(region.fieldNames[0]);
      const rand = random(seed * 7919 + block);
      for (let i = 0; i < data.length; i++) data[i] = rand();
    },
    { leaf: true },
  );

  // check(alpha): the number of wrong elements in this point's block.
  const check = rt.registerTask(
    'check',
    (ctx, alpha: number): number => {
      const x = ctx.region(0).field('x');
      const y = ctx.region(0).field('y');
      const z = ctx.region(1).view('z');
      let bad = 0;
      for (let i = 0; i < z.data.length; i++) {
        const expected = alpha * x[i] + y[i];
        if (expected !== z.data[i] && bad++ === 0) {
          console.error(`block ${ctx.point![0]}: element ${z.bounds.lo[0] + i} is ${z.data[i]}, expected ${expected}`);
        }
      }
      return bad;
    },
    { leaf: true },
  );

  // Under `mpirun -n N` every rank runs the top-level function (control
  // replication): each runs the points the sharding functor gives it, and
  // the reduced count of wrong elements reaches every rank.
  await rt.main(
    async () => {
      rt.printOnce(`Running daxpy for ${numElements} elements...`);
      rt.printOnce(`Partitioning data into ${numSubregions} sub-regions...`);
      const elems = Rect(0, numElements - 1);
      const input = rt.createRegion(elems, { x: 'f64', y: 'f64' });
      const output = rt.createRegion(elems, { z: 'f64' });
      const fid = (name: string): number => input.tree.fieldIds.get(name)!;

      // One equal partition of each region; the colors are the launch domain.
      const inputLp = rt.partitionEqual(input, numSubregions);
      const outputLp = rt.partitionEqual(output, numSubregions);
      const colors = Rect(0, numSubregions - 1);
      let covered = 0;
      for (let c = 0; c < numSubregions; c++) covered += inputLp.subregion(c).volume;
      if (!inputLp.disjoint || !inputLp.complete || covered !== numElements) {
        throw new Failure(
          `the equal partition should be disjoint and complete (disjoint=${inputLp.disjoint}, complete=${inputLp.complete}, ${covered} of ${numElements} points)`,
        );
      }

      rt.indexLaunch(initField, colors, { args: [fid('x'), 1], regions: [inputLp.writeDiscard('x')] });
      rt.indexLaunch(initField, colors, { args: [fid('y'), 2], regions: [inputLp.writeDiscard('y')] });

      const alpha = random(7)();
      rt.indexLaunch(daxpy, colors, { args: [alpha], regions: [inputLp.read('x', 'y'), outputLp.writeDiscard('z')] });

      const bad = rt.indexLaunch(check, colors, {
        args: [alpha],
        regions: [inputLp.read('x', 'y'), outputLp.read('z')],
        reduce: 'sum',
      });
      const wrong = await bad.get();
      if (wrong !== 0) {
        rt.printOnce('Checking results...FAILURE!');
        throw new Failure(`${wrong} of ${numElements} elements are wrong`);
      }
      rt.printOnce('Checking results...SUCCESS!');

      rt.destroyRegion(input);
      rt.destroyRegion(output);
    },
    { replicable: true },
  );
}

runMain(main);
