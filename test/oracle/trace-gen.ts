/**
 * Traces of the oracle's programs: a body of a few launches (single and
 * index launches with every privilege, reductions of several operators,
 * atomic coherence, fills, futures passed between the body's launches)
 * that is recorded once with rt.trace and replayed `times` more times, and
 * later replays of an earlier trace. The body mostly touches one region
 * tree, so its launches depend on each other and on the previous
 * iteration. Sequentially, a trace is just its body run 1 + times times.
 */
import { atomicOk, atomicOkAcrossIterations, Step } from './access';
import type { Gen } from './generate';
import { FillOp, FutureRef, LaunchOp, Op, Priv, REDOPS } from './program';

const BODY_PRIVS: Record<Priv, number> = { ro: 3, rw: 3, wd: 1.5, sum: 3, max: 1, min: 1, prod: 1 };

/** How many times a trace is replayed: often a few, often 10 or more. */
function replayCount(g: Gen): number {
  return g.rng.weighted({ few: 4, some: 2, many: 4 }) === 'few'
    ? g.rng.int(1, 4)
    : g.rng.chance(0.33)
      ? g.rng.int(5, 9)
      : g.rng.int(10, 25);
}

/** A trace op, its steps (its body once) and the region tree its body mostly touches. */
export function traceOp(g: Gen): { op: Op; steps: Step[]; tree: number } | undefined {
  const { rng, prog } = g;
  const tree = rng.int(0, prog.regions.length - 1);
  g.focus = tree;
  const body: (LaunchOp | FillOp)[] = [];
  const steps: Step[] = [];
  const refs: FutureRef[] = [];
  // Sometimes an accumulation: every launch reduces with one operator, so
  // the iterations are not ordered with each other at all.
  const redop = rng.chance(0.25) ? rng.pick(REDOPS) : undefined;
  const privs: Partial<Record<Priv, number>> = redop ? { [redop]: 1 } : BODY_PRIVS;
  const n = redop ? rng.int(1, 3) : rng.int(2, 5);
  for (let j = 0; j < n; j++) {
    const kind = redop ? rng.weighted({ task: 1, index: 2 }) : rng.weighted({ task: 4, index: 4, fill: 1 });
    if (kind === 'fill') {
      const op = g.fillOp();
      const s = g.step(op);
      // A fill is never atomic, but an atomic launch earlier in the body may
      // need it as a separator in the next iteration: nothing to check.
      body.push(op);
      steps.push(s);
      continue;
    }
    // Mostly the body's own futures; rarely one from before the trace.
    const pool = rng.chance(0.9) ? refs : g.topFutures;
    const op = kind === 'task' ? g.taskOp(pool, 0.45, privs) : g.indexOp(pool, 0.3, privs);
    if (!op) continue;
    g.maybeAtomic(op.reqs, 0.3);
    g.maybeDelay(op, redop ? 0.6 : 0.3);
    const before = [...g.history, ...steps];
    const s = g.settleAtomic(op, (st) => atomicOk(before, st) && atomicOkAcrossIterations(steps, st));
    body.push(op);
    steps.push(s);
    refs.push(...g.futureRefs(op));
  }
  g.focus = undefined;
  if (!body.some((op) => op.kind !== 'fill')) return undefined;
  return { op: { kind: 'trace', body, times: replayCount(g) }, steps, tree };
}

/** Another replay of the trace recorded by op #trace, if its body may follow what came since. */
export function replayOp(g: Gen, trace: number): { op: Op; steps: Step[]; tree: number } | undefined {
  const t = g.prog.ops[trace];
  if (t.kind !== 'trace') throw new Error('oracle: replay of an op that is not a trace');
  const steps: Step[] = [];
  for (const op of t.body) {
    const s = g.step(op);
    if (!atomicOk([...g.history, ...steps], s)) return undefined;
    steps.push(s);
  }
  const first = t.body[0];
  const tree =
    g.prog.nodes[first.kind === 'fill' ? first.node : (first.reqs[0].node ?? g.prog.parts[first.reqs[0].part!].node)]
      .tree;
  return { op: { kind: 'replay', trace, times: replayCount(g) }, steps, tree };
}
