/**
 * Physical regions: what a TS task (or an inline mapping) sees of its
 * region requirements. Each field is a typed array over the runtime's
 * storage (zero copy), starting at the region's lower corner.
 */
import { RectLike } from './geometry';
import type { FieldViewInfo, RegionViewInfo } from './native';
import type { Privilege } from './regions';

/** The typed array type of each field type. */
export type FieldArray = Float64Array | Float32Array | BigInt64Array | Int32Array | Uint32Array | Uint8Array;

const CTORS = [Float64Array, Float32Array, BigInt64Array, Int32Array, Uint32Array, Uint8Array] as const;
const PRIVILEGES: Privilege[] = ['read-only', 'read-write', 'write-discard', 'reduce'];

/**
 * Looks up (and caches) the ArrayBuffer over one field's storage: the
 * forest's, or (`rankStore`, a generation) this rank's copy of a tree of rank 0.
 */
export type StorageLookup = (tree: number, field: number, rankStore?: number) => ArrayBuffer;

/** One field of a physical region. */
export class FieldView<T extends FieldArray = FieldArray> {
  /**
   * The elements: index 0 is the region's lower corner; for 2-D and 3-D the
   * element at point p is at {@link index}(p) (rows are windows into the
   * whole region, `strides` apart).
   */
  readonly data: T;
  /** Elements per step along each dimension (the last is 1). */
  readonly strides: readonly number[];
  /** The rect this view covers. */
  readonly bounds: RectLike;

  /** @internal */
  constructor(info: FieldViewInfo, buffer: ArrayBuffer) {
    const Ctor = CTORS[info.type];
    // Elements from the lower corner to the upper one; none for an empty
    // rect (which must not alias the element at `offset`).
    let span = 1;
    for (let d = 0; d < info.lo.length; d++) {
      if (info.hi[d] < info.lo[d]) {
        span = 0;
        break;
      }
      span += (info.hi[d] - info.lo[d]) * info.strides[d];
    }
    this.data = new Ctor(buffer, span === 0 ? 0 : info.offset * Ctor.BYTES_PER_ELEMENT, span) as T;
    this.strides = info.strides;
    this.bounds = { lo: info.lo, hi: info.hi };
  }

  /** Position in `data` of point p (absolute coordinates). */
  index(...p: number[]): number {
    let i = 0;
    for (let d = 0; d < p.length; d++) i += (p[d] - this.bounds.lo[d]) * this.strides[d];
    return i;
  }
}

/** The fields of one region requirement, as typed arrays. */
export class PhysicalRegion {
  /** The region's bounding rect. */
  readonly bounds: RectLike;
  /** The privilege the requirement asked for. */
  readonly privilege: Privilege;
  /**
   * The exact rects of the region (usually one, equal to `bounds`). A piece
   * of an explicit partition may have several: its fields are seen through
   * the bounding rect, and only these rects belong to it.
   */
  readonly rects: RectLike[];
  private readonly views = new Map<string, FieldView>();

  /** @internal */
  constructor(info: RegionViewInfo, storage: StorageLookup) {
    this.privilege = PRIVILEGES[info.privilege];
    const first = info.fields[0];
    this.bounds = first ? { lo: first.lo, hi: first.hi } : { lo: [0], hi: [-1] };
    this.rects = (info.rects ?? []).map(([lo, hi]) => ({ lo, hi }));
    for (const f of info.fields)
      this.views.set(f.name, new FieldView(f, f.shadow ?? storage(info.tree, f.id, info.rankStore)));
  }

  /** The typed array of a field (index 0 = the region's lower corner). */
  field<T extends FieldArray = Float64Array>(name: string): T {
    return this.view<T>(name).data;
  }

  /** The field with its bounds and strides (for 2-D and 3-D). */
  view<T extends FieldArray = Float64Array>(name: string): FieldView<T> {
    const v = this.views.get(name);
    if (!v)
      throw new Error(`this region requirement has no field '${name}'; it has ${[...this.views.keys()].join(', ')}`);
    return v as FieldView<T>;
  }

  /** Names of the fields this requirement gives access to. */
  get fieldNames(): string[] {
    return [...this.views.keys()];
  }
}
