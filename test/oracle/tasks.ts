/**
 * The oracle's TS tasks: the TS variant of the kernel (oracle_op_ts, twin of
 * the C++ oracle_op), and the nested parent (oracle_parent_ts), which runs
 * the kernel on its own requirements, launches its children with
 * ctx.launch / ctx.indexLaunch and returns what each of them gave, so the
 * runner can compare it with the interpreter (compareNested). Both check
 * what the runtime hands them: the exact points of every requirement, and
 * field views exactly as large as their region (empty for an empty one).
 */
import {
  FieldView,
  Future,
  Library,
  PartitionRequirement,
  Rect,
  RegionRequirement,
  Runtime,
  Task,
  TaskContext,
} from '../../lib';
import { Box, boundingBox, fmtBox, fmtPoint, points, pointKey, pointsOfRects } from './geometry';
import { ChildExpect, encodedKernelDesc, futureKey, NestedExpect } from './interpreter';
import { decodeDesc, fieldName, fieldOfTag, runKernel } from './kernel';
import { isRedop, NestedOp, Priv, Program, ReqDecl } from './program';

export type OracleTask = Task<[Int32Array], number>;
export interface OracleTasks {
  ts: OracleTask;
  cpp: OracleTask;
  parent: Task<[number, number], unknown>;
}

export type FieldArrayInt = Int32Array | Uint32Array | BigInt64Array;

function position(view: FieldView<FieldArrayInt>, c: readonly number[]): number {
  const b = view.bounds;
  for (let d = 0; d < c.length; d++) {
    if (c[d] < b.lo[d] || c[d] > b.hi[d])
      throw new Error(
        `oracle: point ${fmtPoint(c)} is outside the field view ${fmtBox({ lo: [...b.lo], hi: [...b.hi] })}`,
      );
  }
  return view.index(...c);
}

export function readView(view: FieldView<FieldArrayInt>, c: readonly number[]): number {
  const x = view.data[position(view, c)];
  return typeof x === 'bigint' ? Number(x) : x;
}

export function writeView(view: FieldView<FieldArrayInt>, c: readonly number[], v: number): void {
  const i = position(view, c);
  if (view.data instanceof BigInt64Array) view.data[i] = BigInt(v);
  else view.data[i] = v;
}

/** Why a field view does not fit a region of exactly these rects (undefined when it does). */
export function viewShapeProblem(
  view: FieldView<FieldArrayInt>,
  rects: readonly Box[],
  dim: number,
): string | undefined {
  const b = { lo: [...view.bounds.lo], hi: [...view.bounds.hi] };
  if (pointsOfRects(rects).length === 0) {
    return view.data.length === 0
      ? undefined
      : `the region has no points, but its field view holds ${view.data.length} element(s) (bounds ${fmtBox(b)}, byte offset ${view.data.byteOffset})`;
  }
  const bb = boundingBox(rects, dim);
  if (fmtBox(b) !== fmtBox(bb))
    return `the field view's bounds are ${fmtBox(b)}, the region's bounding box ${fmtBox(bb)}`;
  const span = view.index(...bb.hi) + 1;
  if (view.data.length !== span) return `the field view holds ${view.data.length} elements, its bounds span ${span}`;
  return undefined;
}

/** The TS kernel over a task's regions: checks what the runtime gave it, then runs the kernel. */
function tsKernel(ctx: TaskContext, desc: Int32Array): number {
  const d = decodeDesc(desc);
  // The runtime's rects of each requirement must be exactly the points the
  // descriptor (the generator's own geometry) names.
  d.reqs.forEach((q, r) => {
    const got = ctx
      .region(r)
      .rects.flatMap((b) => points({ lo: [...b.lo], hi: [...b.hi] }))
      .map(pointKey)
      .sort()
      .join(' ');
    const want = pointsOfRects(q.rects).map(pointKey).sort().join(' ');
    if (got !== want)
      throw new Error(`oracle: requirement ${r} holds points {${got}}, the descriptor's region {${want}}`);
  });
  const views = d.reqs.map((q, r) =>
    q.tags.map((tag) => {
      const v = ctx.region(r).view<FieldArrayInt>(fieldName(fieldOfTag(tag)));
      const bad = viewShapeProblem(v, q.rects, q.dim);
      if (bad) throw new Error(`oracle: requirement ${r}, field ${fieldName(fieldOfTag(tag))}: ${bad}`);
      return v;
    }),
  );
  return runKernel(
    d,
    ctx.point,
    {
      get: (r, k, c) => readView(views[r][k], c),
      set: (r, k, c, v) => writeView(views[r][k], c, v),
    },
    ctx.futures,
  );
}

/** What a nested parent needs of the program it belongs to (registered by the runner per program). */
export interface NestedEnv {
  prog: Program;
  reqOf(r: ReqDecl): RegionRequirement | PartitionRequirement;
  byUid: Map<number, NestedOp>;
}
export const nestedEnvs = new Map<number, NestedEnv>();

const failed = (e: unknown): string => `E:${e instanceof Error ? e.message : String(e)}`;
const settle = (f: Future<unknown>): Promise<unknown> => f.get().then((v) => v, failed);

