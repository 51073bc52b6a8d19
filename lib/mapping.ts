/**
 * Mappers and sharding functors: placement policy as TypeScript classes.
 *
 * A mapper overrides only the callbacks it cares about; the others are
 * answered by the C++ default mapper without any JS call. The runtime calls
 * the overridden ones synchronously while a launch is issued (on the JS
 * thread) and validates every answer: a bad answer fails that launch with
 * an error naming the mapper, the callback, the task and the value.
 */
import type { Value } from './codec';
import { Coord, RectLike } from './geometry';
import { native } from './native';
import type { Privilege } from './regions';

/** A processor of the machine. */
export interface ProcessorInfo {
  /** Id used in mapper answers and reported by `ctx.processor`. */
  readonly id: number;
  /** 'cpu': a worker thread running C++ tasks; 'js': the JS thread running TS tasks. */
  readonly kind: 'cpu' | 'js';
  /** The rank (process) it belongs to. */
  readonly rank: number;
}

/** The machine as mappers see it. */
export interface Machine {
  readonly processors: readonly ProcessorInfo[];
  /** Number of ranks (processes); equals the shard count under control replication. */
  readonly ranks: number;
  /** This process's rank. */
  readonly rank: number;
}

/** A region requirement as a mapper sees it. */
export interface MappableRequirement {
  /** "region" for a single region, "partition" for a projected one. */
  readonly kind: 'region' | 'partition';
  readonly tree: number;
  readonly node: number;
  readonly fields: readonly string[];
  readonly privilege: Privilege;
}

/** The task (or index-launch point) a mapper callback is asked about. */
export interface MappableTask {
  readonly name: string;
  readonly id: number;
  /** For mapTask of an index-launch point: that point. */
  readonly point?: readonly number[];
  /** For index launches: the launch domain. */
  readonly launchDomain?: RectLike;
  readonly isIndexLaunch: boolean;
  readonly regions: readonly MappableRequirement[];
  /** The launch's tag (LaunchOptions.tag). */
  readonly tag: number;
  /** The launch's mapper argument (LaunchOptions.mapperArg). */
  readonly mapperArg: Value;
  /** The variants the task has. */
  readonly variants: readonly ('cpp' | 'ts')[];
}

/** Output of selectTaskOptions. */
export interface TaskOptions {
  /** Where to run (a processor id); default: any worker for C++, the JS processor for TS. */
  targetProcessor?: number;
  /** Run on the issuing (JS) processor: needs a TS variant. */
  inline?: boolean;
  /**
   * Replicate the task over ranks (control replication); replicateTask says
   * where. Not supported yet: `true` fails the launch with an error.
   */
  replicate?: boolean;
  /**
   * Where mapTask runs for the points of an index launch that the sharding
   * functor sends to another rank (and that mapTask on this rank left on
   * any processor): `true` (the default) maps them here; `false` maps them
   * on their rank, whose own mapper instance answers mapTask with that
   * rank's processors (variant, processor and priority), as Legion does
   * when a task is not mapped locally.
   */
  mapLocally?: boolean;
}

/** One slice of an index launch: the points of `domain` run on `processor`. */
export interface TaskSlice {
  domain: RectLike;
  processor: number;
}

/** Output of mapTask. */
export interface MapTaskOutput {
  /** Which variant runs (default: C++ when present). */
  variant?: 'cpp' | 'ts';
  /** Processor ids (from `machine.processors`) that may run it; the first is used. Must suit the variant. */
  targetProcessors?: number[];
  /**
   * An integer (default 0): among ready C++ tasks waiting for a worker,
   * higher runs first (equal ones in launch order). TS tasks on the JS
   * processor run in the order they became ready.
   */
  priority?: number;
}

/** Output of replicateTask. */
export interface ReplicateTaskOutput {
  /** One shard per listed rank. */
  shardRanks: number[];
}

/** The overridable callbacks; their ids (mask bits) come from the addon's one table. */
const CALLBACKS = ['selectTaskOptions', 'sliceTask', 'mapTask', 'selectShardingFunctor', 'replicateTask'] as const;
/** Callback ids as the core numbers them (cpp/mapping/mapper_callbacks.h). */
const IDS = native.mapperCallbacks;

/**
 * Base class of TS mappers. Override any of the callbacks; the rest are the
 * C++ default mapper's. `this.machine` is set when the mapper is registered.
 */
export abstract class Mapper {
  /** The machine, available once the mapper is registered. */
  machine!: Machine;
  /** @param name Names the mapper in errors and traces. */
  constructor(readonly name: string) {}

  /** Where a task runs, and whether it runs inline or replicated. */
  selectTaskOptions(_task: MappableTask): TaskOptions {
    return {};
  }
  /** How an index launch's domain is split into slices over processors. */
  sliceTask(task: MappableTask, domain: RectLike): TaskSlice[] {
    void task;
    return [{ domain, processor: -1 }];
  }
  /** Which variant runs a task (or a point), where, and with which priority. */
  mapTask(_task: MappableTask): MapTaskOutput {
    return {};
  }
  /** Which sharding functor assigns the launch's points to shards. */
  selectShardingFunctor(_task: MappableTask): number {
    return 0;
  }
  /** On which ranks a replicated task gets a shard. */
  replicateTask(_task: MappableTask): ReplicateTaskOutput {
    return { shardRanks: Array.from({ length: this.machine.ranks }, (_, i) => i) };
  }

