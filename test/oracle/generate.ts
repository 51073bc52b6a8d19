/**
 * The oracle's program generator: from one seed, regions and partitions
 * (regions-gen.ts), then a sequence of top-level operations. Launches get
 * requirements of every privilege (sometimes atomic), and futures of
 * earlier launches; traces (trace-gen.ts) and nested parents
 * (nested-gen.ts) are built from the same pieces. The generator never emits
 * an operation the runtime must reject, nor a program whose result depends
 * on the order in which the runtime may run things (see access.ts); a
 * nested child that is not a subset of its parent is deliberate and marked.
 */
import { accessesOf, accessesOfReqs, Access, anyConflict, atomicOk, Step } from './access';
import { Box, points } from './geometry';
import { nestedOp } from './nested-gen';
import {
  FillOp,
  FutureRef,
  IndexOp,
  LaunchOp,
  NestedOp,
  Op,
  PartDecl,
  Priv,
  Program,
  ReqDecl,
  TaskOp,
  fieldsOf,
} from './program';
import { Prng } from './prng';
import { addPartitions, addRegions, randomPartition } from './regions-gen';
import { replayOp, traceOp } from './trace-gen';

const PRIV_WEIGHTS: Record<Priv, number> = { ro: 3, rw: 3, wd: 2, sum: 2, max: 0.7, min: 0.6, prod: 0.6 };

/** Options of the generator (environment switches of the test). */
export interface GenOptions {
  /**
   * Let nested parents hold reduction or atomic requirements. Off by
   * default: a child that reduces (or is atomic) where its parent does
   * waits for a lock its parent holds until the child is done, and the
   * program hangs on the current runtime.
   */
  parentLocks?: boolean;
  /** Kinds of things not to generate (to tell failures apart): see FEATURES. */
  without?: ReadonlySet<Feature>;
}

/** What COHORT_ORACLE_WITHOUT can turn off. */
export const FEATURES = ['traces', 'nested', 'violations', 'empty', 'atomic', 'futures', 'checks'] as const;
export type Feature = (typeof FEATURES)[number];

/** The state of one program's generation, shared by the generators of each kind of operation. */
export class Gen {
  readonly rng: Prng;
  readonly prog: Program;
  /** Top-level program order (for atomic coherence, access.ts). */
  readonly history: Step[] = [];
  /** Futures later top-level launches may take. */
  readonly topFutures: FutureRef[] = [];
  /** When set, requirements prefer this region tree (a trace body's launches then depend on each other). */
  focus: number | undefined;
  private nextUid = 1;

  constructor(
    seed: number,
    readonly options: GenOptions,
  ) {
    this.rng = new Prng(seed);
    this.prog = { seed, checks: false, regions: [], nodes: [], parts: [], ops: [] };
  }

  has(f: Feature): boolean {
    return !this.options.without?.has(f);
  }

  uid(): number {
    return this.nextUid++;
  }

  fieldsOf(node: number): number[] {
    return fieldsOf(this.prog, node);
  }

  randomNode(): number {
    const { rng, prog } = this;
    if (this.focus !== undefined && rng.chance(0.8))
      return rng.pick(prog.nodes.filter((n) => n.tree === this.focus)).id;
    return rng.chance(0.3) ? prog.regions[rng.int(0, prog.regions.length - 1)].node : rng.int(0, prog.nodes.length - 1);
  }

  randomPart(dim?: number): PartDecl | undefined {
    const { rng, prog } = this;
    const all = prog.parts.filter((p) => dim === undefined || p.colorSpace.lo.length === dim);
    if (!all.length) return undefined;
    const focused = all.filter((p) => prog.nodes[p.node].tree === this.focus);
    return focused.length && rng.chance(0.8) ? rng.pick(focused) : rng.pick(all);
  }

  randomPriv(weights: Partial<Record<Priv, number>> = PRIV_WEIGHTS): Priv {
    return this.rng.weighted(weights as Record<Priv, number>);
  }

  variant(): 'ts' | 'cpp' {
    return this.rng.chance(0.5) ? 'ts' : 'cpp';
  }

