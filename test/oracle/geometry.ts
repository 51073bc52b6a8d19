/** Plain rect arithmetic for the oracle (independent of lib/geometry.ts). */

/** An inclusive box; empty when hi < lo in some dimension. */
export interface Box {
  lo: number[];
  hi: number[];
}

export function box(lo: number[], hi: number[]): Box {
  return { lo: [...lo], hi: [...hi] };
}

export function isEmpty(b: Box): boolean {
  for (let d = 0; d < b.lo.length; d++) if (b.hi[d] < b.lo[d]) return true;
  return false;
}

export function boxVolume(b: Box): number {
  let v = 1;
  for (let d = 0; d < b.lo.length; d++) v *= Math.max(0, b.hi[d] - b.lo[d] + 1);
  return v;
}

export function intersect(a: Box, b: Box): Box {
  return { lo: a.lo.map((x, d) => Math.max(x, b.lo[d])), hi: a.hi.map((x, d) => Math.min(x, b.hi[d])) };
}

export function overlaps(a: Box, b: Box): boolean {
  return !isEmpty(intersect(a, b));
}

export function inBox(b: Box, p: readonly number[]): boolean {
  for (let d = 0; d < b.lo.length; d++) if (p[d] < b.lo[d] || p[d] > b.hi[d]) return false;
  return true;
}

export function inRects(rects: readonly Box[], p: readonly number[]): boolean {
  return rects.some((r) => inBox(r, p));
}

export function rectsOverlap(a: readonly Box[], b: readonly Box[]): boolean {
  return a.some((x) => b.some((y) => overlaps(x, y)));
}

/** Row-major points of a box (last dimension fastest). */
export function points(b: Box): number[][] {
  const out: number[][] = [];
  if (isEmpty(b)) return out;
  if (b.lo.length === 1) {
    for (let x = b.lo[0]; x <= b.hi[0]; x++) out.push([x]);
  } else {
    for (let x = b.lo[0]; x <= b.hi[0]; x++) for (let y = b.lo[1]; y <= b.hi[1]; y++) out.push([x, y]);
  }
  return out;
}

export function pointsOfRects(rects: readonly Box[]): number[][] {
  return rects.flatMap((r) => points(r));
}

/** The smallest box holding all the rects (an empty box when there are none). */
export function boundingBox(rects: readonly Box[], dim: number): Box {
  const ne = rects.filter((r) => !isEmpty(r));
  if (ne.length === 0) return { lo: new Array<number>(dim).fill(0), hi: new Array<number>(dim).fill(-1) };
  return {
    lo: ne[0].lo.map((_, d) => Math.min(...ne.map((r) => r.lo[d]))),
    hi: ne[0].hi.map((_, d) => Math.max(...ne.map((r) => r.hi[d]))),
  };
}

/** Row-major index of p in b. */
export function linear(b: Box, p: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < b.lo.length; d++) i = i * (b.hi[d] - b.lo[d] + 1) + (p[d] - b.lo[d]);
  return i;
}

export function fmtPoint(p: readonly number[]): string {
  return p.length === 1 ? String(p[0]) : `(${p.join(',')})`;
}

export function fmtBox(b: Box): string {
  return b.lo.length === 1 ? `[${b.lo[0]}..${b.hi[0]}]` : `[${b.lo.join(',')}..${b.hi.join(',')}]`;
}

export function pointKey(p: readonly number[]): string {
  return p.join(',');
}