  /** @internal bit i set when callback i is overridden by the subclass */
  overrides(): number {
    let mask = 0;
    for (const name of CALLBACKS) {
      if ((this as unknown as Record<string, unknown>)[name] !== Mapper.prototype[name]) mask |= 1 << IDS[name];
    }
    return mask;
  }
}

/**
 * Decides which shard owns each point of a launch. Must be a pure function:
 * every shard calls it and must get the same answer.
 */
export abstract class ShardingFunctor {
  constructor(readonly name: string) {}
  /** The owning shard of `point`, in [0, totalShards). */
  abstract shard(point: number[], domain: RectLike, totalShards: number): number;
}

/** Built-in sharding functor ids. */
export const CYCLIC_SHARDING = 0;
export const BLOCK_SHARDING = 1;

/** One point of an index launch as mapTask sees it: shares the launch's task object. */
class PointTask implements MappableTask {
  constructor(
    private readonly launch: MappableTask,
    readonly point: readonly number[],
  ) {}
  get name(): string {
    return this.launch.name;
  }
  get id(): number {
    return this.launch.id;
  }
  get launchDomain(): RectLike | undefined {
    return this.launch.launchDomain;
  }
  get isIndexLaunch(): boolean {
    return this.launch.isIndexLaunch;
  }
  get regions(): readonly MappableRequirement[] {
    return this.launch.regions;
  }
  get tag(): number {
    return this.launch.tag;
  }
  get mapperArg(): Value {
    return this.launch.mapperArg;
  }
  get variants(): readonly ('cpp' | 'ts')[] {
    return this.launch.variants;
  }
}

/** Mappers and functors of one runtime, and the dispatchers the core calls. @internal */
export class MappingRegistry {
  private readonly mappers = new Map<number, Mapper>();
  private readonly functors = new Map<number, ShardingFunctor>();

  constructor(private readonly machineInfo: () => Machine) {}

  addMapper(id: number, mapper: Mapper, replaceDefault: boolean): void {
    if (!(mapper instanceof Mapper)) throw new TypeError('addMapper: expected an instance of a Mapper subclass');
    if (!Number.isInteger(id) || id < 0)
      throw new RangeError(`addMapper: mapper id must be a non-negative integer, got ${id}`);
    mapper.machine = this.machineInfo();
    native.addMapper(id, mapper.name, mapper.overrides(), this.dispatchMapper, replaceDefault);
    this.mappers.set(id, mapper);
  }

  /** The machine grew (every rank joined): mappers see the new one. */
  machineChanged(): void {
    const machine = this.machineInfo();
    for (const mapper of this.mappers.values()) mapper.machine = machine;
  }

  registerShardingFunctor(id: number, functor: ShardingFunctor): void {
    if (!(functor instanceof ShardingFunctor))
      throw new TypeError('registerShardingFunctor: expected an instance of a ShardingFunctor subclass');
    native.registerShardingFunctor(id, functor.name, this.dispatchSharding);
    this.functors.set(id, functor);
  }

  // The core calls this with the task being mapped (built by the addon from
  // what the core knows of it, once per launch) and, for mapTask, the point
  // or every point of the launch (mapPoints).
  private readonly dispatchMapper = (
    mapperId: number,
    callback: number,
    task: MappableTask,
    point: number[] | number[][] | undefined,
  ): unknown => {
    const mapper = this.mappers.get(mapperId);
    if (!mapper) throw new Error(`no mapper ${mapperId}`);
    // A point's view shares everything else with the launch (no copy per call).
    const at = (p: number[]): MappableTask => new PointTask(task, p);
    if (callback === IDS.mapPoints) {
      return (point as number[][]).map((p) => {
        try {
          return synchronous('mapTask', mapper.mapTask(at(p)));
        } catch (e) {
          throw new Error(`at point (${p.join(',')}): ${e instanceof Error ? e.message : String(e)}`);
        }
      });
    }
    const t: MappableTask = point ? at(point as number[]) : task;
    switch (callback) {
      case IDS.selectTaskOptions:
        return synchronous('selectTaskOptions', mapper.selectTaskOptions(t));
      case IDS.sliceTask:
        return synchronous('sliceTask', mapper.sliceTask(t, task.launchDomain!));
      case IDS.mapTask:
        return synchronous('mapTask', mapper.mapTask(t));
      case IDS.selectShardingFunctor:
        return synchronous('selectShardingFunctor', mapper.selectShardingFunctor(t));
      case IDS.replicateTask:
        return synchronous('replicateTask', mapper.replicateTask(t));
      default:
        throw new Error(`unknown mapper callback id ${callback}`);
    }
  };

  private readonly dispatchSharding = (
    id: number,
    point: number[],
    lo: number[],
    hi: number[],
    total: number,
  ): number => this.functors.get(id)!.shard(point, { lo, hi }, total);
}

/** A mapper answer, refused if it is a Promise (the launch cannot wait for it). */
function synchronous<T>(callback: string, answer: T): T {
  if (typeof (answer as { then?: unknown } | null)?.then === 'function') {
    void (answer as PromiseLike<unknown>).then(undefined, () => undefined);
    throw new TypeError(
      `${callback} returned a Promise; mapper callbacks must answer synchronously (they run while the launch is issued), not be async`,
    );
  }
  return answer;
}

export type { Coord };
