/**
 * The sequential oracle: runs a program's operations one after another, in
 * program order, on plain arrays (one per region field, row-major over the
 * region's bounds). Index launches run their points in row-major order; the
 * generator guarantees that no order could give another result. A trace
 * runs its body 1 + times times (a replay, times more); a nested parent
 * runs its own kernel, then its children in order, and a child that
 * violates its parent's privileges has no effect and ends the parent.
 */
import { linear, pointKey, pointsOfRects } from './geometry';
import { encodeDesc, fieldOfTag, KDesc, mapWriteValue, MODE, runKernel, tagOf, treeOfTag } from './kernel';
import { FillOp, FType, FutureRef, launchPoints, LaunchOp, NestedOp, nodeAt, Op, Program, ReqDecl } from './program';

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

/** The kernel descriptor of a launch (or a nested parent's own kernel) at launch point p (undefined for a single launch). */
export function kernelDesc(prog: Program, op: LaunchOp | NestedOp, p: number[] | undefined): KDesc {
  return {
    op: op.uid,
    futures: op.kind === 'nested' ? 0 : op.futures.length,
    delay: op.kind === 'nested' ? 0 : (op.delay ?? 0),
    reqs: op.reqs.map((r) => {
      const node = prog.nodes[nodeAt(prog, r, p)];
      return { mode: MODE[r.priv], dim: node.dim, tags: r.fields.map((f) => tagOf(node.tree, f)), rects: node.rects };
    }),
  };
}

export function encodedKernelDesc(prog: Program, op: LaunchOp | NestedOp, p: number[] | undefined): Int32Array {
  return encodeDesc(kernelDesc(prog, op, p));
}

export function futureKey(f: FutureRef): string {
  return f.point ? `${f.uid}@${pointKey(f.point)}` : `${f.uid}`;
}

/** What a nested parent returns, as the interpreter expects it. */
export interface NestedExpect {
  own: number | null;
  children: ChildExpect[];
}
export type ChildExpect =
  | { kind: 'task'; digest: number }
  | { kind: 'index'; digests: number[] }
  | { kind: 'nested'; result: NestedExpect }
  | { kind: 'violation'; req: ReqDecl; why: string };

export class Interpreter {
  /** state[tree][field][linear index over the region's bounds] */
  readonly state: number[][][];
  /** The latest digest of each launch (point), by futureKey: the values of their futures. */
  private readonly digests = new Map<string, number>();

  constructor(readonly prog: Program) {
    this.state = prog.regions.map((r) =>
      r.fields.map(() => new Array<number>(pointsOfRects([r.bounds]).length).fill(0)),
    );
  }

  get(tree: number, field: number, c: readonly number[]): number {
    const r = this.prog.regions[tree];
    return this.state[tree][field][linear(r.bounds, c)];
  }

  set(tree: number, field: number, c: readonly number[], v: number): void {
    const r = this.prog.regions[tree];
    this.state[tree][field][linear(r.bounds, c)] = wrap(r.fields[field], v);
  }

  fill(op: FillOp): void {
    const node = this.prog.nodes[op.node];
    for (const f of op.fields) for (const c of pointsOfRects(node.rects)) this.set(node.tree, f, c, op.value);
  }

  private kernel(op: LaunchOp | NestedOp, p: number[] | undefined): number {
    const d = kernelDesc(this.prog, op, p);
    const futures = op.kind === 'nested' ? [] : op.futures.map((f) => this.futureValue(f));
    return runKernel(
      d,
      p,
      {
        get: (r, k, c) => this.get(treeOfTag(d.reqs[r].tags[k]), fieldOfTag(d.reqs[r].tags[k]), c),
        set: (r, k, c, v) => this.set(treeOfTag(d.reqs[r].tags[k]), fieldOfTag(d.reqs[r].tags[k]), c, v),
      },
      futures,
    );
  }

  futureValue(f: FutureRef): number {
    const v = this.digests.get(futureKey(f));
    if (v === undefined) throw new Error(`oracle: future of @${futureKey(f)} taken before that launch ran`);
    return v;
  }

  /** Runs a launch; returns each point's digest (row-major; one for a single launch). */
  launch(op: LaunchOp): number[] {
    return launchPoints(op).map((p) => {
      const g = this.kernel(op, p);
      this.digests.set(futureKey({ uid: op.uid, point: p }), g);
      return g;
    });
  }

  /** Runs a trace body once; returns the digests of its launches (row-major points), in body order. */
  body(body: readonly (LaunchOp | FillOp)[]): number[][] {
    return body.map((op) => {
      if (op.kind === 'fill') {
        this.fill(op);
        return [];
      }
      return this.launch(op);
    });
  }

  /** A recorded trace and its replays; returns the digests of the recorded iteration. */
  trace(op: Extract<Op, { kind: 'trace' }>): number[][] {
    const first = this.body(op.body);
    for (let k = 0; k < op.times; k++) this.body(op.body);
    return first;
  }

  replay(op: Extract<Op, { kind: 'replay' }>): void {
    const t = this.prog.ops[op.trace];
    if (t.kind !== 'trace') throw new Error('oracle: replay of an op that is not a trace');
    for (let k = 0; k < op.times; k++) this.body(t.body);
  }

  /** A nested parent: its own kernel, then its children until the first violation. */
  nested(op: NestedOp): NestedExpect {
    const own = op.own ? this.kernel(op, undefined) : null;
    const children: ChildExpect[] = [];
    for (const c of op.children) {
      if (c.violation) {
        children.push({ kind: 'violation', req: c.reqs[0], why: c.violation });
        break;
      }
      if (c.kind === 'nested') children.push({ kind: 'nested', result: this.nested(c) });
      else if (c.kind === 'task') children.push({ kind: 'task', digest: this.launch(c)[0] });
      else children.push({ kind: 'index', digests: this.launch(c) });
    }
    return { own, children };
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
    for (const f of op.fields)
      for (const c of pointsOfRects(n.rects))
        this.set(n.tree, f, c, mapWriteValue(opIndex, tagOf(n.tree, f), c, this.get(n.tree, f, c)));
  }
}
