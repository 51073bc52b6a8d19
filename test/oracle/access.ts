/**
 * Which accesses of the oracle's programs must be ordered, and the two
 * rules the generator keeps so that every program has one sequential
 * result:
 *  - within one operation no two (point, requirement) accesses to
 *    overlapping elements of a field conflict (the runtime would reject the
 *    operation; reads with reads and same-operator reductions are fine);
 *  - two atomic accesses that conflict may run in either order, so any two
 *    such accesses (of different operations, overlapping, not commuting) are
 *    separated by an operation between them that the runtime must order
 *    after the first and before the second: one with a non-atomic access
 *    that conflicts with and overlaps both.
 * Program order is a list of steps (one per operation); a repeated trace
 * body appears as its steps again. (Even the same launch in two iterations
 * needs a separator: which of the two ran first shows in their digests.)
 */
import { Box, rectsOverlap } from './geometry';
import { isRedop, nodeAt, Priv, Program, ReqDecl } from './program';

export interface Access {
  point: number;
  req: number;
  tree: number;
  field: number;
  priv: Priv;
  rects: Box[];
  atomic: boolean;
}

/** Must two accesses to the same elements be ordered? */
export function conflicting(a: Priv, b: Priv): boolean {
  if (a === 'ro' && b === 'ro') return false;
  if (isRedop(a) && a === b) return false;
  return true;
}

export function accessesOf(prog: Program, pts: (number[] | undefined)[], req: ReqDecl, reqIndex: number): Access[] {
  const out: Access[] = [];
  pts.forEach((p, pi) => {
    const node = prog.nodes[nodeAt(prog, req, p)];
    for (const f of req.fields)
      out.push({
        point: pi,
        req: reqIndex,
        tree: node.tree,
        field: f,
        priv: req.priv,
        rects: node.rects,
        atomic: req.atomic === true,
      });
  });
  return out;
}

export function accessesOfReqs(prog: Program, pts: (number[] | undefined)[], reqs: readonly ReqDecl[]): Access[] {
  return reqs.flatMap((r, i) => accessesOf(prog, pts, r, i));
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

/** One operation in program order. */
export interface Step {
  accesses: Access[];
  /** A fence: orders everything before it before everything after it. */
  barrier?: boolean;
}

function ordered(a: Access, b: Access): boolean {
  return a.tree === b.tree && a.field === b.field && conflicting(a.priv, b.priv) && rectsOverlap(a.rects, b.rects);
}

/** Is every pair of atomic accesses of steps x < y that must be ordered separated by a step between them? */
export function separated(seq: readonly Step[], x: number, y: number): boolean {
  const X = seq[x];
  const Y = seq[y];
  const ys = Y.accesses.filter((a) => a.atomic);
  if (!ys.length) return true;
  const xs = X.accesses.filter((a) => a.atomic);
  for (const a of ys) {
    for (const b of xs) {
      if (!ordered(a, b)) continue;
      let ok = false;
      for (let k = x + 1; k < y && !ok; k++) {
        const s = seq[k];
        ok = s.barrier === true || s.accesses.some((c) => !c.atomic && ordered(c, a) && ordered(c, b));
      }
      if (!ok) return false;
    }
  }
  return true;
}

/** Can `step` follow `history` (its atomic accesses separated from every earlier one)? */
export function atomicOk(history: readonly Step[], step: Step): boolean {
  if (!step.accesses.some((a) => a.atomic)) return true;
  const seq = [...history, step];
  for (let x = 0; x < history.length; x++) if (!separated(seq, x, history.length)) return false;
  return true;
}

/**
 * The same check for step j of a trace body against the next iteration:
 * `step` in iteration k, then body[0..j-1] of iteration k+1, then `step` again.
 */
export function atomicOkAcrossIterations(body: readonly Step[], step: Step): boolean {
  if (!step.accesses.some((a) => a.atomic)) return true;
  const seq = [step, ...body, step];
  for (let y = 1; y < seq.length; y++) if (!separated(seq, 0, y)) return false;
  return true;
}
