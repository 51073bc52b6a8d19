import { contains, linearize, pointsOf, RectLike, toPoint, Coord } from './geometry';
import { Future } from './future';

/** The futures of an index launch, one per point of its domain. */
export class FutureMap<T> {
  /** @internal */
  constructor(
    /** The launch domain. */
    readonly domain: RectLike,
    private readonly futures: Future<T>[],
  ) {}

  /** The future of one point. */
  get(point: Coord): Future<T> {
    const p = toPoint(point, 'point');
    if (!contains(this.domain, p))
      throw new RangeError(`point ${JSON.stringify(p)} is outside the launch domain ${JSON.stringify(this.domain)}`);
    return this.futures[linearize(this.domain, p)];
  }

  /** Resolves once every point finished; rejects with the first failure. */
  async waitAll(): Promise<void> {
    await Promise.all(this.futures.map((f) => f.get()));
  }

  /** Every point's value, in row-major point order. */
  values(): Promise<T[]> {
    return Promise.all(this.futures.map((f) => f.get()));
  }

  /** [point, future] pairs in row-major order. */
  *entries(): Generator<[number[], Future<T>]> {
    let i = 0;
    for (const p of pointsOf(this.domain)) yield [p, this.futures[i++]];
  }

  /** @internal */
  all(): Future<T>[] {
    return this.futures;
  }
}
