// Port of Legion's tutorial 05 (physical regions): a sequential daxpy
// (z = alpha * x + y) in the top-level code, on data reached through inline
// mappings.
//
// `rt.fill` writes a value into fields as a deferred operation, in program
// order with everything else. `await rt.map(region.readWrite('x', 'y'))` is
// Legion's map_region: it resolves once every earlier operation on those
// fields is done, with each field as a typed array over the runtime's
// storage (index 0 = the region's first point). Until `unmap()`, later
// operations that conflict with the mapping wait for it.
import { Rect, Runtime } from '../lib';
import { Failure, intArg, random, runMain } from './tutorial-support';

// A small seeded generator (mulberry32), uniform in [0, 1): the same data
// every run (the original uses drand48).

/** printf's %.8g, near enough. */
const g8 = (v: number): string => String(Number(v.toPrecision(8)));

async function main(): Promise<void> {
  const numElements = intArg('-n', 1024);
  const rt = await Runtime.start();
  // Under `mpirun -n N` every rank runs the top-level function (control
  // replication): each maps and fills the regions itself and prints once.
  await rt.main(
    async () => {
      rt.printOnce(`Running daxpy for ${numElements} elements...`);

      // Two regions over one index space: the inputs x, y and the output z.
      const elems = Rect(0, numElements - 1);
      const input = rt.createRegion(elems, { x: 'f64', y: 'f64' });
      const output = rt.createRegion(elems, { z: 'f64' });

      // Fills are deferred operations; the mapping below waits for them.
      rt.fill(input, ['x', 'y'], 0);
      rt.fill(output, 'z', -1);

      // Map the inputs read-write and initialize them in place.
      const inputs = await rt.map(input.readWrite('x', 'y'));
      const x = inputs.field('x');
      const y = inputs.field('y');
      if (x.length !== numElements || y.length !== numElements) {
        throw new Failure(`the mapped fields have ${x.length} and ${y.length} elements, expected ${numElements}`);
      }
      for (let i = 0; i < numElements; i++) {
        if (x[i] !== 0 || y[i] !== 0)
          throw new Failure(`element ${i} was not filled with 0 before the mapping (x=${x[i]}, y=${y[i]})`);
      }
      const rand = random(5);
      for (let i = 0; i < numElements; i++) {
        x[i] = rand();
        y[i] = rand();
      }

      // Map the output write-discard (its old contents are not needed) and run
      // daxpy right here, in the top-level code.
      const outputs = await rt.map(output.writeDiscard('z'));
      const z = outputs.field('z');
      const alpha = rand();
      for (let i = 0; i < numElements; i++) z[i] = alpha * x[i] + y[i];
      rt.printOnce(`Running daxpy computation with alpha ${g8(alpha)}...Done!`);

      // Unmap, then map again read-only to check: same data, new privileges.
      await outputs.unmap();
      const result = await rt.map(output.read('z'));
      const zr = result.field('z');
      let bad = 0;
      let first = -1;
      for (let i = 0; i < numElements; i++) {
        // Same operations in the same order: the values are bitwise equal.
        if (alpha * x[i] + y[i] !== zr[i]) {
          if (first < 0) first = i;
          bad++;
        }
      }
      const detail = bad > 0 ? `first at ${first}: expected ${alpha * x[first] + y[first]}, got ${zr[first]}` : '';
      // Unmap before anything else: a mapping left in place holds back every
      // later conflicting operation (and keeps the process alive).
      await result.unmap();
      await inputs.unmap();
      if (bad > 0) {
        rt.printOnce('Checking results...FAILURE!');
        throw new Failure(`${bad} of ${numElements} elements are wrong; ${detail}`);
      }
      rt.printOnce('Checking results...SUCCESS!');

      rt.destroyRegion(input);
      rt.destroyRegion(output);
    },
    { replicable: true },
  );
}

runMain(main);