  /** Adds requirements made by `make` while they keep the op free of conflicts. */
  buildReqs(
    pts: (number[] | undefined)[],
    first: ReqDecl | undefined,
    make: () => ReqDecl | undefined,
    max: number,
    min = 1,
  ): ReqDecl[] {
    const reqs: ReqDecl[] = [];
    let accesses: Access[] = [];
    const tryAdd = (r: ReqDecl): boolean => {
      const next = [...accesses, ...accessesOf(this.prog, pts, r, reqs.length)];
      if (anyConflict(next)) return false;
      reqs.push(r);
      accesses = next;
      return true;
    };
    if (first) tryAdd(first);
    const want = this.rng.int(min, max);
    for (let attempt = 0; attempt < 12 && reqs.length < want; attempt++) {
      const r = make();
      if (r) tryAdd(r);
    }
    return reqs;
  }

  /** A requirement on `part` for an index launch over `domain` (identity or an offset projection), if one fits. */
  partReq(domain: Box, part: PartDecl, fields: number[], priv: Priv): ReqDecl | undefined {
    const offs = validOffsets(domain, part.colorSpace);
    if (!offs.length) return undefined;
    const zero = offs.find((o) => o.every((x) => x === 0));
    const offset = zero && this.rng.chance(0.7) ? zero : this.rng.pick(offs);
    return { part: part.id, offset: offset.every((x) => x === 0) ? undefined : offset, fields, priv };
  }

  /** The colour space of `part`, or a random sub-box of it. */
  randomDomain(part: PartDecl): Box {
    const cs = part.colorSpace;
    if (this.rng.chance(0.6)) return { lo: [...cs.lo], hi: [...cs.hi] };
    const lo: number[] = [];
    const hi: number[] = [];
    for (let d = 0; d < cs.lo.length; d++) {
      const a = this.rng.int(cs.lo[d], cs.hi[d]);
      const b = this.rng.int(cs.lo[d], cs.hi[d]);
      lo.push(Math.min(a, b));
      hi.push(Math.max(a, b));
    }
    return { lo, hi };
  }

  /** Marks some requirements atomic (probability p each). */
  maybeAtomic(reqs: ReqDecl[], p: number): void {
    if (!this.has('atomic')) return;
    for (const r of reqs) if (this.rng.chance(p)) r.atomic = true;
  }

  /** Sometimes a delay for a C++ launch (probability p): tasks then finish in shuffled orders. */
  maybeDelay(op: LaunchOp, p: number): void {
    if (op.variant === 'cpp' && this.rng.chance(p)) op.delay = this.rng.int(20, 400);
  }

  /** Up to two futures from `refs` (with probability p of any). */
  pickFutures(refs: readonly FutureRef[], p: number): FutureRef[] {
    if (!refs.length || !this.rng.chance(p) || !this.has('futures')) return [];
    return Array.from({ length: this.rng.int(1, 2) }, () => this.rng.pick(refs));
  }

  /** The program-order step of an operation. */
  step(op: LaunchOp | NestedOp | FillOp | Extract<Op, { kind: 'map' }>): Step {
    const prog = this.prog;
    switch (op.kind) {
      case 'fill':
        return { accesses: accessesOf(prog, [undefined], { node: op.node, fields: op.fields, priv: 'wd' }, 0) };
      case 'map':
        return {
          accesses: accessesOf(
            prog,
            [undefined],
            { node: op.node, fields: op.fields, priv: op.write ? 'rw' : 'ro' },
            0,
          ),
        };
      case 'nested':
        return { accesses: accessesOfReqs(prog, [undefined], op.reqs) };
      default:
        return { accesses: accessesOfReqs(prog, op.kind === 'index' ? points(op.domain) : [undefined], op.reqs) };
    }
  }

  /** The op's step if `ok` accepts it; otherwise its atomic flags are dropped first (a non-atomic step is always fine). */
  settleAtomic(op: LaunchOp | NestedOp, ok: (s: Step) => boolean): Step {
    const s = this.step(op);
    if (ok(s)) return s;
    for (const r of op.reqs) delete r.atomic;
    return this.step(op);
  }

  /** The futures a launch's result offers to later launches. */
  futureRefs(op: LaunchOp): FutureRef[] {
    return op.kind === 'task' ? [{ uid: op.uid }] : points(op.domain).map((p) => ({ uid: op.uid, point: p }));
  }

