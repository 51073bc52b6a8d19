/**
 * Nested parents of the oracle's programs: a TS task that runs the kernel
 * on its own requirements, then launches children (single and index
 * launches, C++ or TS, sometimes a nested parent again) whose requirements
 * are a subset of its own: each child requirement's region lies in the
 * subtree of one parent requirement's region, with a subset of its fields
 * and a covered privilege (read-only under read-only/read-write/
 * write-discard; write-discard under read-write/write-discard; read-write
 * under read-write; reduce(op) under read-write/write-discard/reduce(op)).
 *
 * Some children deliberately break the rule (a privilege, a field or a
 * region the parent does not have, or a parent with no requirements): the
 * expectation is that the child's launch fails with an error naming the
 * privilege, that it has no effect, and that the parent (which launches
 * nothing after it) completes. Only clear cases are generated: a valid
 * child is valid under any reading of the rule, and a violating one has a
 * (field, point) that no parent requirement covers with any privilege that
 * could be read as covering it (read-write under write-discard, for one,
 * is neither generated as valid nor counted as covering).
 */
import { atomicOk, Step } from './access';
import type { Gen } from './generate';
import { inRects, points, pointsOfRects } from './geometry';
import { Box } from './geometry';
import {
  Child,
  FutureRef,
  isDescendant,
  isRedop,
  NestedOp,
  nodeAt,
  nodeName,
  Priv,
  Program,
  REDOPS,
  ReqDecl,
} from './program';

/** Child privileges a parent privilege certainly covers. */
function covered(parent: Priv): Priv[] {
  switch (parent) {
    case 'ro':
      return ['ro'];
    case 'rw':
      return ['ro', 'rw', 'wd', ...REDOPS];
    case 'wd':
      return ['ro', 'wd', ...REDOPS];
    default:
      return [parent];
  }
}

/** Could any reading of the rule let `parent` cover `child`? */
function mayCover(parent: Priv, child: Priv): boolean {
  return covered(parent).includes(child) || (parent === 'wd' && child === 'rw');
}

/** The nodes a requirement reaches (one per launch point). */
function reqNodes(prog: Program, r: ReqDecl, pts: (number[] | undefined)[]): number[] {
  return r.node !== undefined ? [r.node] : pts.map((p) => nodeAt(prog, r, p));
}

/** Is child requirement `r` (at these launch points) certainly within one parent requirement? */
function certainlyValid(prog: Program, parent: readonly ReqDecl[], r: ReqDecl, pts: (number[] | undefined)[]): boolean {
  const within = (node: number): boolean =>
    parent.some(
      (p) =>
        p.node !== undefined &&
        isDescendant(prog, node, p.node) &&
        r.fields.every((f) => p.fields.includes(f)) &&
        covered(p.priv).includes(r.priv),
    );
  if (r.part !== undefined && !within(prog.parts[r.part].node)) return false;
  return reqNodes(prog, r, pts).every(within);
}

/** Does node have a (field, point) of `r` that no parent requirement could be read as covering? */
function certainlyViolates(prog: Program, parent: readonly ReqDecl[], node: number, r: ReqDecl): boolean {
  const n = prog.nodes[node];
  const pts = pointsOfRects(n.rects);
  return r.fields.some((f) =>
    pts.some(
      (x) =>
        !parent.some((p) => {
          const pn = prog.nodes[p.node!];
          return pn.tree === n.tree && p.fields.includes(f) && mayCover(p.priv, r.priv) && inRects(pn.rects, x);
        }),
    ),
  );
}

/** A requirement at these points certainly violates: every node it reaches (and the partition itself) does. */
function violates(prog: Program, parent: readonly ReqDecl[], r: ReqDecl, pts: (number[] | undefined)[]): boolean {
  if (r.part !== undefined && !certainlyViolates(prog, parent, prog.parts[r.part].node, r)) return false;
  return reqNodes(prog, r, pts).every((n) => certainlyViolates(prog, parent, n, r));
}

/** The box of an index launch's points. */
function domainOf(pts: (number[] | undefined)[]): Box {
  const ps = pts as number[][];
  return {
    lo: ps[0].map((_, d) => Math.min(...ps.map((x) => x[d]))),
    hi: ps[0].map((_, d) => Math.max(...ps.map((x) => x[d]))),
  };
}

