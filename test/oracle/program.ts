/**
 * The oracle's programs as plain data: regions (possibly empty),
 * partitions (equal, blocks with halos, explicit possibly-overlapping or
 * empty rects, nested) and a sequence of operations: fills, single and
 * index launches (futures passed between them), inline mappings, fences,
 * traces (a recorded body replayed n times), and nested TS parents that
 * launch children. Everything derives from one seed (generate.ts), so a
 * program can be printed (format.ts), re-generated and interpreted
 * without the runtime. This file holds the types and the geometry of
 * partitions, shared by the generator, the interpreter and the runner.
 */
import { Box, boundingBox, fmtPoint, intersect, isEmpty, linear, points, rectsOverlap } from './geometry';

export type FType = 'i32' | 'i64' | 'u32';
export type Redop = 'sum' | 'max' | 'min' | 'prod';
export type Priv = 'ro' | 'rw' | 'wd' | Redop;
export const REDOPS: readonly Redop[] = ['sum', 'max', 'min', 'prod'];
export const isRedop = (p: Priv): p is Redop => (REDOPS as readonly string[]).includes(p);

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
  /** Atomic coherence (the generator keeps the result independent of the order atomic tasks run in). */
  atomic?: boolean;
}

/** The result future of an earlier launch (a point of it for an index launch), by the launch's uid. */
export interface FutureRef {
  uid: number;
  point?: number[];
}

/**
 * A launch of the oracle kernel; `uid` is unique in the program and is the
 * descriptor's op number. `delay`: microseconds its C++ variant waits first
 * (see oracle_kernels.cc), to shuffle the order in which tasks finish.
 */
export type TaskOp = {
  kind: 'task';
  uid: number;
  variant: 'ts' | 'cpp';
  reqs: ReqDecl[];
  futures: FutureRef[];
  delay?: number;
};
export type IndexOp = {
  kind: 'index';
  uid: number;
  variant: 'ts' | 'cpp';
  domain: Box;
  reqs: ReqDecl[];
  futures: FutureRef[];
  delay?: number;
};
export type LaunchOp = TaskOp | IndexOp;
export type FillOp = { kind: 'fill'; node: number; fields: number[]; value: number; bigint: boolean };

/**
 * A TS parent task: it runs the kernel on its own requirements first (when
 * `own`), then launches its children in order (awaiting those marked
 * `await` before the next), waits for all of them and returns
 * [own digest or null, one outcome per child launched].
 */
export type NestedOp = { kind: 'nested'; uid: number; reqs: ReqDecl[]; own: boolean; children: Child[] };

/**
 * A child of a nested parent. `violation` says why its requirements are
 * not a subset of its parent's: its launch must fail, it has no effect, and
 * the parent launches nothing after it.
 */
export type Child = (LaunchOp | NestedOp) & { await: boolean; violation?: string };

export type Op =
  | FillOp
  | LaunchOp
  | NestedOp
  | { kind: 'map'; node: number; fields: number[]; write: boolean; deferred: boolean }
  | { kind: 'fence' }
  | { kind: 'partition'; parts: number[] }
  /** rt.trace(body) (the body runs once, recorded), then trace.replay(times). */
  | { kind: 'trace'; body: (LaunchOp | FillOp)[]; times: number }
  /** Another trace.replay(times) of the trace recorded by op #trace. */
  | { kind: 'replay'; trace: number; times: number };

export interface Program {
  seed: number;
  /** Run in a runtime started with checks: true. */
  checks: boolean;
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
  return {
    colorSpace: { lo: [0], hi: [spec.rects.length - 1] },
    children: spec.rects.map((rs) => rs.filter((r) => !isEmpty(r)).map((r) => ({ lo: [...r.lo], hi: [...r.hi] }))),
  };
}

export function isDisjoint(children: Box[][]): boolean {
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
export function launchPoints(op: LaunchOp | NestedOp): (number[] | undefined)[] {
  return op.kind === 'index' ? points(op.domain) : [undefined];
}

export function fieldsOf(prog: Program, node: number): number[] {
  return prog.regions[prog.nodes[node].tree].fields.map((_, i) => i);
}

/** The node's points lie in `ancestor`'s subtree (or it is `ancestor`). */
export function isDescendant(prog: Program, node: number, ancestor: number): boolean {
  let n: number | undefined = node;
  while (n !== undefined) {
    if (n === ancestor) return true;
    const up: NodeDecl['parent'] = prog.nodes[n].parent;
    n = up ? prog.parts[up.part].node : undefined;
  }
  return false;
}

export function nodeName(prog: Program, id: number): string {
  const n = prog.nodes[id];
  return n.parent ? `P${n.parent.part}[${fmtPoint(n.parent.color)}]` : `R${n.tree}`;
}
