/**
 * Random programs for the sequential-oracle test: regions, partitions
 * (equal, blocks with halos, explicit possibly-overlapping rects, nested)
 * and a sequence of fills, single launches, index launches, inline
 * mappings and fences. Everything is plain data derived from one seed, so
 * a program can be printed, re-generated and interpreted without the
 * runtime. The generator never emits an operation the runtime must reject:
 * within one operation no two (point, requirement) accesses to overlapping
 * elements of a field may conflict (legion-api.md §2.3 and rule 5; reads
 * with reads and same-operator reductions are fine).
 */
import { Box, boundingBox, fmtBox, fmtPoint, intersect, isEmpty, linear, points, pointsOfRects, rectsOverlap } from './geometry';
import { Prng } from './prng';

export type FType = 'i32' | 'i64' | 'u32';
export type Priv = 'ro' | 'rw' | 'wd' | 'sum' | 'max';

export interface RegionDecl {
  tree: number;
  dim: number;
  bounds: Box;
  fields: FType[];
  /** Its root node. */
  node: number;
}

export interface NodeDecl {
  id: number;
  tree: number;
  dim: number;
  /** Pairwise disjoint rects: exactly the node's points. */
  rects: Box[];
  /** Unset for a root. */
  parent?: { part: number; color: number[] };
}

export type PartSpec =
  | { kind: 'equal'; colorSpace: Box }
  | { kind: 'blocks'; block: number[]; haloLo: number[]; haloHi: number[] }
  | { kind: 'rects'; rects: Box[][] };

export interface PartDecl {
  id: number;
  /** The node partitioned. */
  node: number;
  spec: PartSpec;
  colorSpace: Box;
  /** Child node per color, row-major over colorSpace. */
  children: number[];
  disjoint: boolean;
  /** Set when a 'partition' op creates it mid-program (else it is created before the first op). */
  op?: number;
}

/** A requirement: on a node (region or subregion) or, in index launches, on a partition (identity + offset projection). */
export interface ReqDecl {
  node?: number;
  part?: number;
  offset?: number[];
  fields: number[];
  priv: Priv;
}

export type Op =
  | { kind: 'fill'; node: number; fields: number[]; value: number; bigint: boolean }
  | { kind: 'task'; variant: 'ts' | 'cpp'; reqs: ReqDecl[] }
  | { kind: 'index'; variant: 'ts' | 'cpp'; domain: Box; reqs: ReqDecl[] }
  | { kind: 'map'; node: number; fields: number[]; write: boolean; deferred: boolean }
  | { kind: 'fence' }
  | { kind: 'partition'; parts: number[] };

export interface Program {
  seed: number;
  regions: RegionDecl[];
  nodes: NodeDecl[];
  parts: PartDecl[];
  ops: Op[];
}

// ---------------------------------------------------------------- geometry

/** Runs of [lo, lo+length-1] split into `parts` near-equal pieces, longer first (as cohort's equal partition). */
function equalRun(lo: number, length: number, parts: number, part: number): [number, number] {
  const base = Math.floor(length / parts);
  const extra = length % parts;
  const runLo = lo + part * base + Math.min(part, extra);
  return [runLo, runLo + base + (part < extra ? 1 : 0) - 1];
}

function clip(parentRects: Box[], block: Box): Box[] {
  return parentRects.map((r) => intersect(r, block)).filter((r) => !isEmpty(r));
}

/** The children (rect lists, row-major over the color space) of a partition of `parent`. */
export function layout(parent: NodeDecl, spec: PartSpec): { colorSpace: Box; children: Box[][] } {
  const bounds = boundingBox(parent.rects, parent.dim);
  if (spec.kind === 'equal') {
    const cs = spec.colorSpace;
    return {
      colorSpace: cs,
      children: points(cs).map((color) => {
        const block: Box = { lo: [...bounds.lo], hi: [...bounds.hi] };
        for (let d = 0; d < cs.lo.length; d++) {
          const extent = bounds.hi[d] - bounds.lo[d] + 1;
          [block.lo[d], block.hi[d]] = equalRun(bounds.lo[d], extent, cs.hi[d] - cs.lo[d] + 1, color[d] - cs.lo[d]);
        }
        return isEmpty(bounds) ? [] : clip(parent.rects, block);
      }),
    };
  }
  if (spec.kind === 'blocks') {
    const cs: Box = {
      lo: bounds.lo.map(() => 0),
      hi: bounds.lo.map((_, d) => Math.ceil((bounds.hi[d] - bounds.lo[d] + 1) / spec.block[d]) - 1),
    };
    return {
      colorSpace: cs,
      children: points(cs).map((color) =>
        clip(parent.rects, {
          lo: color.map((c, d) => bounds.lo[d] + c * spec.block[d] - spec.haloLo[d]),
          hi: color.map((c, d) => bounds.lo[d] + (c + 1) * spec.block[d] - 1 + spec.haloHi[d]),
        }),
      ),
    };
  }
  return { colorSpace: { lo: [0], hi: [spec.rects.length - 1] }, children: spec.rects.map((rs) => rs.map((r) => ({ lo: [...r.lo], hi: [...r.hi] }))) };
}

