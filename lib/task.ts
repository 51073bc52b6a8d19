import type { Value } from './codec';
import type { Future } from './future';
import type { LaunchOptions, Runtime } from './runtime';

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
  ) {}
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
  ) {}

  /** Launches a subtask (see {@link Runtime.launch}). */
  launch<TA extends unknown[], TR>(task: Task<TA, TR>, args: TA, options?: LaunchOptions): Future<TR> {
    return this.runtime.launch(task, args, options);
  }
}

/** The body of a TS task. It may be async; it may return a Future to chain. */
export type TaskBody<A extends unknown[], R> = (ctx: TaskContext, ...args: A) => R | Future<R> | Promise<R | Future<R>>;
