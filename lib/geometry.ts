/** Points and rectangles (1 to 3 dimensions, inclusive bounds). */

/** A point: a number (1-D) or an array of 1 to 3 integers. */
export type Coord = number | readonly number[];

/** An inclusive rectangle of points. */
export interface RectLike {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** Normalizes a coordinate to an array of integers, with a clear error. */
export function toPoint(c: Coord, what = 'point'): number[] {
  const p = typeof c === 'number' ? [c] : [...c];
  if (p.length < 1 || p.length > 3) throw new RangeError(`${what} must have 1 to 3 coordinates, got ${p.length}`);
  p.forEach((x, i) => {
    const name = typeof c === 'number' ? what : `${what}[${i}]`;
    if (typeof x !== 'number') throw new TypeError(`${name} must be a number, got ${typeof x}`);
    if (!Number.isInteger(x)) throw new RangeError(`${name} must be an integer, got ${String(x)}`);
  });
  return p;
}

/** `Rect(0, 99)`, `Rect([0, 0], [9, 19])`: the inclusive rectangle lo..hi. */
export function Rect(lo: Coord, hi: Coord): RectLike {
  const l = toPoint(lo, 'rect lo');
  const h = toPoint(hi, 'rect hi');
  if (l.length !== h.length)
    throw new RangeError(`rect lo ${JSON.stringify(l)} and hi ${JSON.stringify(h)} have different dimensions`);
  return { lo: l, hi: h };
}

/** Number of points of a rect (0 if empty). */
export function volume(r: RectLike): number {
  let v = 1;
  for (let d = 0; d < r.lo.length; d++) v *= Math.max(0, r.hi[d] - r.lo[d] + 1);
  return v;
}

/** Every point of a rect in row-major order (last dimension fastest). */
export function* pointsOf(r: RectLike): Generator<number[]> {
  if (volume(r) === 0) return;
  const p = [...r.lo];
  for (;;) {
    yield [...p];
    let d = p.length - 1;
    while (d >= 0) {
      if (p[d] < r.hi[d]) {
        p[d]++;
        break;
      }
      p[d] = r.lo[d];
      d--;
    }
    if (d < 0) return;
  }
}

/** Row-major index of point p inside rect r. */
export function linearize(r: RectLike, p: readonly number[]): number {
  let idx = 0;
  for (let d = 0; d < r.lo.length; d++) idx = idx * (r.hi[d] - r.lo[d] + 1) + (p[d] - r.lo[d]);
  return idx;
}

/** True when p lies in r. */
export function contains(r: RectLike, p: readonly number[]): boolean {
  if (p.length !== r.lo.length) return false;
  for (let d = 0; d < p.length; d++) if (p[d] < r.lo[d] || p[d] > r.hi[d]) return false;
  return true;
}

/**
 * The one normalisation of a domain or bounds argument: a rect, a point
 * count `n` (meaning `Rect(0, n - 1)`) or a one-element coordinate array,
 * into a rect with integer coordinates. `where` names the call and `noun`
 * the argument in errors.
 * @internal
 */
export function toDomain(given: RectLike | Coord, where: string, noun = 'domain'): RectLike {
  if (typeof given === 'number' && !(Number.isInteger(given) && given >= 0)) {
    throw new RangeError(`${where}: ${noun} given as a point count must be a non-negative integer, got ${given}`);
  }
  const rect =
    typeof given === 'number' || Array.isArray(given)
      ? Rect(0, toPoint(given as Coord, `${where}: ${noun}`)[0] - 1)
      : (given as RectLike);
  if (typeof rect !== 'object' || rect === null || !rect.lo || !rect.hi) {
    throw new TypeError(`${where}: ${noun} must be a rect such as Rect(0, 9) or a point count, got ${String(rect)}`);
  }
  const d = Rect(toPoint(rect.lo, `${where}: ${noun} lo`), toPoint(rect.hi, `${where}: ${noun} hi`));
  for (const x of [...d.lo, ...d.hi]) {
    if (!Number.isSafeInteger(x)) throw new RangeError(`${where}: ${noun} coordinates must be safe integers, got ${x}`);
  }
  return d;
}
