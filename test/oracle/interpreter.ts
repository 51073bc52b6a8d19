/**
 * The sequential oracle: runs a program's operations one after another, in
 * program order, on plain arrays (one per region field, row-major over the
 * region's bounds). Index launches run their points in row-major order; the
 * generator guarantees that no order could give another result.
 */
import { linear, pointsOfRects } from './geometry';
import { encodeDesc, fieldOfTag, KDesc, mapWriteValue, MODE, runKernel, tagOf, treeOfTag } from './kernel';
import { FType, launchPoints, nodeAt, Op, Program } from './program';

/** Wraps an integer to a field type (what a store into the typed array does). */
export function wrap(type: FType, v: number): number {
  if (!Number.isSafeInteger(v)) throw new Error(`oracle: value ${v} is not an exact integer`);
  switch (type) {
    case 'i32':
      return Number(BigInt.asIntN(32, BigInt(v)));
    case 'u32':
      return Number(BigInt.asUintN(32, BigInt(v)));
    case 'i64':
      return v;
  }
}

/** The kernel descriptor of a launch op at launch point p (undefined for a single launch). */
export function kernelDesc(prog: Program, op: Extract<Op, { kind: 'task' | 'index' }>, opIndex: number, p: number[] | undefined): KDesc {
  return {
    op: opIndex,
    reqs: op.reqs.map((r) => {
      const node = prog.nodes[nodeAt(prog, r, p)];
      return { mode: MODE[r.priv], dim: node.dim, tags: r.fields.map((f) => tagOf(node.tree, f)), rects: node.rects };
    }),
  };
}

export function encodedKernelDesc(prog: Program, op: Extract<Op, { kind: 'task' | 'index' }>, opIndex: number, p: number[] | undefined): Int32Array {
  return encodeDesc(kernelDesc(prog, op, opIndex, p));
}

export class Interpreter {
  /** state[tree][field][linear index over the region's bounds] */
  readonly state: number[][][];

  constructor(readonly prog: Program) {
    this.state = prog.regions.map((r) => r.fields.map(() => new Array<number>(pointsOfRects([r.bounds]).length).fill(0)));
  }

  get(tree: number, field: number, c: readonly number[]): number {
    const r = this.prog.regions[tree];
    return this.state[tree][field][linear(r.bounds, c)];
  }

  set(tree: number, field: number, c: readonly number[], v: number): void {
    const r = this.prog.regions[tree];
    this.state[tree][field][linear(r.bounds, c)] = wrap(r.fields[field], v);
  }

  fill(op: Extract<Op, { kind: 'fill' }>): void {
    const node = this.prog.nodes[op.node];
    for (const f of op.fields) for (const c of pointsOfRects(node.rects)) this.set(node.tree, f, c, op.value);
  }

  /** Runs a launch; returns each point's digest (row-major; one for a single launch). */
  launch(op: Extract<Op, { kind: 'task' | 'index' }>, opIndex: number): number[] {
    return launchPoints(op).map((p) => {
      const d = kernelDesc(this.prog, op, opIndex, p);
      return runKernel(d, p, {
        get: (r, k, c) => this.get(treeOfTag(d.reqs[r].tags[k]), fieldOfTag(d.reqs[r].tags[k]), c),
        set: (r, k, c, v) => this.set(treeOfTag(d.reqs[r].tags[k]), fieldOfTag(d.reqs[r].tags[k]), c, v),
      });
    });
  }

  /** What an inline mapping of the op's node sees: [field, point, value] for each of its elements. */
  snapshot(node: number, fields: number[]): [number, number[], number][] {
    const n = this.prog.nodes[node];
    const out: [number, number[], number][] = [];
    for (const f of fields) for (const c of pointsOfRects(n.rects)) out.push([f, c, this.get(n.tree, f, c)]);
    return out;
  }

  /** The writes of a read-write inline mapping. */
  mapWrite(op: Extract<Op, { kind: 'map' }>, opIndex: number): void {
    const n = this.prog.nodes[op.node];
    for (const f of op.fields) for (const c of pointsOfRects(n.rects)) this.set(n.tree, f, c, mapWriteValue(opIndex, tagOf(n.tree, f), c, this.get(n.tree, f, c)));
  }
}
