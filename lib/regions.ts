/**
 * Logical regions, partitions and region requirements: what tasks say
 * they touch and how. Created through {@link Runtime}.
 */
import { contains, Coord, RectLike, toPoint } from './geometry';
import { LaunchEncoder, RequirementKind } from './launch-encoding';
import { native } from './native';

/** Element types of fields. */
export type FieldType = 'f64' | 'f32' | 'i64' | 'i32' | 'u32' | 'u8';
/** Field name to element type, e.g. `{ x: 'f64', count: 'i32' }`. */
export type FieldSpec = Record<string, FieldType>;

/** Built-in reduction operators. */
export type ReductionOp = 'sum' | 'product' | 'min' | 'max';
/** A built-in operator, or the id of one a task library registered (`lib.reduction(name)`). */
export type Reduction = ReductionOp | number;
export const REDOP_IDS: Record<ReductionOp, number> = { sum: 1, product: 2, min: 3, max: 4 };

/** How a task accesses a region. */
export type Privilege = 'read-only' | 'read-write' | 'write-discard' | 'reduce';
export const PRIVILEGE_IDS: Record<Privilege, number> = {
  'read-only': 0,
  'read-write': 1,
  'write-discard': 2,
  reduce: 3,
};
/** Coherence, with Legion's meaning: exclusive (program order), atomic (any order, one at a time), simultaneous (no ordering at all). */
export type Coherence = 'exclusive' | 'atomic' | 'simultaneous';
const COHERENCE_IDS: Record<Coherence, number> = { exclusive: 0, atomic: 1, simultaneous: 2 };

/** @internal */
export interface RegionInfo {
  tree: number;
  node: number;
  lo: number[];
  hi: number[];
  volume: number;
  rects: [number[], number[]][];
}

/** Shared state of one region tree: its field ids and whether it was destroyed. */
export class RegionTree {
  destroyed = false;
  /** @internal */
  constructor(
    readonly id: number,
    readonly fieldIds: ReadonlyMap<string, number>,
    readonly fieldTypes: ReadonlyMap<string, FieldType>,
  ) {}

  /** @internal */
  fieldId(name: string, where: string): number {
    const id = this.fieldIds.get(name);
    if (id === undefined) {
      throw new Error(
        `${where}: region tree ${this.id} has no field '${name}'; its fields are ${[...this.fieldIds.keys()].join(', ')}`,
      );
    }
    return id;
  }
  /** @internal */
  check(where: string): void {
    if (this.destroyed) throw new Error(`${where}: region tree ${this.id} was destroyed`);
  }
}

/** What a requirement needs of a region, whatever its field types. */
export interface RegionRef {
  readonly tree: RegionTree;
  readonly node: number;
  readonly fieldNames: string[];
  handle(): [number, number];
}
/** What a requirement needs of a partition. */
export interface PartitionRef {
  readonly parent: RegionRef;
  readonly node: number;
}

/** A logical region: an index space (rect) times a set of fields. */
export class Region<F extends FieldSpec = FieldSpec> {
  /** The bounding rect of the region's points. */
  readonly bounds: RectLike;
  /** Number of points. */
  readonly volume: number;
  /** The exact rects the region is made of (usually one). */
  readonly rects: RectLike[];

  /** @internal */
  constructor(
    readonly tree: RegionTree,
    readonly node: number,
    info: RegionInfo,
  ) {
    this.bounds = { lo: info.lo, hi: info.hi };
    this.volume = info.volume;
    this.rects = info.rects.map(([lo, hi]) => ({ lo, hi }));
  }

  /** Names of the region's fields. */
  get fieldNames(): string[] {
    return [...this.tree.fieldIds.keys()];
  }

  /** Requirement: read the fields (all fields if none given). */
  read(...fields: (keyof F & string)[]): RegionRequirement {
    return new RegionRequirement(this, fields, 'read-only');
  }
  /** Requirement: read and write the fields. */
  readWrite(...fields: (keyof F & string)[]): RegionRequirement {
    return new RegionRequirement(this, fields, 'read-write');
  }
  /** Requirement: overwrite the fields without reading them. */
  writeDiscard(...fields: (keyof F & string)[]): RegionRequirement {
    return new RegionRequirement(this, fields, 'write-discard');
  }
  /** Requirement: fold contributions into the fields with `op`. */
  reduce(op: Reduction, ...fields: (keyof F & string)[]): RegionRequirement {
    return new RegionRequirement(this, fields, 'reduce', op);
  }