function isDisjoint(children: Box[][]): boolean {
  for (let i = 0; i < children.length; i++)
    for (let j = i + 1; j < children.length; j++) if (rectsOverlap(children[i], children[j])) return false;
  return true;
}

/** The node a requirement reaches from launch point p (p unused for node requirements). */
export function nodeAt(prog: Program, req: ReqDecl, p: readonly number[] | undefined): number {
  if (req.node !== undefined) return req.node;
  const part = prog.parts[req.part!];
  if (!p) throw new Error('oracle: a partition requirement outside an index launch');
  const color = p.map((x, d) => x + (req.offset?.[d] ?? 0));
  return part.children[linear(part.colorSpace, color)];
}

/** Launch points of an op: the domain's points, or one `undefined` point for a single launch. */
export function launchPoints(op: Op): (number[] | undefined)[] {
  return op.kind === 'index' ? points(op.domain) : [undefined];
}

// --------------------------------------------------------------- conflicts

export interface Access {
  point: number;
  req: number;
  tree: number;
  field: number;
  priv: Priv;
  rects: Box[];
}

function conflicting(a: Priv, b: Priv): boolean {
  if (a === 'ro' && b === 'ro') return false;
  if ((a === 'sum' || a === 'max') && a === b) return false;
  return true;
}

export function accessesOf(prog: Program, pts: (number[] | undefined)[], req: ReqDecl, reqIndex: number): Access[] {
  const out: Access[] = [];
  pts.forEach((p, pi) => {
    const node = prog.nodes[nodeAt(prog, req, p)];
    for (const f of req.fields) out.push({ point: pi, req: reqIndex, tree: node.tree, field: f, priv: req.priv, rects: node.rects });
  });
  return out;
}

/** True when some pair of accesses (other than one access with itself) must be ordered: the runtime would reject the op. */
export function anyConflict(accesses: Access[]): boolean {
  for (let i = 0; i < accesses.length; i++) {
    for (let j = i + 1; j < accesses.length; j++) {
      const a = accesses[i];
      const b = accesses[j];
      if (a.point === b.point && a.req === b.req) continue;
      if (a.tree !== b.tree || a.field !== b.field) continue;
      if (conflicting(a.priv, b.priv) && rectsOverlap(a.rects, b.rects)) return true;
    }
  }
  return false;
}

// --------------------------------------------------------------- generator

const PRIV_WEIGHTS: Record<Priv, number> = { ro: 3, rw: 3, wd: 2, sum: 2, max: 0.7 };