function privText(p: Priv): string {
  return isRedop(p) ? `reduce(${p})` : p;
}

function parentPrivs(g: Gen): Partial<Record<Priv, number>> {
  return g.options.parentLocks
    ? { ro: 3, rw: 4, wd: 1.5, sum: 1, max: 0.5, min: 0.3, prod: 0.3 }
    : { ro: 3, rw: 4, wd: 1.5 };
}

/** Requirements of a parent: on nodes (of the whole program, or within `outer` for a nested child). */
function parentReqs(g: Gen, outer: readonly ReqDecl[] | undefined): ReqDecl[] {
  const rng = g.rng;
  if (!outer && rng.chance(0.12)) return [];
  const make = (): ReqDecl | undefined => {
    if (!outer) {
      const node = g.randomNode();
      return { node, fields: rng.subset(g.fieldsOf(node)), priv: g.randomPriv(parentPrivs(g)) };
    }
    return validChildReq(g, outer, [undefined], parentPrivs(g));
  };
  const reqs = g.buildReqs([undefined], undefined, make, 3);
  if (g.options.parentLocks) g.maybeAtomic(reqs, 0.15);
  return reqs;
}

/** A requirement certainly within `parent` (on a node, or on a partition for index points `pts`). */
function validChildReq(
  g: Gen,
  parent: readonly ReqDecl[],
  pts: (number[] | undefined)[],
  privs?: Partial<Record<Priv, number>>,
): ReqDecl | undefined {
  const { rng, prog } = g;
  if (!parent.length) return undefined;
  const p = rng.pick(parent);
  const fields = rng.subset(p.fields);
  const options = covered(p.priv).filter((x) => !privs || (privs[x] ?? 0) > 0);
  if (!options.length) return undefined;
  const priv = rng.pick(options);
  const index = pts[0] !== undefined;
  if (index && rng.chance(0.75)) {
    const parts = prog.parts.filter(
      (q) => isDescendant(prog, q.node, p.node!) && q.colorSpace.lo.length === pts[0]!.length,
    );
    if (parts.length) {
      const q = rng.pick(parts);
      const r = g.partReq(domainOf(pts), q, fields, priv);
      if (r && certainlyValid(prog, parent, r, pts)) return r;
    }
  }
  const nodes = prog.nodes.filter((n) => isDescendant(prog, n.id, p.node!));
  const r: ReqDecl = { node: rng.pick(nodes).id, fields, priv };
  return certainlyValid(prog, parent, r, pts) ? r : undefined;
}

/** A requirement that certainly violates `parent` (with why), if one is found. */
function violatingReq(
  g: Gen,
  parent: readonly ReqDecl[],
  pts: (number[] | undefined)[],
): { req: ReqDecl; why: string } | undefined {
  const { rng, prog } = g;
  const parentText = parent.length
    ? parent
        .map((p) => `${privText(p.priv)} ${nodeName(prog, p.node!)}.${p.fields.map((f) => `f${f}`).join(',')}`)
        .join('; ')
    : 'no requirements';
  for (let attempt = 0; attempt < 10; attempt++) {
    const way = parent.length ? rng.weighted({ privilege: 3, field: 1, region: 1 }) : 'region';
    let r: ReqDecl;
    if (way === 'region') {
      const node = g.randomNode();
      r = { node, fields: rng.subset(g.fieldsOf(node)), priv: g.randomPriv() };
    } else {
      const p = rng.pick(parent);
      const nodes = prog.nodes.filter((n) => isDescendant(prog, n.id, p.node!) && n.rects.length > 0);
      if (!nodes.length) continue;
      const node = rng.pick(nodes).id;
      if (way === 'field') {
        const missing = g.fieldsOf(node).filter((f) => !p.fields.includes(f));
        if (!missing.length) continue;
        r = {
          node,
          fields: [...rng.subset(p.fields).filter(() => rng.chance(0.5)), rng.pick(missing)],
          priv: rng.pick(covered(p.priv)),
        };
      } else {
        const bad = (['ro', 'rw', 'wd', ...REDOPS] as Priv[]).filter((x) => !mayCover(p.priv, x));
        if (!bad.length) continue;
        r = { node, fields: rng.subset(p.fields), priv: rng.pick(bad) };
      }
    }
    if (pts[0] !== undefined && rng.chance(0.5)) {
      // On a partition of the node, for an index child.
      const parts = prog.parts.filter((q) => q.node === r.node && q.colorSpace.lo.length === pts[0]!.length);
      if (parts.length) {
        const q = rng.pick(parts);
        const pr = g.partReq(domainOf(pts), q, r.fields, r.priv);
        if (pr) r = pr;
      }
    }
    if (violates(prog, parent, r, pts)) {
      const target = r.node !== undefined ? nodeName(prog, r.node) : `P${r.part}`;
      return {
        req: r,
        why: `${way}: ${privText(r.priv)} ${target}.${r.fields.map((f) => `f${f}`).join(',')} is not within the parent's ${parentText}`,
      };
    }
  }
  return undefined;
}

