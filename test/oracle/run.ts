/**
 * Runs an oracle program on the cohort runtime, then compares every field
 * of every region (and every task's digest of what it read, and every
 * inline mapping's view) with the sequential interpreter.
 */
import { FieldSpec, FieldView, Future, InlineMapping, Library, Partition, PartitionRequirement, Rect, Region, RegionRequirement, Runtime, Task } from '../../lib';
import { within } from '../helpers';
import { fmtBox, fmtPoint, points, pointKey, pointsOfRects } from './geometry';
import { decodeDesc, fieldName, fieldOfTag, mapWriteValue, runKernel, tagOf } from './kernel';
import { encodedKernelDesc, Interpreter, wrap } from './interpreter';
import { formatProgram, nodeName, Op, PartDecl, Program, ReqDecl } from './program';

export type OracleTask = Task<[Int32Array], number>;
export interface OracleTasks {
  ts: OracleTask;
  cpp: OracleTask;
}

/** Registers the TS kernel and looks up its C++ twin. */
export function oracleTasks(rt: Runtime, lib: Library): OracleTasks {
  const ts = rt.registerTask('oracle_op_ts', (ctx, desc: Int32Array) => {
    const d = decodeDesc(desc);
    // The runtime's rects of each requirement must be exactly the points the
    // descriptor (the generator's own geometry) names.
    d.reqs.forEach((q, r) => {
      const got = ctx.region(r).rects.flatMap((b) => points({ lo: [...b.lo], hi: [...b.hi] })).map(pointKey).sort().join(' ');
      const want = pointsOfRects(q.rects).map(pointKey).sort().join(' ');
      if (got !== want) throw new Error(`oracle: requirement ${r} holds points {${got}}, the descriptor's region {${want}}`);
    });
    const views = d.reqs.map((q, r) => q.tags.map((tag) => ctx.region(r).view<FieldArrayInt>(fieldName(fieldOfTag(tag)))));
    return runKernel(d, ctx.point, {
      get: (r, k, c) => readView(views[r][k], c),
      set: (r, k, c, v) => writeView(views[r][k], c, v),
    });
  });
  return { ts, cpp: lib.task<[Int32Array], number>('oracle_op') };
}

type FieldArrayInt = Int32Array | Uint32Array | BigInt64Array;

function position(view: FieldView<FieldArrayInt>, c: readonly number[]): number {
  const b = view.bounds;
  for (let d = 0; d < c.length; d++) {
    if (c[d] < b.lo[d] || c[d] > b.hi[d]) throw new Error(`oracle: point ${fmtPoint(c)} is outside the field view ${fmtBox({ lo: [...b.lo], hi: [...b.hi] })}`);
  }
  return view.index(...c);
}

export function readView(view: FieldView<FieldArrayInt>, c: readonly number[]): number {
  const x = view.data[position(view, c)];
  return typeof x === 'bigint' ? Number(x) : x;
}

function writeView(view: FieldView<FieldArrayInt>, c: readonly number[], v: number): void {
  const i = position(view, c);
  if (view.data instanceof BigInt64Array) view.data[i] = BigInt(v);
  else view.data[i] = v;
}

/** The runtime objects of a program's regions and partitions. */
export interface Materialized {
  /** Region (or subregion) of each node. */
  nodeRegion: Region[];
  partitions: Partition[];
  /** The runtime requirement of a ReqDecl. */
  reqOf(r: ReqDecl): RegionRequirement | PartitionRequirement;
  /** Creates a partition (and its subregions), checking its geometry. */
  createPart(p: PartDecl): void;
}

/**
 * Creates the program's regions (pushed to `regions` as they are made, so a
 * caller can destroy them) and partitions, and compares the runtime's
 * geometry with the generator's; differences are pushed to `problems`.
 */