  /** A single launch on random nodes (undefined when no requirement fits). */
  taskOp(futures: readonly FutureRef[], pFutures: number, privs?: Partial<Record<Priv, number>>): TaskOp | undefined {
    const reqs = this.buildReqs(
      [undefined],
      undefined,
      () => {
        const node = this.randomNode();
        return { node, fields: this.rng.subset(this.fieldsOf(node)), priv: this.randomPriv(privs) };
      },
      3,
    );
    if (!reqs.length) return undefined;
    return {
      kind: 'task',
      uid: this.uid(),
      variant: this.variant(),
      reqs,
      futures: this.pickFutures(futures, pFutures),
    };
  }

  /** An index launch over a random partition's colours (undefined when no requirement fits). */
  indexOp(futures: readonly FutureRef[], pFutures: number, privs?: Partial<Record<Priv, number>>): IndexOp | undefined {
    const { rng, prog } = this;
    const part = this.randomPart();
    if (!part) return undefined;
    // Stencil shape: write a disjoint block partition, read the aliased
    // halo twin (same blocks) through another field.
    const twins = prog.parts
      .filter((q) => q.spec.kind === 'blocks' && !q.disjoint && this.fieldsOf(q.node).length >= 2)
      .flatMap((h) =>
        prog.parts
          .filter(
            (q) =>
              q.node === h.node &&
              q.spec.kind === 'blocks' &&
              q.disjoint &&
              q.spec.block.join() === (h.spec as { block: number[] }).block.join(),
          )
          .map((dj) => [dj, h] as const),
      );
    const writes = !privs || (privs.rw ?? 0) + (privs.wd ?? 0) > 0;
    const stencil = twins.length && writes && rng.chance(0.3) ? rng.pick(twins) : undefined;
    const dom = stencil
      ? { lo: [...stencil[0].colorSpace.lo], hi: [...stencil[0].colorSpace.hi] }
      : this.randomDomain(part);
    const pts = points(dom);
    const makeOther = (): ReqDecl | undefined => {
      if (rng.chance(0.15)) {
        const node = this.randomNode();
        return {
          node,
          fields: rng.subset(this.fieldsOf(node)),
          priv: privs
            ? this.randomPriv(privs)
            : rng.weighted({ ro: 4, sum: 2, max: 0.5, min: 0.3, prod: 0.3, rw: 0.5, wd: 0.5 }),
        };
      }
      const q = this.randomPart(dom.lo.length)!;
      return this.partReq(dom, q, rng.subset(this.fieldsOf(q.node)), this.randomPriv(privs));
    };
    let reqs: ReqDecl[];
    if (stencil) {
      const [dj, halo] = stencil;
      const fs = this.fieldsOf(dj.node);
      const f = rng.pick(fs);
      const g = rng.pick(fs.filter((x) => x !== f));
      const write: ReqDecl = { part: dj.id, fields: [f], priv: rng.pick<Priv>(['rw', 'wd']) };
      const read: ReqDecl = { part: halo.id, fields: [g], priv: 'ro' };
      let second = false;
      reqs = this.buildReqs(
        pts,
        write,
        () => {
          if (second) return makeOther();
          second = true;
          return read;
        },
        3,
        2,
      );
    } else {
      reqs = this.buildReqs(
        pts,
        this.partReq(dom, part, rng.subset(this.fieldsOf(part.node)), this.randomPriv(privs)),
        makeOther,
        3,
      );
    }
    if (!reqs.length) return undefined;
    return {
      kind: 'index',
      uid: this.uid(),
      variant: this.variant(),
      domain: dom,
      reqs,
      futures: this.pickFutures(futures, pFutures),
    };
  }

  fillOp(): FillOp {
    const { rng, prog } = this;
    const node = this.randomNode();
    const fields = rng.subset(this.fieldsOf(node));
    const types = fields.map((f) => prog.regions[prog.nodes[node].tree].fields[f]);
    let value = rng.int(0, 0x7fffffff);
    let bigint = false;
    if (types.every((t) => t === 'i32') && rng.chance(0.3)) value = rng.int(-0x80000000, -1);
    else if (types.every((t) => t === 'u32') && rng.chance(0.3)) value = rng.int(0x80000000, 0xffffffff);
    else if (types.every((t) => t === 'i64') && rng.chance(0.4)) {
      value = rng.int(-(2 ** 20), 2 ** 20) * 2 ** 20 + rng.int(0, 2 ** 20 - 1);
      bigint = rng.chance(0.5);
    }
    return { kind: 'fill', node, fields, value, bigint };
  }