export function generate(seed: number): Program {
  const rng = new Prng(seed);
  const prog: Program = { seed, regions: [], nodes: [], parts: [], ops: [] };

  // Regions.
  const nRegions = rng.int(1, 3);
  for (let t = 0; t < nRegions; t++) {
    const dim = rng.chance(0.35) ? 2 : 1;
    let bounds: Box;
    if (dim === 1) {
      const lo = rng.chance(0.6) ? 0 : rng.int(-5, 5);
      bounds = { lo: [lo], hi: [lo + rng.int(4, 40) - 1] };
    } else {
      const lo = rng.chance(0.6) ? [0, 0] : [rng.int(-2, 2), rng.int(-2, 2)];
      bounds = { lo, hi: [lo[0] + rng.int(2, 8) - 1, lo[1] + rng.int(2, 8) - 1] };
    }
    const fields = Array.from({ length: rng.int(1, 3) }, () => rng.pick<FType>(['i32', 'i64', 'u32']));
    const node: NodeDecl = { id: prog.nodes.length, tree: t, dim, rects: [bounds] };
    prog.nodes.push(node);
    prog.regions.push({ tree: t, dim, bounds, fields, node: node.id });
  }

  // Partitions.
  const addPartition = (parentId: number, spec: PartSpec): PartDecl => {
    const parent = prog.nodes[parentId];
    const { colorSpace, children } = layout(parent, spec);
    const part: PartDecl = { id: prog.parts.length, node: parentId, spec, colorSpace, children: [], disjoint: isDisjoint(children) };
    prog.parts.push(part);
    points(colorSpace).forEach((color, i) => {
      const n: NodeDecl = { id: prog.nodes.length, tree: parent.tree, dim: parent.dim, rects: children[i], parent: { part: part.id, color } };
      prog.nodes.push(n);
      part.children.push(n.id);
    });
    return part;
  };
  // A random partition of a region of `tree` (or of one of its subregions);
  // a block partition with a halo sometimes comes with its disjoint twin.
  const randomPartition = (tree: number): PartDecl[] => {
    // Usually the root; sometimes a non-empty subregion (nested partition).
    const candidates = prog.nodes.filter((n) => n.tree === tree && n.parent && pointsOfRects(n.rects).length > 0);
    const parent = candidates.length && rng.chance(0.25) ? rng.pick(candidates) : prog.nodes[prog.regions[tree].node];
    const bounds = boundingBox(parent.rects, parent.dim);
    const extent = bounds.lo.map((l, d) => bounds.hi[d] - l + 1);
    const kind = rng.weighted({ equal: 3, blocks: 3, rects: 2 });
    if (kind === 'equal') {
      let colorSpace: Box;
      if (parent.dim === 2 && rng.chance(0.6)) {
        const lo = rng.chance(0.7) ? [0, 0] : [rng.int(-1, 2), rng.int(-1, 2)];
        colorSpace = { lo, hi: [lo[0] + rng.int(1, 3) - 1, lo[1] + rng.int(1, 3) - 1] };
      } else {
        const lo = rng.chance(0.7) ? 0 : rng.int(-2, 3);
        colorSpace = { lo: [lo], hi: [lo + rng.int(1, 5) - 1] };
      }
      return [addPartition(parent.id, { kind: 'equal', colorSpace })];
    } else if (kind === 'blocks') {
      const block = extent.map((e) => rng.int(Math.max(1, Math.ceil(e / (parent.dim === 1 ? 8 : 4))), e));
      const sym = rng.chance(0.6);
      const h = (): number => (rng.chance(0.4) ? 0 : rng.int(1, 2));
      const haloLo = extent.map(() => h());
      const haloHi = sym ? [...haloLo] : extent.map(() => h());
      const p = addPartition(parent.id, { kind: 'blocks', block, haloLo, haloHi });
      // A disjoint twin with the same blocks: the stencil pair (write disjoint, read halo).
      if (!p.disjoint && rng.chance(0.6)) return [p, addPartition(parent.id, { kind: 'blocks', block, haloLo: extent.map(() => 0), haloHi: extent.map(() => 0) })];
      return [p];
    } else {
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
      const rects: Box[][] = [];
      for (let c = 0; c < nColors; c++) {
        const first = randomRectIn(rng.pick(parent.rects));
        const list = [first];
        if (rng.chance(0.25)) {
          const second = randomRectIn(rng.pick(parent.rects));
          if (!rectsOverlap([first], [second])) list.push(second);
        }
        rects.push(list);
      }
      return [addPartition(parent.id, { kind: 'rects', rects })];
    }
  };
  for (const region of prog.regions) {
    const count = rng.int(1, 3);
    for (let i = 0; i < count; i++) randomPartition(region.tree);
  }

  const fieldsOf = (node: number): number[] => prog.regions[prog.nodes[node].tree].fields.map((_, i) => i);
  const randomNode = (): number => (rng.chance(0.3) ? prog.regions[rng.int(0, prog.regions.length - 1)].node : rng.int(0, prog.nodes.length - 1));
  const randomPriv = (): Priv => rng.weighted(PRIV_WEIGHTS);
  const variant = (): 'ts' | 'cpp' => (rng.chance(0.5) ? 'ts' : 'cpp');

  // Adds requirements made by `make` while they keep the op free of conflicts.
  const buildReqs = (pts: (number[] | undefined)[], first: ReqDecl | undefined, make: () => ReqDecl | undefined, max: number, min = 1): ReqDecl[] => {
    const reqs: ReqDecl[] = [];
    let accesses: Access[] = [];
    const tryAdd = (r: ReqDecl): boolean => {
      const next = [...accesses, ...accessesOf(prog, pts, r, reqs.length)];
      if (anyConflict(next)) return false;
      reqs.push(r);
      accesses = next;
      return true;
    };
    if (first) tryAdd(first);
    const want = rng.int(min, max);
    for (let attempt = 0; attempt < 12 && reqs.length < want; attempt++) {
      const r = make();
      if (r) tryAdd(r);
    }
    return reqs;
  };

  // Offsets o (each coordinate in -2..2) with domain + o inside the color space.
  const validOffsets = (domain: Box, cs: Box): number[][] => {
    if (cs.lo.length !== domain.lo.length) return [];
    const per = domain.lo.map((_, d) => [-2, -1, 0, 1, 2].filter((o) => domain.lo[d] + o >= cs.lo[d] && domain.hi[d] + o <= cs.hi[d]));
    if (per.some((xs) => xs.length === 0)) return [];
    return per.length === 1 ? per[0].map((o) => [o]) : per[0].flatMap((a) => per[1].map((b) => [a, b]));
  };
  const partReq = (domain: Box, part: PartDecl, fields: number[], priv: Priv): ReqDecl | undefined => {
    const offs = validOffsets(domain, part.colorSpace);
    if (!offs.length) return undefined;
    const zero = offs.find((o) => o.every((x) => x === 0));
    const offset = zero && rng.chance(0.7) ? zero : rng.pick(offs);
    return { part: part.id, offset: offset.every((x) => x === 0) ? undefined : offset, fields, priv };
  };

  const nOps = rng.int(5, 25);
  for (let i = 0; i < nOps; i++) {
    const kind = rng.weighted({ fill: 12, task: 28, index: 42, map: 9, fence: 2, partition: 3 });
    if (kind === 'fence') {
      prog.ops.push({ kind: 'fence' });
    } else if (kind === 'partition') {
      // Created while earlier operations may still run.
      const parts = randomPartition(rng.int(0, prog.regions.length - 1));
      for (const p of parts) p.op = prog.ops.length;
      prog.ops.push({ kind: 'partition', parts: parts.map((p) => p.id) });
    } else if (kind === 'fill') {
      const node = randomNode();
      const fields = rng.subset(fieldsOf(node));
      const types = fields.map((f) => prog.regions[prog.nodes[node].tree].fields[f]);
      let value = rng.int(0, 0x7fffffff);
      let bigint = false;
      if (types.every((t) => t === 'i32') && rng.chance(0.3)) value = rng.int(-0x80000000, -1);
      else if (types.every((t) => t === 'u32') && rng.chance(0.3)) value = rng.int(0x80000000, 0xffffffff);
      else if (types.every((t) => t === 'i64') && rng.chance(0.4)) {
        value = rng.int(-(2 ** 20), 2 ** 20) * 2 ** 20 + rng.int(0, 2 ** 20 - 1);
        bigint = rng.chance(0.5);
      }
      prog.ops.push({ kind: 'fill', node, fields, value, bigint });
    } else if (kind === 'map') {
      const node = randomNode();
      prog.ops.push({ kind: 'map', node, fields: rng.subset(fieldsOf(node)), write: rng.chance(0.4), deferred: rng.chance(0.4) });
    } else if (kind === 'task') {
      const reqs = buildReqs([undefined], undefined, () => {
        const node = randomNode();
        return { node, fields: rng.subset(fieldsOf(node)), priv: randomPriv() };
      }, 3);
      if (reqs.length) prog.ops.push({ kind: 'task', variant: variant(), reqs });
    } else {
      const part = rng.pick(prog.parts);
      const cs = part.colorSpace;
      const domain: Box = rng.chance(0.6)
        ? { lo: [...cs.lo], hi: [...cs.hi] }
        : (() => {
            const lo: number[] = [];
            const hi: number[] = [];
            for (let d = 0; d < cs.lo.length; d++) {
              const a = rng.int(cs.lo[d], cs.hi[d]);
              const b = rng.int(cs.lo[d], cs.hi[d]);
              lo.push(Math.min(a, b));
              hi.push(Math.max(a, b));
            }
            return { lo, hi };
          })();
      // Stencil shape: write a disjoint block partition, read the aliased
      // halo twin (same blocks) through another field.
      const twins = prog.parts
        .filter((q) => q.spec.kind === 'blocks' && !q.disjoint && fieldsOf(q.node).length >= 2)
        .flatMap((h) =>
          prog.parts
            .filter((q) => q.node === h.node && q.spec.kind === 'blocks' && q.disjoint && q.spec.block.join() === (h.spec as { block: number[] }).block.join())
            .map((dj) => [dj, h] as const),
        );
      const stencil = twins.length && rng.chance(0.3) ? rng.pick(twins) : undefined;
      const dom = stencil ? { lo: [...stencil[0].colorSpace.lo], hi: [...stencil[0].colorSpace.hi] } : domain;
      const pts = points(dom);
      const sameDim = prog.parts.filter((q) => q.colorSpace.lo.length === dom.lo.length);
      const makeOther = (): ReqDecl | undefined => {
        if (rng.chance(0.15)) {
          const node = randomNode();
          return { node, fields: rng.subset(fieldsOf(node)), priv: rng.weighted({ ro: 4, sum: 2, max: 0.5, rw: 0.5, wd: 0.5 }) };
        }
        const q = rng.pick(sameDim);
        return partReq(dom, q, rng.subset(fieldsOf(q.node)), randomPriv());
      };
      let reqs: ReqDecl[];
      if (stencil) {
        const [dj, halo] = stencil;
        const fs = fieldsOf(dj.node);
        const f = rng.pick(fs);
        const g = rng.pick(fs.filter((x) => x !== f));
        const write: ReqDecl = { part: dj.id, fields: [f], priv: rng.pick<Priv>(['rw', 'wd']) };
        const read: ReqDecl = { part: halo.id, fields: [g], priv: 'ro' };
        let second = false;
        reqs = buildReqs(pts, write, () => {
          if (second) return makeOther();
          second = true;
          return read;
        }, 3, 2);
      } else {
        reqs = buildReqs(pts, partReq(dom, part, rng.subset(fieldsOf(part.node)), randomPriv()), makeOther, 3);
      }
      if (reqs.length) prog.ops.push({ kind: 'index', variant: variant(), domain: dom, reqs });
    }
  }
  return prog;
}