export function materialize(rt: Runtime, prog: Program, regions: Region[], problems: string[]): Materialized {
  const nodeRegion: Region[] = [];
  const partitions: Partition[] = [];
  // Regions and partitions, checking the runtime's geometry against ours.
  for (const r of prog.regions) {
    const spec: FieldSpec = {};
    r.fields.forEach((t, i) => (spec[fieldName(i)] = t));
    const region = rt.createRegion(Rect(r.bounds.lo, r.bounds.hi), spec);
    regions.push(region);
    nodeRegion[r.node] = region;
  }
  const createPart = (p: PartDecl): void => {
    const parent = nodeRegion[p.node];
    const s = p.spec;
    const part =
      s.kind === 'equal'
        ? rt.partitionEqual(parent, s.colorSpace.lo.length === 1 && s.colorSpace.lo[0] === 0 ? s.colorSpace.hi[0] + 1 : Rect(s.colorSpace.lo, s.colorSpace.hi))
        : s.kind === 'blocks'
          ? rt.partitionByBlocks(parent, s.block, s.haloLo.join() === s.haloHi.join() ? s.haloLo : { lo: s.haloLo, hi: s.haloHi })
          : rt.partitionByRects(parent, s.rects.map((rs) => (rs.length === 1 ? Rect(rs[0].lo, rs[0].hi) : rs.map((x) => Rect(x.lo, x.hi)))));
    partitions[p.id] = part;
    if (fmtBox({ lo: [...part.colorSpace.lo], hi: [...part.colorSpace.hi] }) !== fmtBox(p.colorSpace)) {
      problems.push(`P${p.id}: runtime color space ${fmtBox({ lo: [...part.colorSpace.lo], hi: [...part.colorSpace.hi] })}, expected ${fmtBox(p.colorSpace)}`);
    }
    if (part.disjoint !== p.disjoint) problems.push(`P${p.id}: runtime says disjoint=${part.disjoint}, expected ${p.disjoint}`);
    points(p.colorSpace).forEach((color, i) => {
      const sub = part.subregion(color);
      nodeRegion[p.children[i]] = sub;
      const got = sub.rects.flatMap((r) => points({ lo: [...r.lo], hi: [...r.hi] })).map(pointKey).sort();
      const want = pointsOfRects(prog.nodes[p.children[i]].rects).map(pointKey).sort();
      if (got.join(';') !== want.join(';')) {
        problems.push(`${nodeName(prog, p.children[i])}: runtime points {${got.join(' ')}}, expected {${want.join(' ')}}`);
      }
    });
  };
  for (const p of prog.parts) if (p.op === undefined) createPart(p);

  const reqOf = (r: ReqDecl): RegionRequirement | PartitionRequirement => {
    const names = r.fields.map(fieldName);
    const target: Region | Partition = r.node !== undefined ? nodeRegion[r.node] : partitions[r.part!];
    let q: RegionRequirement | PartitionRequirement;
    switch (r.priv) {
      case 'ro': q = target.read(...names); break;
      case 'rw': q = target.readWrite(...names); break;
      case 'wd': q = target.writeDiscard(...names); break;
      case 'sum': q = target.reduce('sum', ...names); break;
      case 'max': q = target.reduce('max', ...names); break;
    }
    if (r.offset) (q as PartitionRequirement).offset(r.offset);
    return q;
  };

  return { nodeRegion, partitions, reqOf, createPart };
}

/** A program failed the oracle; the message has everything needed to reproduce it. */
export class OracleFailure extends Error {}

const GUARD_MS = 30000;

interface PendingMap {
  op: number;
  mapping: Promise<InlineMapping>;
  expected: [number, number[], number][];
  write: boolean;
  node: number;
}