  /** @internal */
  handle(): [number, number] {
    return [this.tree.id, this.node];
  }
}

/** A partition of a region into subregions named by colors. */
export class Partition<F extends FieldSpec = FieldSpec> {
  /** No two subregions share a point. */
  readonly disjoint: boolean;
  /** The subregions cover the parent. */
  readonly complete: boolean;
  /** The colors of the subregions. */
  readonly colorSpace: RectLike;
  private readonly children = new Map<string, Region<F>>();

  /** @internal */
  constructor(
    readonly parent: Region<F>,
    readonly node: number,
    info: { disjoint: boolean; complete: boolean; colorLo: number[]; colorHi: number[] },
  ) {
    this.disjoint = info.disjoint;
    this.complete = info.complete;
    this.colorSpace = { lo: info.colorLo, hi: info.colorHi };
  }

  /** The subregion of `color`. */
  subregion(color: Coord): Region<F> {
    this.parent.tree.check('subregion');
    const c = toPoint(color, 'color');
    if (!contains(this.colorSpace, c)) {
      throw new RangeError(
        `color ${JSON.stringify(c)} is outside the partition's color space ${JSON.stringify(this.colorSpace)}`,
      );
    }
    const key = c.join(',');
    let r = this.children.get(key);
    if (!r) {
      const info = native.subregion(this.parent.tree.id, this.node, c);
      r = new Region<F>(this.parent.tree, info.node, info);
      this.children.set(key, r);
    }
    return r;
  }

  /** Index-launch requirement: point p reads subregion p (identity projection). */
  read(...fields: (keyof F & string)[]): PartitionRequirement {
    return new PartitionRequirement(this, fields, 'read-only');
  }
  readWrite(...fields: (keyof F & string)[]): PartitionRequirement {
    return new PartitionRequirement(this, fields, 'read-write');
  }
  writeDiscard(...fields: (keyof F & string)[]): PartitionRequirement {
    return new PartitionRequirement(this, fields, 'write-discard');
  }
  reduce(op: Reduction, ...fields: (keyof F & string)[]): PartitionRequirement {
    return new PartitionRequirement(this, fields, 'reduce', op);
  }
}

/**
 * Chooses the subregion (by color) that each point of an index launch
 * accesses. Must be a pure function of its inputs.
 */
export abstract class ProjectionFunctor {
  /** The color of the subregion point `point` of `launchDomain` accesses. */
  abstract project(point: number[], launchDomain: RectLike): Coord;
}

abstract class RequirementBase {
  coherence: Coherence = 'exclusive';
  /** @internal */
  constructor(
    readonly fields: string[],
    readonly privilege: Privilege,
    readonly redop?: Reduction,
  ) {
    if (typeof redop === 'number' && (!Number.isInteger(redop) || redop < 1)) {
      throw new RangeError(
        `reduce: a reduction operator id must be a positive integer (from lib.reduction(name)), got ${redop}`,
      );
    }
    if (typeof redop === 'string' && !(redop in REDOP_IDS)) {
      throw new RangeError(
        `reduce: unknown reduction '${redop}'; built-ins are sum, product, min, max (others come from lib.reduction(name))`,
      );
    }
  }
  /** Atomic coherence: tasks may run in any order, never at the same time. */
  atomic(): this {
    this.coherence = 'atomic';
    return this;
  }
  /** Simultaneous coherence: no ordering at all (the tasks synchronize themselves). */
  simultaneous(): this {
    this.coherence = 'simultaneous';
    return this;
  }
  /** @internal Appends this requirement of an index launch to `out`. */
  protected encodeAccess(
    out: LaunchEncoder,
    kind: RequirementKind,
    tree: RegionTree,
    node: number,
    where: string,
    allFields: string[],
    offset?: readonly number[],
  ): void {
    out.requirement(
      kind,
      tree.id,
      node,
      PRIVILEGE_IDS[this.privilege],
      this.redopId(),
      COHERENCE_IDS[this.coherence],
      this.fieldIds(tree, where, allFields),
      offset,
    );
  }
  /** The ids of the fields it names (all of `allFields` when it names none). */
  private fieldIds(tree: RegionTree, where: string, allFields: string[]): number[] {
    const names = this.fields.length ? this.fields : allFields;
    return names.map((n) => tree.fieldId(n, where));
  }
  /** Its reduction operator's id, or 0 for none. */
  private redopId(): number {
    return this.redop === undefined ? 0 : typeof this.redop === 'number' ? this.redop : REDOP_IDS[this.redop];
  }
  /** @internal */
  protected access(
    tree: RegionTree,
    where: string,
    allFields: string[],
  ): { fields: number[]; privilege: number; redop: number; coherence: number } {
    return {
      fields: this.fieldIds(tree, where, allFields),
      privilege: PRIVILEGE_IDS[this.privilege],
      redop: this.redopId(),
      coherence: COHERENCE_IDS[this.coherence],
    };
  }
}

