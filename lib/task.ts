import type { Value } from './codec';
import type { Future } from './future';
import type { FutureMap } from './future-map';
import type { Coord, RectLike } from './geometry';
import type { PhysicalRegion } from './physical';
import type { ReductionOp } from './regions';
import type { IndexLaunchOptions, LaunchOptions, Runtime } from './runtime';

/** Properties of a task variant (as in Legion's TaskVariantRegistrar). */
export interface VariantOptions {
  /** Makes no runtime calls (no subtasks). */
  leaf?: boolean;
  /** Never touches region data itself; only launches subtasks. */
  inner?: boolean;
  /** Safe to run on every rank under control replication. */
  replicable?: boolean;
}

/**
 * A launchable task: returned by {@link Runtime.registerTask} (TS) or
 * {@link Library.task} (C++). `A` is the argument list, `R` the result.
 */
export class Task<A extends unknown[] = Value[], R = Value> {
  /** @internal phantom fields carrying the type parameters */
  declare readonly __args?: A;
  declare readonly __result?: R;

  /** @internal */
  constructor(
    /** The task's registered name. */
    readonly name: string,
    /** The runtime's id for this task. */
    readonly id: number,
    /** @internal */
    readonly runtime: Runtime,
  ) {
    this.launchLabel = `launch('${name}')`;
  }

  /** @internal How errors of its single launches begin (made once, not per launch). */
  readonly launchLabel: string;
}

/** What a TS task body receives besides its arguments. */
export class TaskContext {
  /** @internal */
  constructor(
    /** The runtime running this task (launch subtasks through it or `ctx.launch`). */
    readonly runtime: Runtime,
    /** The name of the running task. */
    readonly taskName: string,
    /** The id of the processor it runs on (the JS processor for TS tasks). */
    readonly processor: number,
    /** The values of the futures passed in `LaunchOptions.futures`, in order. */
    readonly futures: Value[],
    /** For a point task of an index launch, its point; otherwise undefined. */
    readonly point: number[] | undefined,
    /** The task's region requirements, in launch order, as typed arrays. */
    readonly regions: PhysicalRegion[] = [],
    /** @internal the running task's op id (its context for subtasks) */
    private readonly op = 0,
  ) {}

  // Made by the first subtask: most tasks launch none.
  private children: Future<unknown>[] | undefined;

  /** Region requirement `i` (typed arrays over the task's data). */
  region(i: number): PhysicalRegion {
    const r = this.regions[i];
    if (!r)
      throw new RangeError(
        `task '${this.taskName}' has ${this.regions.length} region requirements; there is no requirement ${i}`,
      );
    return r;
  }

  /**
   * Launches a subtask (see {@link Runtime.launch}). Its dependences are
   * analyzed among this task's children; this task completes only after
   * its children have.
   */
  launch<TA extends unknown[], TR>(task: Task<TA, TR>, args: TA, options: LaunchOptions = {}): Future<Awaited<TR>> {
    const f = this.runtime.launch(task, args, { ...options, parent: this.op });
    (this.children ??= []).push(f);
    return f;
  }

  /** Launches an index launch of subtasks (see {@link Runtime.indexLaunch}). */
  indexLaunch<TA extends unknown[], TR>(
    task: Task<TA, TR>,
    domain: RectLike | Coord,
    options: IndexLaunchOptions<TA> = {},
  ): FutureMap<Awaited<TR>> {
    const fm = this.runtime.indexLaunch(task, domain, { ...options, parent: this.op });
    (this.children ??= []).push(fm.settled());
    return fm;
  }

  /** An index launch whose point results are folded with `reduce`. */
  indexReduce<TA extends unknown[], TR>(
    task: Task<TA, TR>,
    domain: RectLike | Coord,
    reduce: ReductionOp,
    options: IndexLaunchOptions<TA> = {},
  ): Future<number> {
    const f = this.runtime.indexLaunch(task, domain, { ...options, reduce, parent: this.op });
    (this.children ??= []).push(f);
    return f;
  }

  /** @internal */
  childFutures(): readonly Future<unknown>[] | undefined {
    return this.children;
  }
}

/** The body of a TS task. It may be async; it may return a Future to chain. */
export type TaskBody<A extends unknown[], R> = (ctx: TaskContext, ...args: A) => R | Future<R> | Promise<R | Future<R>>;
