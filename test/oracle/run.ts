/**
 * Runs an oracle program on the cohort runtime, then compares every field
 * of every region (and every task's digest of what it read, every nested
 * parent's outcomes, and every inline mapping's view) with the sequential
 * interpreter. On any difference it throws an OracleFailure whose message
 * has the seed, the command that reproduces it and the program's listing.
 */
import {
  FieldSpec,
  Future,
  InlineMapping,
  Partition,
  PartitionRequirement,
  Rect,
  Region,
  RegionRequirement,
  Runtime,
  Trace,
} from '../../lib';
import { within } from '../helpers';
import { fmtBox, fmtPoint, points, pointKey, pointsOfRects } from './geometry';
import { formatProgram } from './format';
import { encodedKernelDesc, futureKey, Interpreter, wrap } from './interpreter';
import { fieldName, mapWriteValue, tagOf } from './kernel';
import { FillOp, LaunchOp, NestedOp, nodeName, Op, PartDecl, Program, ReqDecl } from './program';
import { compareNested, FieldArrayInt, nestedEnvs, OracleTasks, readView, viewShapeProblem, writeView } from './tasks';

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
        ? rt.partitionEqual(
            parent,
            s.colorSpace.lo.length === 1 && s.colorSpace.lo[0] === 0
              ? s.colorSpace.hi[0] + 1
              : Rect(s.colorSpace.lo, s.colorSpace.hi),
          )
        : s.kind === 'blocks'
          ? rt.partitionByBlocks(
              parent,
              s.block,
              s.haloLo.join() === s.haloHi.join() ? s.haloLo : { lo: s.haloLo, hi: s.haloHi },
            )
          : rt.partitionByRects(
              parent,
              s.rects.map((rs) => (rs.length === 1 ? Rect(rs[0].lo, rs[0].hi) : rs.map((x) => Rect(x.lo, x.hi)))),
            );
    partitions[p.id] = part;
    if (fmtBox({ lo: [...part.colorSpace.lo], hi: [...part.colorSpace.hi] }) !== fmtBox(p.colorSpace)) {
      problems.push(
        `P${p.id}: runtime color space ${fmtBox({ lo: [...part.colorSpace.lo], hi: [...part.colorSpace.hi] })}, expected ${fmtBox(p.colorSpace)}`,
      );
    }
    if (part.disjoint !== p.disjoint)
      problems.push(`P${p.id}: runtime says disjoint=${part.disjoint}, expected ${p.disjoint}`);
    points(p.colorSpace).forEach((color, i) => {
      const sub = part.subregion(color);
      nodeRegion[p.children[i]] = sub;
      const got = sub.rects
        .flatMap((r) => points({ lo: [...r.lo], hi: [...r.hi] }))
        .map(pointKey)
        .sort();
      const want = pointsOfRects(prog.nodes[p.children[i]].rects).map(pointKey).sort();
      if (got.join(';') !== want.join(';')) {
        problems.push(
          `${nodeName(prog, p.children[i])}: runtime points {${got.join(' ')}}, expected {${want.join(' ')}}`,
        );
      }
    });
  };
  for (const p of prog.parts) if (p.op === undefined) createPart(p);

  const reqOf = (r: ReqDecl): RegionRequirement | PartitionRequirement => {
    const names = r.fields.map(fieldName);
    const target: Region | Partition = r.node !== undefined ? nodeRegion[r.node] : partitions[r.part!];
    let q: RegionRequirement | PartitionRequirement;
    switch (r.priv) {
      case 'ro':
        q = target.read(...names);
        break;
      case 'rw':
        q = target.readWrite(...names);
        break;
      case 'wd':
        q = target.writeDiscard(...names);
        break;
      case 'prod':
        q = target.reduce('product', ...names);
        break;
      default:
        q = target.reduce(r.priv, ...names);
        break;
    }
    if (r.offset) (q as PartitionRequirement).offset(r.offset);
    if (r.atomic) q.atomic();
    return q;
  };

  return { nodeRegion, partitions, reqOf, createPart };
}

/** A program failed the oracle; the message has everything needed to reproduce it. */
export class OracleFailure extends Error {
  /** Some of its work never finished: the runtime cannot be shut down cleanly. */
  hung = false;
}

const GUARD_MS = 30000;

interface PendingMap {
  op: number;
  mapping: Promise<InlineMapping>;
  expected: [number, number[], number][];
  write: boolean;
  node: number;
}

/** A future the program waits for, and what its value must be. */
interface Result {
  what: string;
  future: Future<unknown>;
  expected?: number;
  nested?: { want: ReturnType<Interpreter['nested']> };
}

let nextToken = 1;

/**
 * Steady replays of every program run so far: how many iterations came from
 * the steady plan, and how many of those ran as graph iterations (no op per
 * point), so a test can check the oracle reaches both replay paths.
 */
export const replayCounts = { replayedIterations: 0, graphIterations: 0 };