// -------------------------------------------------------------- formatting

export function nodeName(prog: Program, id: number): string {
  const n = prog.nodes[id];
  return n.parent ? `P${n.parent.part}[${fmtPoint(n.parent.color)}]` : `R${n.tree}`;
}

function fieldList(fields: number[]): string {
  return fields.map((f) => `f${f}`).join(',');
}

function reqText(prog: Program, r: ReqDecl): string {
  const target = r.node !== undefined ? nodeName(prog, r.node) : `P${r.part}` + (r.offset ? `+${fmtPoint(r.offset)}` : '');
  return `${r.priv} ${target}.${fieldList(r.fields)}`;
}

/** The program, one declaration or operation per line. */
export function formatProgram(prog: Program): string {
  const lines: string[] = [`program seed=${prog.seed}`];
  for (const r of prog.regions) lines.push(`  R${r.tree} = region ${fmtBox(r.bounds)} {${r.fields.map((t, i) => `f${i}:${t}`).join(', ')}}`);
  for (const p of prog.parts) {
    const s = p.spec;
    const what =
      s.kind === 'equal'
        ? `equal(${nodeName(prog, p.node)}, colors ${fmtBox(s.colorSpace)})`
        : s.kind === 'blocks'
          ? `blocks(${nodeName(prog, p.node)}, block ${fmtPoint(s.block)}, halo ${fmtPoint(s.haloLo)}/${fmtPoint(s.haloHi)})`
          : `rects(${nodeName(prog, p.node)}, ${s.rects.map((rs) => rs.map(fmtBox).join('+')).join(' ')})`;
    const kids = p.children.map((c, i) => `${i}:${prog.nodes[c].rects.map(fmtBox).join('+') || '{}'}`).join(' ');
    lines.push(`  P${p.id} = ${what} ${p.disjoint ? 'disjoint' : 'aliased'}${p.op !== undefined ? ` (created by #${p.op})` : ''}; ${kids}`);
  }
  prog.ops.forEach((op, i) => {
    let s: string;
    switch (op.kind) {
      case 'fill':
        s = `fill ${nodeName(prog, op.node)}.${fieldList(op.fields)} = ${op.value}${op.bigint ? 'n' : ''}`;
        break;
      case 'task':
        s = `task/${op.variant} ${op.reqs.map((r) => reqText(prog, r)).join('; ')}`;
        break;
      case 'index':
        s = `index/${op.variant} ${fmtBox(op.domain)} ${op.reqs.map((r) => reqText(prog, r)).join('; ')}`;
        break;
      case 'map':
        s = `map${op.deferred ? '(deferred)' : ''} ${op.write ? 'rw' : 'ro'} ${nodeName(prog, op.node)}.${fieldList(op.fields)}`;
        break;
      case 'fence':
        s = 'fence';
        break;
      case 'partition':
        s = `create ${op.parts.map((p) => `P${p}`).join(', ')}`;
        break;
    }
    lines.push(`  #${i} ${s}`);
  });
  return lines.join('\n');
}