/** Children of a parent with requirements `parent`, at nesting depth `depth` (1 for a top-level parent's children). */
function children(g: Gen, parent: readonly ReqDecl[], depth: number): Child[] {
  const rng = g.rng;
  const out: Child[] = [];
  const siblings: Step[] = [];
  const refs: FutureRef[] = [];
  const n = rng.int(1, 4);
  for (let k = 0; k < n; k++) {
    const kind = rng.weighted({ task: 4, index: 3, nested: depth < 2 ? 1 : 0 });
    // The index launch domain: a random partition's colours (the requirements then fit it).
    const part = kind === 'index' ? g.randomPart() : undefined;
    const dom = part ? g.randomDomain(part) : undefined;
    const pts = dom ? points(dom) : [undefined];
    if (kind === 'index' && !dom) continue;
    if (kind !== 'nested' && (rng.chance(0.2) || !parent.length) && rng.chance(0.7) && g.has('violations')) {
      const v = violatingReq(g, parent, pts);
      if (v) {
        const reqs = g.buildReqs(pts, v.req, () => validChildReq(g, parent, pts), 2);
        if (reqs[0] === v.req) {
          const common = {
            uid: g.uid(),
            variant: g.variant(),
            reqs,
            futures: [] as FutureRef[],
            await: false,
            violation: v.why,
          };
          out.push(dom ? { kind: 'index', domain: dom, ...common } : { kind: 'task', ...common });
          break;
        }
      }
    }
    if (kind === 'nested') {
      const reqs = parentReqs(g, parent);
      const op: NestedOp = {
        kind: 'nested',
        uid: g.uid(),
        reqs,
        own: reqs.length > 0 && rng.chance(0.6),
        children: [],
      };
      op.children = children(g, reqs, depth + 1);
      const s = g.settleAtomic(op, (st) => atomicOk(siblings, st));
      siblings.push(s);
      out.push({ ...op, await: rng.chance(0.3) });
      continue;
    }
    const reqs = g.buildReqs(pts, undefined, () => validChildReq(g, parent, pts), 3, parent.length ? 1 : 0);
    if (!reqs.length && parent.length) continue;
    const common = { uid: g.uid(), variant: g.variant(), reqs, futures: g.pickFutures(refs, 0.3) };
    const op = dom ? { kind: 'index' as const, domain: dom, ...common } : { kind: 'task' as const, ...common };
    g.maybeAtomic(op.reqs, 0.15);
    g.maybeDelay(op, 0.1);
    const s = g.settleAtomic(op, (st) => atomicOk(siblings, st));
    siblings.push(s);
    refs.push(...g.futureRefs(op));
    out.push({ ...op, await: rng.chance(0.3) });
  }
  return out;
}

/** A top-level nested parent and its program-order step. */
export function nestedOp(g: Gen): { op: NestedOp; step: Step } | undefined {
  const reqs = parentReqs(g, undefined);
  const op: NestedOp = { kind: 'nested', uid: g.uid(), reqs, own: reqs.length > 0 && g.rng.chance(0.6), children: [] };
  op.children = children(g, reqs, 1);
  if (!op.children.length) return undefined;
  return { op, step: g.settleAtomic(op, (st) => atomicOk(g.history, st)) };
}
