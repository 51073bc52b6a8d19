/**
 * The oracle's deterministic integer kernel, in TS. Its C++ twin is
 * `oracle_op` in test/kernels/oracle_kernels.cc (see the layout and the
 * formulas there); the two must agree bit for bit. The TS task variant and
 * the sequential interpreter both run this function, over typed arrays and
 * over plain arrays respectively.
 */
import { Box, inRects, pointsOfRects } from './geometry';

/** Requirement modes of the descriptor. */
export const MODE = { ro: 0, rw: 1, wd: 2, sum: 3, max: 4, min: 5, prod: 6 } as const;

/** One requirement as the kernel sees it. */
export interface KReq {
  mode: number;
  dim: number;
  /** One tag per field: tree index * 8 + field index (names the field `f<index>`). */
  tags: number[];
  /** The exact points of the requirement's region. */
  rects: Box[];
}

export interface KDesc {
  op: number;
  /** How many futures the task receives (their values are mixed into the digest, in order). */
  futures: number;
  /** Microseconds the C++ variant busy-waits before it starts (to shuffle the order tasks finish in); the TS variant ignores it. */
  delay: number;
  reqs: KReq[];
}

export function tagOf(tree: number, field: number): number {
  return tree * 8 + field;
}
export function treeOfTag(tag: number): number {
  return tag >> 3;
}
export function fieldOfTag(tag: number): number {
  return tag & 7;
}
export function fieldName(field: number): string {
  return `f${field}`;
}

export function encodeDesc(d: KDesc): Int32Array {
  const out: number[] = [d.op, d.futures, d.delay, d.reqs.length];
  for (const q of d.reqs) {
    out.push(q.mode, q.dim, q.tags.length, ...q.tags, q.rects.length);
    for (const r of q.rects) out.push(...r.lo, ...r.hi);
  }
  return Int32Array.from(out);
}

export function decodeDesc(a: Int32Array): KDesc {
  let at = 0;
  const next = (): number => {
    if (at >= a.length) throw new Error('oracle kernel: truncated descriptor');
    return a[at++];
  };
  const op = next();
  const futures = next();
  const delay = next();
  const n = next();
  const reqs: KReq[] = [];
  for (let r = 0; r < n; r++) {
    const mode = next();
    const dim = next();
    const nf = next();
    const tags: number[] = [];
    for (let k = 0; k < nf; k++) tags.push(next());
    const nr = next();
    const rects: Box[] = [];
    for (let i = 0; i < nr; i++) {
      const lo: number[] = [];
      const hi: number[] = [];
      for (let k = 0; k < dim; k++) lo.push(next());
      for (let k = 0; k < dim; k++) hi.push(next());
      rects.push({ lo, hi });
    }
    reqs.push({ mode, dim, tags, rects });
  }
  return { op, futures, delay, reqs };
}

export function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return h >>> 0;
}

export function coordHash(c: readonly number[]): number {
  let h = 0x51ed27;
  for (const x of c) h = mix(h, x);
  return h;
}

export function pointHash(point: readonly number[] | undefined): number {
  if (!point || point.length === 0) return 0x7f4a7c15;
  let h = 0x2545f491;
  for (const x of point) h = mix(h, x);
  return h;
}

/** Element access of the kernel: values as plain numbers (i64 ones are small enough to be exact). */
export interface KernelAccess {
  get(r: number, k: number, c: readonly number[]): number;
  /** Stores v, wrapped to the field's type. */
  set(r: number, k: number, c: readonly number[], v: number): void;
}

const reads = (mode: number): boolean => mode === MODE.ro || mode === MODE.rw;
const writes = (mode: number): boolean => mode !== MODE.ro;

/** e, then e-1 and e+1 along each dimension. */
function neighbours(c: readonly number[]): number[][] {
  const out = [[...c]];
  for (let d = 0; d < c.length; d++) {
    for (const s of [-1, 1]) {
      const n = [...c];
      n[d] += s;
      out.push(n);
    }
  }
  return out;
}

/** Runs the kernel; returns its digest g of everything it read (futures: the values of its futures, digests of other tasks). */
export function runKernel(
  d: KDesc,
  point: readonly number[] | undefined,
  acc: KernelAccess,
  futures: readonly unknown[] = [],
): number {
  if (futures.length !== d.futures)
    throw new Error(`oracle kernel: ${futures.length} futures, the descriptor says ${d.futures}`);
  let g = mix(mix(0xabcdef, d.op), pointHash(point));
  for (const f of futures) {
    if (typeof f !== 'number') throw new Error(`oracle kernel: a future holds ${JSON.stringify(f)}, expected a digest`);
    g = mix(g, f >>> 0);
  }
  const snap = new Map<string, number>();
  const key = (r: number, k: number, c: readonly number[]): string => `${r}|${k}|${c.join(',')}`;
  d.reqs.forEach((q, r) => {
    if (!reads(q.mode)) return;
    q.tags.forEach((tag, k) => {
      for (const c of pointsOfRects(q.rects)) {
        const v = acc.get(r, k, c);
        snap.set(key(r, k, c), v);
        g = (g + mix(mix((tag + 256 * r) >>> 0, coordHash(c)), v >>> 0)) >>> 0;
      }
    });
  });
  d.reqs.forEach((q, w) => {
    if (!writes(q.mode)) return;
    q.tags.forEach((tag, j) => {
      for (const c of pointsOfRects(q.rects)) {
        let L = 0;
        const nbs = neighbours(c);
        d.reqs.forEach((rr, r) => {
          if (!reads(rr.mode) || rr.dim !== q.dim) return;
          rr.tags.forEach((_, k) => {
            nbs.forEach((n, t) => {
              if (!inRects(rr.rects, n)) return;
              const v = snap.get(key(r, k, n));
              if (v === undefined) throw new Error('oracle kernel: neighbour missing from snapshot');
              L = (L + Math.imul(v >>> 0, 2 * t + 1 + 16 * k + 256 * r)) >>> 0;
            });
          });
        });
        const base = mix(mix(mix(g, (tag + 256 * w) >>> 0), coordHash(c)), L);
        switch (q.mode) {
          case MODE.rw: {
            const old = snap.get(key(w, j, c));
            if (old === undefined) throw new Error('oracle kernel: read-write element missing from snapshot');
            acc.set(w, j, c, (mix(base, old >>> 0) & 0x7fffffff) >>> 0);
            break;
          }
          case MODE.wd:
            acc.set(w, j, c, (base & 0x7fffffff) >>> 0);
            break;
          case MODE.sum:
            acc.set(w, j, c, acc.get(w, j, c) + (base & 0xfffff));
            break;
          case MODE.max:
            acc.set(w, j, c, Math.max(acc.get(w, j, c), base & 0xfffff));
            break;
          case MODE.min:
            acc.set(w, j, c, Math.min(acc.get(w, j, c), base & 0xfffff));
            break;
          case MODE.prod:
            // Modulo 2^32 by an odd factor: commutative, and exact in doubles.
            acc.set(w, j, c, Math.imul(acc.get(w, j, c) >>> 0, 1 + 2 * (base & 7)) >>> 0);
            break;
          default:
            throw new Error(`oracle kernel: bad mode ${q.mode}`);
        }
      }
    });
  });
  return g;
}

/** The value an inline mapping with write access stores at c (old: the value it found). */
export function mapWriteValue(op: number, tag: number, c: readonly number[], old: number): number {
  return (mix(mix(mix(mix(0x3c6ef372, op), tag), coordHash(c)), old >>> 0) & 0x7fffffff) >>> 0;
}