async function parentBody(tasks: OracleTasks, ctx: TaskContext, token: number, uid: number): Promise<unknown> {
  const env = nestedEnvs.get(token);
  const op = env?.byUid.get(uid);
  if (!env || !op) throw new Error(`oracle: no nested parent @${uid} in program token ${token}`);
  const own = op.own ? tsKernel(ctx, encodedKernelDesc(env.prog, op, undefined)) : null;
  const futures = new Map<string, Future<unknown>>();
  const outcomes: Promise<unknown>[] = [];
  for (const c of op.children) {
    let outcome: Promise<unknown>;
    try {
      if (c.kind === 'nested') {
        outcome = settle(
          ctx.launch(tasks.parent, [token, c.uid], { regions: c.reqs.map((r) => env.reqOf(r) as RegionRequirement) }),
        );
      } else {
        const task = c.variant === 'ts' ? tasks.ts : tasks.cpp;
        const fs = c.futures.map((f) => {
          const x = futures.get(futureKey(f));
          if (!x) throw new Error(`oracle: no future of @${futureKey(f)} (its launch failed)`);
          return x;
        });
        if (c.kind === 'task') {
          const f = ctx.launch(task, [encodedKernelDesc(env.prog, c, undefined)], {
            regions: c.reqs.map((r) => env.reqOf(r) as RegionRequirement),
            futures: fs,
          });
          futures.set(futureKey({ uid: c.uid }), f);
          outcome = settle(f);
        } else {
          const fm = ctx.indexLaunch(task, Rect(c.domain.lo, c.domain.hi), {
            pointArgs: (p) => [encodedKernelDesc(env.prog, c, p)],
            regions: c.reqs.map((r) => env.reqOf(r)),
            futures: fs,
          });
          const pts = points(c.domain);
          for (const p of pts) futures.set(futureKey({ uid: c.uid, point: p }), fm.get(p));
          // Every point failing reads as one failed launch.
          outcome = Promise.all(pts.map((p) => settle(fm.get(p)))).then((vs) =>
            vs.every((v) => typeof v === 'string') ? vs[0] : vs,
          );
        }
      }
    } catch (e) {
      outcome = Promise.resolve(failed(e));
    }
    outcomes.push(outcome);
    if (c.await) await outcome;
    if (c.violation) break;
  }
  return [own, ...(await Promise.all(outcomes))];
}

/** Registers the TS tasks and looks up the C++ twin of the kernel. */
export function oracleTasks(rt: Runtime, lib: Library): OracleTasks {
  const tasks: OracleTasks = {
    ts: rt.registerTask('oracle_op_ts', (ctx, desc: Int32Array) => tsKernel(ctx, desc)),
    cpp: lib.task<[Int32Array], number>('oracle_op'),
    parent: undefined as unknown as Task<[number, number], unknown>,
  };
  tasks.parent = rt.registerTask('oracle_parent_ts', (ctx, token: number, uid: number) =>
    parentBody(tasks, ctx, token, uid),
  );
  return tasks;
}

const PRIV_NAMES: Record<'ro' | 'rw' | 'wd' | 'redop', RegExp> = {
  ro: /read[-_ ]?only/i,
  rw: /read[-_ ]?write/i,
  wd: /write[-_ ]?discard/i,
  redop: /reduc/i,
};
const privPattern = (p: Priv): RegExp => PRIV_NAMES[isRedop(p) ? 'redop' : p];

const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v.length > 200 ? v.slice(0, 200) + '…' : v) : JSON.stringify(v);

/** Compares what nested parent `where` returned with the interpreter; pushes differences to `problems`. */
export function compareNested(want: NestedExpect, got: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(got) || got.length !== 1 + want.children.length) {
    problems.push(
      `${where} returned ${show(got)}; expected its own digest and ${want.children.length} child outcome(s)`,
    );
    return;
  }
  if (got[0] !== want.own)
    problems.push(`${where} read different values than the oracle (own digest ${show(got[0])}, oracle ${want.own})`);
  want.children.forEach((c: ChildExpect, k) => compareChild(c, got[k + 1], `${where} child ${k + 1}`, problems));
}

function compareChild(want: ChildExpect, got: unknown, where: string, problems: string[]): void {
  if (want.kind === 'violation') {
    const name = isRedop(want.req.priv) ? `reduce(${want.req.priv})` : want.req.priv;
    if (typeof got !== 'string' || !got.startsWith('E:')) {
      problems.push(
        `${where}: its launch should have failed (requirements not a subset of its parent's; ${want.why}), but it ran and returned ${show(got)}`,
      );
    } else if (!privPattern(want.req.priv).test(got)) {
      problems.push(
        `${where}: its launch failed as expected (${want.why}), but the error does not name the privilege ${name}: ${show(got.slice(2))}`,
      );
    }
    return;
  }
  if (typeof got === 'string' && got.startsWith('E:')) {
    problems.push(`${where} failed: ${got.slice(2)}`);
    return;
  }
  if (want.kind === 'nested') {
    compareNested(want.result, got, where, problems);
  } else if (want.kind === 'task') {
    if (got !== want.digest)
      problems.push(`${where} read different values than the oracle (digest ${show(got)}, oracle ${want.digest})`);
  } else if (!Array.isArray(got) || got.length !== want.digests.length || got.some((v, i) => v !== want.digests[i])) {
    problems.push(
      `${where} (index launch) read different values than the oracle (digests ${show(got)}, oracle ${JSON.stringify(want.digests)})`,
    );
  }
}
