/**
 * Random regions and partitions of the oracle's programs. Regions are 1-D
 * or 2-D, sometimes tiny or empty; partitions are equal (sometimes with
 * more pieces than points, so some pieces are empty), blocks with halos
 * (with their disjoint twin, the stencil pair), or explicit rects (possibly
 * overlapping, several rects per piece, empty pieces and explicitly empty
 * rects), of a region or of one of its subregions.
 */
import { Box, boundingBox, pointsOfRects, points, rectsOverlap } from './geometry';
import { FType, isDisjoint, layout, NodeDecl, PartDecl, PartSpec, Program } from './program';
import { Prng } from './prng';

/** Regions; `empty`: some may be empty. */
export function addRegions(rng: Prng, prog: Program, empty: boolean): void {
  const nRegions = rng.int(1, 3);
  for (let t = 0; t < nRegions; t++) {
    const dim = rng.chance(0.35) ? 2 : 1;
    let bounds: Box;
    if (dim === 1) {
      const lo = rng.chance(0.6) ? 0 : rng.int(-5, 5);
      const size = rng.chance(0.06) && empty ? 0 : rng.chance(0.1) ? rng.int(1, 3) : rng.int(4, 40);
      bounds = { lo: [lo], hi: [lo + size - 1] };
    } else {
      const lo = rng.chance(0.6) ? [0, 0] : [rng.int(-2, 2), rng.int(-2, 2)];
      const ext = [rng.int(1, 8), rng.int(2, 8)];
      if (rng.chance(0.05) && empty) ext[rng.int(0, 1)] = 0;
      bounds = { lo, hi: [lo[0] + ext[0] - 1, lo[1] + ext[1] - 1] };
    }
    const fields = Array.from({ length: rng.int(1, 3) }, () => rng.pick<FType>(['i32', 'i64', 'u32']));
    const node: NodeDecl = {
      id: prog.nodes.length,
      tree: t,
      dim,
      rects: pointsOfRects([bounds]).length ? [bounds] : [],
    };
    prog.nodes.push(node);
    prog.regions.push({ tree: t, dim, bounds, fields, node: node.id });
  }
}

function addPartition(prog: Program, parentId: number, spec: PartSpec): PartDecl {
  const parent = prog.nodes[parentId];
  const { colorSpace, children } = layout(parent, spec);
  const part: PartDecl = {
    id: prog.parts.length,
    node: parentId,
    spec,
    colorSpace,
    children: [],
    disjoint: isDisjoint(children),
  };
  prog.parts.push(part);
  points(colorSpace).forEach((color, i) => {
    const n: NodeDecl = {
      id: prog.nodes.length,
      tree: parent.tree,
      dim: parent.dim,
      rects: children[i],
      parent: { part: part.id, color },
    };
    prog.nodes.push(n);
    part.children.push(n.id);
  });
  return part;
}

/**
 * A random partition of a region of `tree` (or of one of its subregions);
 * a block partition with a halo sometimes comes with its disjoint twin.
 * Without `allowEmpty`, no piece is empty (unless the region is).
 */
export function randomPartition(rng: Prng, prog: Program, tree: number, allowEmpty: boolean): PartDecl[] {
  // Usually the root; sometimes a non-empty subregion (nested partition).
  const candidates = prog.nodes.filter((n) => n.tree === tree && n.parent && pointsOfRects(n.rects).length > 0);
  const parent = candidates.length && rng.chance(0.25) ? rng.pick(candidates) : prog.nodes[prog.regions[tree].node];
  for (let attempt = 0; attempt < 10; attempt++) {
    const specs = randomSpecs(rng, prog, parent, allowEmpty);
    // Pieces of a subregion made of several rects can be empty whatever the spec.
    if (
      allowEmpty ||
      parent.rects.length === 0 ||
      specs.every((s) => layout(parent, s).children.every((c) => c.length > 0))
    ) {
      return specs.map((s) => addPartition(prog, parent.id, s));
    }
  }
  return [addPartition(prog, parent.id, { kind: 'equal', colorSpace: { lo: [0], hi: [0] } })];
}

