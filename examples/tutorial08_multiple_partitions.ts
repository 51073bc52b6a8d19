// Port of Legion's tutorial 08 (multiple partitions): two partitions of one
// region, used together by a 1-D 5-point stencil
//
//   deriv(i) = (val(i-2) - 8 val(i-1) + 8 val(i+1) - val(i+2)) / 12
//
// (indices clamped to the array at both ends).
//
//   disjoint: an equal partition into b blocks. Each stencil point task
//             writes the derivative of its block (field `deriv`).
//   ghost:    the same blocks widened by 2 ghost cells on each side, clipped
//             to the region (Legion: create_partition_by_restriction with
//             extent -2..block+1). Neighbouring subregions overlap, so the
//             partition is aliased; each point task reads its block plus
//             halo of field `val` through it. Read-only, so the points of
//             the launch still do not interfere.
//
//   init_field (C++)  per block, write-discard `val` on the disjoint partition
//   stencil (C++)     per block, read-only `val` on the ghost partition,
//                     write-discard `deriv` on the disjoint partition
//   check (TS)        one task on the whole region: a sequential stencil
//
// The runtime orders the stencil after the inits although they name
// different partitions (a ghost subregion overlaps up to three init
// blocks), and the check after every stencil point although it names the
// parent region.
import { Rect, RectLike, Runtime } from '../lib';
import { tutorialKernels } from './paths';
import { Failure, intArg, runMain } from './tutorial-support';

const HALO = 2;
const show = (r: RectLike): string => `[${r.lo[0]}..${r.hi[0]}]`;

interface CheckResult {
  bad: number;
  first: number;
  expected: number;
  received: number;
}

async function main(): Promise<void> {
  const numElements = intArg('-n', 1024);
  const numSubregions = intArg('-b', 4);
  if (numSubregions > numElements)
    throw new Failure(`-b ${numSubregions}: cannot make more blocks than the ${numElements} elements`);
  const rt = await Runtime.start();
  const kernels = await rt.loadLibrary(tutorialKernels);
  const initField = kernels.task<[fieldId: number, seed: number], void>('init_field');
  const stencil = kernels.task<[numElements: number], void>('stencil');

  // check(n): recomputes the stencil sequentially from `val` and compares.
  // Two requirements on the same region (different fields, both read-only).
  const check = rt.registerTask(
    'check',
    (ctx, n: number): CheckResult => {
      const val = ctx.region(0).field('val');
      const deriv = ctx.region(1).field('deriv');
      const at = (i: number): number => val[i < 0 ? 0 : i > n - 1 ? n - 1 : i];
      const r: CheckResult = { bad: 0, first: -1, expected: 0, received: 0 };
      for (let i = 0; i < n; i++) {
        // Same operations in the same order as the C++ task: bitwise equal.
        const expected = (at(i - 2) - 8.0 * at(i - 1) + 8.0 * at(i + 1) - at(i + 2)) / 12.0;
        if (expected !== deriv[i] && r.bad++ === 0) Object.assign(r, { first: i, expected, received: deriv[i] });
      }
      return r;
    },
    { leaf: true },
  );

  // The program's top-level function: under `mpirun -n N` every rank
  // registers the tasks above, then every rank runs this (control
  // replication: each runs its share of the points and prints nothing
  // twice), and rt.main shuts down. With --single-controller rank 0 alone
  // runs it and places the points on every rank.
  const replicable = !process.argv.includes('--single-controller');
  await rt.main(
    async () => {
      rt.printOnce(`Running stencil computation for ${numElements} elements...`);
      rt.printOnce(`Partitioning data into ${numSubregions} sub-regions...`);
      const stencilLr = rt.createRegion(Rect(0, numElements - 1), { val: 'f64', deriv: 'f64' });
      const fid = (name: string): number => stencilLr.tree.fieldIds.get(name)!;
      const colors = Rect(0, numSubregions - 1);

      // The two partitions of the one region.
      const disjointLp = rt.partitionEqual(stencilLr, numSubregions);
      const ghostLp =
        numElements % numSubregions === 0
          ? // Blocks of n/b points, widened by HALO each side and clipped.
            rt.partitionByBlocks(stencilLr, numElements / numSubregions, HALO)
          : // Uneven blocks: widen each equal block explicitly.
            rt.partitionByRects(
              stencilLr,
              Array.from({ length: numSubregions }, (_, c) => {
                const b = disjointLp.subregion(c).bounds;
                return Rect(Math.max(0, b.lo[0] - HALO), Math.min(numElements - 1, b.hi[0] + HALO));
              }),
            );
      if (!disjointLp.disjoint || !disjointLp.complete)
        throw new Failure('the equal partition should be disjoint and complete');
      if (numSubregions > 1 && ghostLp.disjoint) throw new Failure('the ghost partition should be aliased');
      for (let c = 0; c < numSubregions; c++) {
        const own = disjointLp.subregion(c).bounds;
        const ghost = ghostLp.subregion(c).bounds;
        const lo = Math.max(0, own.lo[0] - HALO);
        const hi = Math.min(numElements - 1, own.hi[0] + HALO);
        if (ghost.lo[0] !== lo || ghost.hi[0] !== hi) {
          throw new Failure(
            `ghost subregion ${c} is ${show(ghost)}; block ${show(own)} widened by ${HALO} is [${lo}..${hi}]`,
          );
        }
      }

      rt.indexLaunch(initField, colors, { args: [fid('val'), 1], regions: [disjointLp.writeDiscard('val')] });
      rt.indexLaunch(stencil, colors, {
        args: [numElements],
        regions: [ghostLp.read('val'), disjointLp.writeDiscard('deriv')],
      });
      const result = await rt
        .launch(check, [numElements], { regions: [stencilLr.read('val'), stencilLr.read('deriv')] })
        .get();

      if (result.bad > 0) {
        rt.printOnce('Checking results...FAILURE!');
        throw new Failure(
          `${result.bad} of ${numElements} derivatives are wrong; first at ${result.first}: expected ${result.expected}, got ${result.received}`,
        );
      }
      rt.printOnce('Checking results...SUCCESS!');

      rt.destroyRegion(stencilLr);
    },
    { replicable },
  );
}

runMain(main);
