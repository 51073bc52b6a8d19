// Port of Legion's tutorial 04 (logical regions): how index spaces, field
// spaces and logical regions are made, and destroyed.
//
// In cohort an index space is a rect of points (a point count n is the
// rect 0..n-1) and a field space is an object of field names and element
// types; `rt.createRegion(indexSpace, fieldSpace)` makes a logical region.
// As in Legion, every createRegion call makes a new region tree, even from
// the same index space and fields.
import { FieldSpec, Rect, Region, Runtime, volume } from '../lib';

class CheckFailed extends Error {}
function check(ok: boolean, what: string): void {
  if (!ok) throw new CheckFailed(`expected ${what}`);
}

function show(r: Region): string {
  return `(index space [${r.bounds.lo.join(',')}..${r.bounds.hi.join(',')}], fields ${r.fieldNames.join(',')}, tree ${r.tree.id})`;
}

async function main(): Promise<void> {
  const rt = await Runtime.start();
  // Under `mpirun -n N` every rank runs the top-level function (control
  // replication) and prints through rt.printOnce, so each line appears once.
  await rt.main(
    async () => {
      // Index spaces. An "untyped" one from a point count, a "typed" one from a Rect.
      const untypedIs = 1024;
      rt.printOnce(`Created untyped index space of ${untypedIs} points`);
      const typedIs = Rect(0, 1023);
      rt.printOnce(`Created typed index space [${typedIs.lo}..${typedIs.hi}] (${volume(typedIs)} points)`);

      // A field space: names and element types (Legion: an allocator giving each
      // field a size and a FieldID).
      const fs = { fieldA: 'f64', fieldB: 'i32' } satisfies FieldSpec;
      rt.printOnce(
        `Created field space with fields ${Object.entries(fs)
          .map(([n, t]) => `${n} (${t})`)
          .join(' and ')}`,
      );

      // Logical regions: index space x field space.
      const untypedLr = rt.createRegion(untypedIs, fs);
      const fida = untypedLr.tree.fieldIds.get('fieldA');
      const fidb = untypedLr.tree.fieldIds.get('fieldB');
      check(
        fida !== undefined && fidb !== undefined && fida !== fidb,
        `two distinct field ids (got ${fida} and ${fidb})`,
      );
      rt.printOnce(`Allocated two fields with Field IDs ${fida} and ${fidb}`);
      rt.printOnce(`Created untyped logical region ${show(untypedLr)}`);
      const typedLr = rt.createRegion(typedIs, fs);
      rt.printOnce(`Created typed logical region ${show(typedLr)}`);

      // Both index spaces describe the same 1024 points (Legion:
      // get_index_space_domain gives back the original rect).
      for (const r of [untypedLr, typedLr]) {
        check(
          r.bounds.lo[0] === 0 && r.bounds.hi[0] === 1023 && r.volume === 1024,
          `region of tree ${r.tree.id} covers 0..1023`,
        );
        check(r.fieldNames.join() === 'fieldA,fieldB', `region of tree ${r.tree.id} has fields fieldA, fieldB`);
      }

      // A region is not identified by its index space and fields: creating it
      // again makes a different region tree, with its own data.
      const noCloneLr = rt.createRegion(typedIs, fs);
      check(
        noCloneLr.tree.id !== typedLr.tree.id,
        'a second region from the same index space and fields is a new tree',
      );
      check(new Set([untypedLr.tree.id, typedLr.tree.id, noCloneLr.tree.id]).size === 3, 'three regions, three trees');
      rt.printOnce(
        `Created the same logical region again: a new region tree (${noCloneLr.tree.id} != ${typedLr.tree.id})`,
      );

      // Destruction is deferred past any task still using a region; using a
      // destroyed region is an error.
      rt.destroyRegion(untypedLr);
      rt.destroyRegion(typedLr);
      rt.destroyRegion(noCloneLr);
      let rejected = false;
      try {
        rt.fill(noCloneLr, 'fieldA', 0);
      } catch {
        rejected = true;
      }
      check(rejected, 'using a destroyed region is rejected');
      rt.printOnce('Successfully cleaned up all of our resources');
    },
    { replicable: true },
  );
  rt.printOnce('SUCCESS');
}

main().catch((e) => {
  console.error(e instanceof CheckFailed ? `FAILURE: ${e.message}` : e);
  process.exitCode = 1;
});