/** The spec of a random partition of `parent` (with the disjoint twin of a block partition with a halo). */
function randomSpecs(rng: Prng, prog: Program, parent: NodeDecl, allowEmpty: boolean): PartSpec[] {
  const tree = parent.tree;
  const empty = parent.rects.length === 0;
  const bounds = empty ? prog.regions[tree].bounds : boundingBox(parent.rects, parent.dim);
  const extent = bounds.lo.map((l, d) => bounds.hi[d] - l + 1);
  const kind = empty ? rng.weighted({ equal: 1, rects: 1 }) : rng.weighted({ equal: 3, blocks: 3, rects: 2 });
  if (kind === 'equal') {
    let colorSpace: Box;
    if (parent.dim === 2 && rng.chance(0.6)) {
      const lo = rng.chance(0.7) ? [0, 0] : [rng.int(-1, 2), rng.int(-1, 2)];
      const n = [rng.int(1, 3), rng.int(1, 3)].map((x, d) => (allowEmpty ? x : Math.max(1, Math.min(x, extent[d]))));
      colorSpace = { lo, hi: [lo[0] + n[0] - 1, lo[1] + n[1] - 1] };
    } else {
      const lo = rng.chance(0.7) ? 0 : rng.int(-2, 3);
      // Sometimes more pieces than points: the last pieces are empty.
      let n = rng.chance(0.2) ? Math.min(8, Math.max(0, extent[0]) + rng.int(1, 3)) : rng.int(1, 5);
      if (!allowEmpty) n = Math.max(1, Math.min(n, extent[0]));
      colorSpace = { lo: [lo], hi: [lo + n - 1] };
    }
    return [{ kind: 'equal', colorSpace }];
  }
  if (kind === 'blocks') {
    const block = extent.map((e) => rng.int(Math.max(1, Math.ceil(e / (parent.dim === 1 ? 8 : 4))), e));
    const sym = rng.chance(0.6);
    const h = (): number => (rng.chance(0.4) ? 0 : rng.int(1, 2));
    const haloLo = extent.map(() => h());
    const haloHi = sym ? [...haloLo] : extent.map(() => h());
    const spec: PartSpec = { kind: 'blocks', block, haloLo, haloHi };
    // A disjoint twin with the same blocks: the stencil pair (write disjoint, read halo).
    if (!isDisjoint(layout(parent, spec).children) && rng.chance(0.6))
      return [spec, { kind: 'blocks', block, haloLo: extent.map(() => 0), haloHi: extent.map(() => 0) }];
    return [spec];
  }
  const nColors = rng.int(1, 4);
  const randomRectIn = (r: Box): Box => {
    const lo: number[] = [];
    const hi: number[] = [];
    for (let d = 0; d < r.lo.length; d++) {
      const a = rng.int(r.lo[d], r.hi[d]);
      const b = rng.int(r.lo[d], r.hi[d]);
      lo.push(Math.min(a, b));
      hi.push(Math.max(a, b));
    }
    return { lo, hi };
  };
  // An explicitly empty rect (hi < lo along one dimension) at the parent's corner.
  const emptyRect = (): Box => {
    const d = rng.int(0, parent.dim - 1);
    return { lo: [...bounds.lo], hi: bounds.lo.map((x, k) => (k === d ? x - 1 : x)) };
  };
  const rects: Box[][] = [];
  for (let c = 0; c < nColors; c++) {
    if (empty || (rng.chance(0.12) && allowEmpty)) {
      rects.push(rng.chance(0.5) ? [] : [emptyRect()]);
      continue;
    }
    const first = randomRectIn(rng.pick(parent.rects));
    const list = [first];
    if (rng.chance(0.25)) {
      const second = randomRectIn(rng.pick(parent.rects));
      if (!rectsOverlap([first], [second])) list.push(second);
    }
    if (rng.chance(0.1) && allowEmpty) list.splice(rng.int(0, list.length), 0, emptyRect());
    rects.push(list);
  }
  return [{ kind: 'rects', rects }];
}

export function addPartitions(rng: Prng, prog: Program, allowEmpty: boolean): void {
  for (const region of prog.regions) {
    const count = rng.int(1, 3);
    for (let i = 0; i < count; i++) randomPartition(rng, prog, region.tree, allowEmpty);
  }
}
