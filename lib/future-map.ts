import { BufferDecoder } from './codec';
import { contains, linearize, pointsOf, RectLike, toPoint, Coord, volume } from './geometry';
import { Future } from './future';
import { native, NativeFutureMap } from './native';
import type { Runtime } from './runtime';

// Small values are read into this buffer (decode copies what it keeps).
const scratch = new Uint8Array(4096);
const scratchDecoder = new BufferDecoder(scratch);

// Frees a map's native slot once its JS object is collected.
const maps = new FinalizationRegistry<NativeFutureMap>((slot) => native.releaseFutureMap(slot));

/**
 * The futures of an index launch, one per point of its domain. The launch
 * crosses from the runtime as one handle: a point's {@link Future} is made
 * only when asked for, so a launch of many points costs the JS thread no
 * work per point unless the program reads them.
 */
export class FutureMap<T> {
  private readonly points: (Future<T> | undefined)[] = [];
  private settledAll: Future<void> | undefined;

  /** @internal */
  constructor(
    /** The launch domain. */
    readonly domain: RectLike,
    private readonly handle: NativeFutureMap,
    private readonly runtime: Runtime,
  ) {
    maps.register(this, handle);
  }

  /** The number of points (of futures). */
  get size(): number {
    return volume(this.domain);
  }

  /** The future of one point. */
  get(point: Coord): Future<T> {
    const p = toPoint(point, 'point');
    if (!contains(this.domain, p))
      throw new RangeError(`point ${JSON.stringify(p)} is outside the launch domain ${JSON.stringify(this.domain)}`);
    return this.at(linearize(this.domain, p));
  }

  /**
   * Resolves once every point finished; rejects with the failure of the
   * first failed point in row-major order.
   */
  async waitAll(): Promise<void> {
    await this.settled().get();
    const failed = native.futureMapFirstFailed(this.handle);
    if (failed >= 0) await this.at(failed).get();
  }

  /** Every point's value, in row-major point order. */
  async values(): Promise<T[]> {
    await this.waitAll();
    const out: T[] = new Array<T>(this.size);
    for (let i = 0; i < out.length; ++i) {
      const n = native.futureMapValueInto(this.handle, i, scratch);
      out[i] = n >= 0 ? (scratchDecoder.decode(0, n) as T) : this.at(i).settled();
    }
    return out;
  }

  /** [point, future] pairs in row-major order. */
  *entries(): Generator<[number[], Future<T>]> {
    let i = 0;
    for (const p of pointsOf(this.domain)) yield [p, this.at(i++)];
  }

  /** @internal A future that resolves once every point finished, failed or not. */
  settled(): Future<void> {
    return (this.settledAll ??= new Future<void>(native.futureMapSettled(this.handle), this.runtime));
  }

  private at(i: number): Future<T> {
    return (this.points[i] ??= new Future<T>(native.futureMapPoint(this.handle, i), this.runtime));
  }
}