/** Runs `prog`; throws an OracleFailure (message: seed, problems, program) on any difference. */
export async function runProgram(rt: Runtime, tasks: OracleTasks, prog: Program): Promise<void> {
  const problems: string[] = [];
  const interp = new Interpreter(prog);
  const regions: Region[] = [];
  const fail = (): never => {
    throw new OracleFailure(
      `oracle mismatch for program seed ${prog.seed} (reproduce: COHORT_ORACLE_SEED=${prog.seed} COHORT_ORACLE_PROGRAMS=1 npx mocha --no-config -r tsx/cjs --extension ts test/oracle.test.ts)\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\n' +
        formatProgram(prog),
    );
  };
  const guard = <T>(p: Promise<T>, what: string): Promise<T> => within(p, GUARD_MS, `program seed ${prog.seed}: ${what}`);

  try {
    const built = materialize(rt, prog, regions, problems);
    if (problems.length) fail();
    const { nodeRegion, reqOf, createPart } = built;

    const results: { op: number; point?: number[]; future: Future<unknown>; expected?: number }[] = [];
    let pending: PendingMap[] = [];

    const checkMapping = (m: InlineMapping, expected: [number, number[], number][], op: number, node: number): void => {
      let bad = 0;
      let first = '';
      for (const [f, c, v] of expected) {
        const got = readView(m.view<FieldArrayInt>(fieldName(f)), c);
        if (got !== v) {
          if (!bad) first = `${nodeName(prog, node)}.f${f} at ${fmtPoint(c)}: runtime ${got}, oracle ${v}`;
          bad++;
        }
      }
      if (bad) problems.push(`#${op} inline mapping saw wrong values: first ${first} (${bad} elements differ)`);
    };
    const writeMapping = (m: InlineMapping, expected: [number, number[], number][], op: number, node: number): void => {
      const tree = prog.nodes[node].tree;
      for (const [f, c, old] of expected) writeView(m.view<FieldArrayInt>(fieldName(f)), c, wrap(prog.regions[tree].fields[f], mapWriteValue(op, tagOf(tree, f), c, old)));
    };
    const settlePending = async (): Promise<void> => {
      const list = pending;
      pending = [];
      for (const p of list) {
        const m = await guard(p.mapping, `deferred inline mapping #${p.op}`);
        checkMapping(m, p.expected, p.op, p.node);
        if (p.write) writeMapping(m, p.expected, p.op, p.node);
        await guard(m.unmap(), `unmap of deferred inline mapping #${p.op}`);
      }
    };

    for (let i = 0; i < prog.ops.length; i++) {
      const op: Op = prog.ops[i];
      try {
        switch (op.kind) {
          case 'fill': {
            const tree = prog.nodes[op.node].tree;
            const value = op.bigint && op.fields.every((f) => prog.regions[tree].fields[f] === 'i64') ? BigInt(op.value) : op.value;
            results.push({ op: i, future: rt.fill(nodeRegion[op.node], op.fields.map(fieldName), value) });
            interp.fill(op);
            break;
          }
          case 'fence':
            results.push({ op: i, future: rt.fence() });
            break;
          case 'partition': {
            for (const p of op.parts) createPart(prog.parts[p]);
            if (problems.length) fail();
            break;
          }
          case 'task': {
            const task = op.variant === 'ts' ? tasks.ts : tasks.cpp;
            const future = rt.launch(task, [encodedKernelDesc(prog, op, i, undefined)], { regions: op.reqs.map((r) => reqOf(r) as RegionRequirement) });
            const [g] = interp.launch(op, i);
            results.push({ op: i, future, expected: g });
            break;
          }
          case 'index': {
            const task = op.variant === 'ts' ? tasks.ts : tasks.cpp;
            const fm = rt.indexLaunch(task, Rect(op.domain.lo, op.domain.hi), {
              pointArgs: (p) => [encodedKernelDesc(prog, op, i, p)],
              regions: op.reqs.map(reqOf),
            });
            const gs = interp.launch(op, i);
            points(op.domain).forEach((p, k) => results.push({ op: i, point: p, future: fm.get(p), expected: gs[k] }));
            break;
          }
          case 'map': {
            const names = op.fields.map(fieldName);
            const region = nodeRegion[op.node];
            const req = op.write ? region.readWrite(...names) : region.read(...names);
            const expected = interp.snapshot(op.node, op.fields);
            if (op.deferred) {
              const mapping = rt.map(req);
              mapping.catch(() => undefined); // reported when settled
              pending.push({ op: i, mapping, expected, write: op.write, node: op.node });
              if (op.write) interp.mapWrite(op, i);
            } else {
              // Earlier deferred mappings may conflict with this one: release them first.
              await settlePending();
              const m = await guard(rt.map(req), `inline mapping #${i}`);
              checkMapping(m, expected, i, op.node);
              if (op.write) {
                writeMapping(m, expected, i, op.node);
                interp.mapWrite(op, i);
              }
              await guard(m.unmap(), `unmap of inline mapping #${i}`);
            }
            break;
          }
        }
      } catch (e) {
        if (e instanceof OracleFailure) throw e;
        problems.push(`#${i} (${op.kind}) failed: ${(e as Error).message}`);
        fail();
      }
    }
    await settlePending();

    // Every task's digest of what it read.
    const settled = await guard(Promise.allSettled(results.map((r) => r.future.get())), 'waiting for the program\'s tasks');
    let badDigests = 0;
    settled.forEach((s, k) => {
      const r = results[k];
      const where = `#${r.op}${r.point ? ` point ${fmtPoint(r.point)}` : ''}`;
      if (s.status === 'rejected') {
        if (badDigests++ < 3) problems.push(`${where} failed: ${(s.reason as Error).message}`);
      } else if (r.expected !== undefined && s.value !== r.expected) {
        if (badDigests++ < 3) problems.push(`${where} read different values than the oracle (digest ${String(s.value)}, oracle ${r.expected})`);
      }
    });
    if (badDigests > 3) problems.push(`... ${badDigests - 3} more tasks failed or read different values`);

    // Every element of every field of every region.
    for (const r of prog.regions) {
      const m = await guard(rt.map(regions[r.tree].read()), `final inline mapping of R${r.tree}`);
      let bad = 0;
      let first = '';
      r.fields.forEach((_, f) => {
        const view = m.view<FieldArrayInt>(fieldName(f));
        for (const c of points(r.bounds)) {
          const got = readView(view, c);
          const want = interp.get(r.tree, f, c);
          if (got !== want) {
            if (!bad) first = `R${r.tree}.f${f} at ${fmtPoint(c)}: runtime ${got}, oracle ${want}`;
            bad++;
          }
        }
      });
      await guard(m.unmap(), `unmap of the final mapping of R${r.tree}`);
      if (bad) problems.push(`final state differs: first ${first} (${bad} elements of R${r.tree} differ)`);
    }
    if (problems.length) fail();
  } catch (e) {
    if (e instanceof OracleFailure) throw e;
    problems.push(`unexpected error: ${(e as Error).stack ?? String(e)}`);
    fail();
  } finally {
    if (!problems.length) for (const r of regions) rt.destroyRegion(r);
  }
}