  /** Appends a top-level operation (and its steps) to the program. */
  push(op: Op, steps: Step[]): void {
    this.prog.ops.push(op);
    this.history.push(...steps);
  }
}

// Offsets o (each coordinate in -2..2) with domain + o inside the color space.
function validOffsets(domain: Box, cs: Box): number[][] {
  if (cs.lo.length !== domain.lo.length) return [];
  const per = domain.lo.map((_, d) =>
    [-2, -1, 0, 1, 2].filter((o) => domain.lo[d] + o >= cs.lo[d] && domain.hi[d] + o <= cs.hi[d]),
  );
  if (per.some((xs) => xs.length === 0)) return [];
  return per.length === 1 ? per[0].map((o) => [o]) : per[0].flatMap((a) => per[1].map((b) => [a, b]));
}

export function generate(seed: number, options: GenOptions = {}): Program {
  const g = new Gen(seed, options);
  const { rng, prog } = g;
  prog.checks = rng.chance(0.2) && g.has('checks');
  addRegions(rng, prog, g.has('empty'));
  addPartitions(rng, prog, g.has('empty'));

  const nOps = rng.int(5, 25);
  for (let i = 0; i < nOps; i++) {
    const traces = prog.ops.flatMap((op, k) => (op.kind === 'trace' ? [k] : []));
    const kind = rng.weighted({
      fill: 12,
      task: 26,
      index: 38,
      map: 9,
      fence: 2,
      partition: 3,
      trace: g.has('traces') ? 6 : 0,
      replay: traces.length ? 2 : 0,
      nested: g.has('nested') ? 7 : 0,
    });
    if (kind === 'fence') {
      g.push({ kind: 'fence' }, [{ accesses: [], barrier: true }]);
    } else if (kind === 'partition') {
      // Created while earlier operations may still run.
      const parts = randomPartition(rng, prog, rng.int(0, prog.regions.length - 1), g.has('empty'));
      for (const p of parts) p.op = prog.ops.length;
      g.push({ kind: 'partition', parts: parts.map((p) => p.id) }, []);
    } else if (kind === 'fill') {
      const op = g.fillOp();
      g.push(op, [g.step(op)]);
    } else if (kind === 'map') {
      const node = g.randomNode();
      const op: Op = {
        kind: 'map',
        node,
        fields: rng.subset(g.fieldsOf(node)),
        write: rng.chance(0.4),
        deferred: rng.chance(0.4),
      };
      g.push(op, [g.step(op)]);
    } else if (kind === 'task' || kind === 'index') {
      const op = kind === 'task' ? g.taskOp(g.topFutures, 0.2) : g.indexOp(g.topFutures, 0.15);
      if (!op) continue;
      g.maybeAtomic(op.reqs, 0.12);
      g.maybeDelay(op, 0.1);
      const s = g.settleAtomic(op, (st) => atomicOk(g.history, st));
      g.push(op, [s]);
      g.topFutures.push(...g.futureRefs(op));
    } else if (kind === 'trace' || kind === 'replay') {
      const t = kind === 'trace' ? traceOp(g) : replayOp(g, rng.pick(traces));
      if (!t) continue;
      g.push(t.op, t.steps);
      // Often a reader of what the body touched right away: it must wait
      // for every replayed iteration.
      if (rng.chance(0.6)) {
        const node = prog.regions[t.tree].node;
        const op: TaskOp = {
          kind: 'task',
          uid: g.uid(),
          variant: g.variant(),
          reqs: [{ node, fields: g.fieldsOf(node), priv: 'ro' }],
          futures: [],
        };
        g.push(op, [g.step(op)]);
      }
    } else {
      const n = nestedOp(g);
      if (n) g.push(n.op, [n.step]);
    }
  }
  return prog;
}