/** The command that runs just this program. */
export function reproduce(seed: number): string {
  const env = ['COHORT_ORACLE_WITHOUT', 'COHORT_ORACLE_PARENT_LOCKS', 'COHORT_ORACLE_UNTRACED']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${process.env[k]} `)
    .join('');
  return `${env}COHORT_ORACLE_SEED=${seed} COHORT_ORACLE_PROGRAMS=1 npx mocha test/oracle.test.ts (add COHORT_ORACLE_REPEAT=30 if it does not fail again: it may be a race)`;
}

export interface RunOptions {
  /**
   * Issue a trace's body 1 + times times as ordinary launches instead of
   * recording and replaying it: a check of the oracle itself (of its
   * trace programs and their expected results), not of the runtime.
   */
  untraced?: boolean;
}

/** Runs `prog`; throws an OracleFailure (message: seed, problems, program) on any difference. */
export async function runProgram(
  rt: Runtime,
  tasks: OracleTasks,
  prog: Program,
  options: RunOptions = {},
): Promise<void> {
  const problems: string[] = [];
  const interp = new Interpreter(prog);
  const regions: Region[] = [];
  const token = nextToken++;
  const fail = (): never => {
    throw new OracleFailure(
      `oracle mismatch for program seed ${prog.seed} (reproduce: ${reproduce(prog.seed)})\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\n' +
        formatProgram(prog),
    );
  };
  const guard = <T>(p: Promise<T>, what: string): Promise<T> =>
    within(p, GUARD_MS, `program seed ${prog.seed}: ${what}`);
  let hung = false;
  const pendingMaps = new Set<PendingMap>();

  try {
    const built = materialize(rt, prog, regions, problems);
    if (problems.length) fail();
    const { nodeRegion, reqOf, createPart } = built;
    const byUid = new Map<number, NestedOp>();
    const index = (op: NestedOp): void => {
      byUid.set(op.uid, op);
      for (const c of op.children) if (c.kind === 'nested') index(c);
    };
    for (const op of prog.ops) if (op.kind === 'nested') index(op);
    nestedEnvs.set(token, { prog, reqOf, byUid });

    const results: Result[] = [];
    const futures = new Map<string, Future<unknown>>();
    const traces = new Map<number, Trace>();
    let pending: PendingMap[] = [];
    const track = (p: PendingMap): void => {
      pending.push(p);
      pendingMaps.add(p);
    };

    const checkMapping = (
      m: InlineMapping,
      expected: [number, number[], number][],
      op: number,
      node: number,
      fields: number[],
    ): void => {
      const n = prog.nodes[node];
      for (const f of fields) {
        const bad = viewShapeProblem(m.view<FieldArrayInt>(fieldName(f)), n.rects, n.dim);
        if (bad) problems.push(`#${op} inline mapping of ${nodeName(prog, node)}.f${f}: ${bad}`);
      }
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
      for (const [f, c, old] of expected)
        writeView(
          m.view<FieldArrayInt>(fieldName(f)),
          c,
          wrap(prog.regions[tree].fields[f], mapWriteValue(op, tagOf(tree, f), c, old)),
        );
    };
    const settlePending = async (): Promise<void> => {
      const list = pending;
      pending = [];
      for (const p of list) {
        pendingMaps.delete(p);
        let m: InlineMapping;
        try {
          m = await guard(p.mapping, `deferred inline mapping #${p.op}`);
        } catch (e) {
          if (/did not finish/.test((e as Error).message)) hung = true;
          problems.push(`#${p.op} (deferred map) failed: ${(e as Error).message}`);
          continue;
        }
        const op = prog.ops[p.op] as Extract<Op, { kind: 'map' }>;
        checkMapping(m, p.expected, p.op, p.node, op.fields);
        if (p.write) writeMapping(m, p.expected, p.op, p.node);
        await guard(m.unmap(), `unmap of deferred inline mapping #${p.op}`);
      }
    };

    // Issues a fill or a launch (also inside rt.trace); returns the futures and what each must hold.
    const issue = (op: LaunchOp | FillOp, where: string, digests: number[] | undefined): void => {
      if (op.kind === 'fill') {
        const tree = prog.nodes[op.node].tree;
        const value =
          op.bigint && op.fields.every((f) => prog.regions[tree].fields[f] === 'i64') ? BigInt(op.value) : op.value;
        results.push({
          what: `${where} (fill)`,
          future: rt.fill(nodeRegion[op.node], op.fields.map(fieldName), value),
        });
        return;
      }
      const task = op.variant === 'ts' ? tasks.ts : tasks.cpp;
      const fs = op.futures.map((f) => futures.get(futureKey(f))!);
      if (op.kind === 'task') {
        const future = rt.launch(task, [encodedKernelDesc(prog, op, undefined)], {
          regions: op.reqs.map((r) => reqOf(r) as RegionRequirement),
          futures: fs,
        });
        futures.set(futureKey({ uid: op.uid }), future);
        results.push({ what: `${where} @${op.uid}`, future, expected: digests?.[0] });
        return;
      }
      const fm = rt.indexLaunch(task, Rect(op.domain.lo, op.domain.hi), {
        pointArgs: (p) => [encodedKernelDesc(prog, op, p)],
        regions: op.reqs.map(reqOf),
        futures: fs,
      });
      points(op.domain).forEach((p, k) => {
        futures.set(futureKey({ uid: op.uid, point: p }), fm.get(p));
        results.push({ what: `${where} @${op.uid} point ${fmtPoint(p)}`, future: fm.get(p), expected: digests?.[k] });
      });
    };

    for (let i = 0; i < prog.ops.length; i++) {
      const op: Op = prog.ops[i];
      try {
        switch (op.kind) {
          case 'fill':
            issue(op, `#${i}`, undefined);
            interp.fill(op);
            break;
          case 'fence':
            results.push({ what: `#${i} (fence)`, future: rt.fence() });
            break;
          case 'partition': {
            const before = problems.length;
            for (const p of op.parts) createPart(prog.parts[p]);
            if (problems.length > before) fail();
            break;
          }
          case 'task':
          case 'index':
            issue(op, `#${i}`, interp.launch(op));
            break;
          case 'trace': {
            const digests = interp.trace(op);
            if (options.untraced) {
              op.body.forEach((b, k) => issue(b, `#${i} (first iteration)`, digests[k]));
              for (let k = 0; k < op.times; k++)
                op.body.forEach((b) => issue(b, `#${i} (iteration ${k + 1})`, undefined));
              break;
            }
            const trace = rt.trace(() => op.body.forEach((b, k) => issue(b, `#${i} (recorded iteration)`, digests[k])));
            traces.set(i, trace);
            results.push({ what: `#${i} replay(${op.times})`, future: trace.replay(op.times) });
            break;
          }
          case 'replay': {
            interp.replay(op);
            const t = prog.ops[op.trace] as Extract<Op, { kind: 'trace' }>;
            if (options.untraced) {
              for (let k = 0; k < op.times; k++)
                t.body.forEach((b) => issue(b, `#${i} (iteration ${k + 1})`, undefined));
              break;
            }
            results.push({
              what: `#${i} replay(${op.times}) of #${op.trace}`,
              future: traces.get(op.trace)!.replay(op.times),
            });
            break;
          }
          case 'nested': {
            const future = rt.launch(tasks.parent, [token, op.uid], {
              regions: op.reqs.map((r) => reqOf(r) as RegionRequirement),
            });
            results.push({ what: `#${i} nested @${op.uid}`, future, nested: { want: interp.nested(op) } });
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
              track({ op: i, mapping, expected, write: op.write, node: op.node });
              if (op.write) interp.mapWrite(op, i);
            } else {
              // Earlier deferred mappings may conflict with this one: release them first.
              await settlePending();
              const m = await guard(rt.map(req), `inline mapping #${i}`);
              checkMapping(m, expected, i, op.node, op.fields);
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
        if (/did not finish/.test((e as Error).message)) hung = true;
        problems.push(`#${i} (${op.kind}) failed: ${(e as Error).message}`);
        fail();
      }
    }
    await settlePending();

    // Every task's digest of what it read; every nested parent's outcomes.
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await guard(Promise.allSettled(results.map((r) => r.future.get())), "waiting for the program's tasks");
      for (const t of traces.values()) {
        replayCounts.replayedIterations += t.stats.replayedIterations;
        replayCounts.graphIterations += t.stats.graphIterations;
      }
    } catch (e) {
      hung = true;
      problems.push((e as Error).message);
      fail();
    }
    let bad = 0;
    settled!.forEach((s, k) => {
      const r = results[k];
      const before = problems.length;
      if (s.status === 'rejected') problems.push(`${r.what} failed: ${(s.reason as Error).message}`);
      else if (r.nested) compareNested(r.nested.want, s.value, r.what, problems);
      else if (r.expected !== undefined && s.value !== r.expected)
        problems.push(
          `${r.what} read different values than the oracle (digest ${String(s.value)}, oracle ${r.expected})`,
        );
      if (problems.length > before && ++bad > 4) problems.length = before;
    });
    if (bad > 4) problems.push(`... ${bad - 4} more results differ`);

    // Every element of every field of every region.
    for (const r of prog.regions) {
      let m: InlineMapping;
      try {
        m = await guard(rt.map(regions[r.tree].read()), `final inline mapping of R${r.tree}`);
      } catch (e) {
        problems.push(`final inline mapping of R${r.tree} failed: ${(e as Error).message}`);
        continue;
      }
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
    if (e instanceof OracleFailure) {
      if (hung) e.hung = true;
      throw e;
    }
    problems.push(`unexpected error: ${(e as Error).stack ?? String(e)}`);
    fail();
  } finally {
    // A failed program may stop early: release its deferred mappings, so
    // that what comes next (a fence, say) does not wait for them forever.
    for (const p of pendingMaps)
      void p.mapping.then(
        (m) => m.unmap(),
        () => undefined,
      );
    if (!problems.length) {
      nestedEnvs.delete(token);
      for (const r of regions) rt.destroyRegion(r);
    }
  }
}