/** A region, the fields of it a task touches, and how. */
export class RegionRequirement extends RequirementBase {
  /** @internal */
  constructor(
    readonly region: RegionRef,
    fields: string[],
    privilege: Privilege,
    redop?: Reduction,
  ) {
    super(fields, privilege, redop);
  }
  /** @internal */
  toNative(where: string): object {
    this.region.tree.check(where);
    return { region: this.region.handle(), ...this.access(this.region.tree, where, this.region.fieldNames) };
  }
  /** @internal As a requirement of an index launch: every point gets the whole region. */
  encode(out: LaunchEncoder, where: string): void {
    this.region.tree.check(where);
    this.encodeAccess(out, RequirementKind.Region, this.region.tree, this.region.node, where, this.region.fieldNames);
  }
}

/** A partition requirement of an index launch, with its projection. */
export class PartitionRequirement extends RequirementBase {
  private projection:
    { kind: 'identity' } | { kind: 'offset'; offset: number[] } | { kind: 'functor'; functor: ProjectionFunctor } = {
    kind: 'identity',
  };

  /** @internal */
  constructor(
    readonly partition: PartitionRef,
    fields: string[],
    privilege: Privilege,
    redop?: Reduction,
  ) {
    super(fields, privilege, redop);
  }

  /** Point p accesses subregion p + offset (e.g. `offset(1)` for a right neighbour). */
  offset(offset: Coord): this {
    this.projection = { kind: 'offset', offset: toPoint(offset, 'projection offset') };
    return this;
  }
  /** Point p accesses the subregion `functor.project(p, domain)`. */
  project(functor: ProjectionFunctor): this {
    this.projection = { kind: 'functor', functor };
    return this;
  }

  /**
   * @internal The colors a TS projection functor chooses for every point of
   * an index launch over `domain`, or undefined for the other projections.
   * Called before the launch is encoded: it is user code, and may launch too.
   */
  colorsFor(where: string, domain: RectLike, points: () => number[][]): object | undefined {
    if (this.projection.kind !== 'functor') return undefined;
    const functor = this.projection.functor;
    const pts = points();
    const colors = pts.map((p) =>
      toPoint(functor.project([...p], domain), `color returned by ${functor.constructor.name}.project`),
    );
    return { points: pts, colors };
  }
  /** @internal Appends this requirement (its colors, if any, come from colorsFor). */
  encode(out: LaunchEncoder, where: string): void {
    const tree = this.partition.parent.tree;
    tree.check(where);
    const fields = this.partition.parent.fieldNames;
    const p = this.projection;
    if (p.kind === 'identity')
      this.encodeAccess(out, RequirementKind.Identity, tree, this.partition.node, where, fields);
    else if (p.kind === 'offset')
      this.encodeAccess(out, RequirementKind.Offset, tree, this.partition.node, where, fields, p.offset);
    else this.encodeAccess(out, RequirementKind.Colors, tree, this.partition.node, where, fields);
  }
}
