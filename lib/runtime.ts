import { encode, encodeArgs, decode, Value } from './codec';
import { Future } from './future';
import { Library } from './library';
import { JsTaskItem, native, NativeFuture, WorkItem } from './native';
import { Task, TaskBody, TaskContext, VariantOptions } from './task';

/** Options of {@link Runtime.start}. */
export interface RuntimeOptions {
  /** Number of CPU worker threads for C++ tasks (default: one per core). */
  workers?: number;
}

/** Options of a single launch. */
export interface LaunchOptions {
  /** Futures the task waits for; their values reach the body (`ctx.futures` / `ctx.future(i)`). */
  futures?: Future<unknown>[];
  /** Which variant to run when the task has both (default: C++ when present). */
  variant?: 'cpp' | 'ts';
  /** Run on this worker (a C++ variant only). */
  worker?: number;
}

const VARIANT_CPP = 0;
const VARIANT_JS = 1;

let current: Runtime | undefined;

/**
 * The process-wide cohort runtime. `await Runtime.start()` starts it (or
 * returns the running one); tasks are registered and launched through it;
 * `await rt.shutdown()` waits for every launched task and joins the threads.
 * A script that never calls shutdown still exits once the runtime is idle.
 */
export class Runtime {
  /** Number of CPU worker threads. */
  readonly workers: number;
  /** Processor id of the JS thread (worker ids are 0 .. workers-1). */
  readonly jsProcessor: number;

  private readonly bodies = new Map<number, { name: string; body: TaskBody<never[], unknown> }>();
  private readonly watches = new Map<number, () => void>();
  private nextWatch = 1;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  private constructor(info: { workers: number; jsProcessor: number }) {
    this.workers = info.workers;
    this.jsProcessor = info.jsProcessor;
  }

  /**
   * Starts the runtime, or resolves to the one already running. Asking a
   * running runtime for a different worker count is an error.
   */
  static start(options: RuntimeOptions = {}): Promise<Runtime> {
    if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
      return Promise.reject(new RangeError(`Runtime.start: workers must be a positive integer, got ${String(options.workers)}`));
    }
    if (current && !current.closed) {
      try {
        native.start(options.workers, () => undefined);
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve(current);
    }
    try {
      let rt: Runtime | undefined;
      const info = native.start(options.workers, () => rt?.drain());
      rt = new Runtime(info);
      current = rt;
      return Promise.resolve(rt);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** True after {@link shutdown} resolved. */
  get isShutDown(): boolean {
    return this.closed;
  }

  /**
   * Registers a TS task. The body gets a {@link TaskContext} and the launch
   * arguments; it runs on the JS thread and may be async (await subtasks).
   */
  registerTask<A extends unknown[], R>(name: string, body: TaskBody<A, R>, options: VariantOptions = {}): Task<A, R> {
    this.checkOpen('registerTask');
    if (typeof name !== 'string' || name === '') throw new TypeError('registerTask: the name must be a non-empty string');
    if (typeof body !== 'function') throw new TypeError(`registerTask('${name}'): the body must be a function`);
    const flags = (options.leaf ? 1 : 0) | (options.inner ? 2 : 0) | (options.replicable ? 4 : 0);
    const id = native.registerTask(name, flags);
    this.bodies.set(id, { name, body: body as unknown as TaskBody<never[], unknown> });
    return new Task<A, R>(name, id, this);
  }

  /**
   * Loads a C++ task library (a shared object built against
   * `include/cohort/`). Loading the same file twice returns the same tasks.
   */
  async loadLibrary(path: string): Promise<Library> {
    this.checkOpen('loadLibrary');
    if (typeof path !== 'string') throw new TypeError('loadLibrary: the path must be a string');
    const info = native.loadLibrary(path);
    const known = this.libraries.get(info.path);
    if (known) return known;
    const lib = new Library(info.path, info.hash, info.tasks, this);
    this.libraries.set(info.path, lib);
    return lib;
  }
  private readonly libraries = new Map<string, Library>();

  /**
   * Launches `task` with `args`. It runs once every future in
   * `options.futures` is ready; the returned future resolves to its result.
   */
  launch<A extends unknown[], R>(task: Task<A, R>, args: A, options: LaunchOptions = {}): Future<Awaited<R>> {
    this.checkOpen('launch');
    if (!(task instanceof Task)) {
      throw new TypeError(`launch: expected a Task (from registerTask or Library.task), got ${describe(task)}`);
    }
    if (!Array.isArray(args)) throw new TypeError(`launch('${task.name}'): args must be an array`);
    const futures = options.futures?.map((f, i) => {
      if (!(f instanceof Future)) throw new TypeError(`launch('${task.name}'): futures[${i}] is not a Future`);
      return f.handle;
    });
    const variant = options.variant === undefined ? -1 : options.variant === 'cpp' ? VARIANT_CPP : VARIANT_JS;
    const handle: NativeFuture = native.launch(task.id, encodeArgs(args, task.name), futures, variant, options.worker ?? -1);
    return new Future<Awaited<R>>(handle, this);
  }

  /**
   * Resolves once every launched task has finished, then stops the worker
   * threads. Launches after this are errors.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    while (native.outstanding() !== 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    this.closed = true;
    native.shutdown();
    if (current === this) current = undefined;
  }

  /** @internal Resolves when `f` is ready. */
  watch(f: Future<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const id = this.nextWatch++;
      this.watches.set(id, resolve);
      native.watchFuture(f.handle, id);
    });
  }

  private checkOpen(what: string): void {
    if (this.closed) {
      throw new Error(`${what} after shutdown: this runtime has been shut down; start a new one with Runtime.start()`);
    }
  }

  /** Runs what runtime threads handed to the JS thread. */
  private drain(): void {
    const items: WorkItem[] = native.takeWork();
    for (const item of items) {
      if ('op' in item) this.runTsTask(item);
      else if ('watch' in item) {
        const resolve = this.watches.get(item.watch);
        this.watches.delete(item.watch);
        resolve?.();
      } else if (native.outstanding() === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private runTsTask(item: JsTaskItem): void {
    const entry = this.bodies.get(item.task);
    if (!entry) {
      native.failTask(item.op, `no TypeScript body registered for task id ${item.task}`, '');
      return;
    }
    let result: unknown;
    try {
      const args = decode(item.args) as Value[];
      const ctx = new TaskContext(this, entry.name, item.processor, item.futures.map((b) => decode(b)), item.point);
      result = (entry.body as (ctx: TaskContext, ...a: Value[]) => unknown)(ctx, ...args);
    } catch (e) {
      this.failTs(item.op, e);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (v) => this.finishTs(item.op, entry.name, v),
        (e) => this.failTs(item.op, e),
      );
    } else {
      this.finishTs(item.op, entry.name, result);
    }
  }

  private finishTs(op: number, name: string, value: unknown): void {
    if (value instanceof Future) {
      // Returning a future chains: this task's result is that future's value.
      value.get().then(
        (v) => this.finishTs(op, name, v),
        (e) => this.failTs(op, e),
      );
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = encode(value, `the result of task '${name}'`);
    } catch (e) {
      this.failTs(op, e);
      return;
    }
    native.completeTask(op, bytes);
  }

  private failTs(op: number, e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    native.failTask(op, err.message, err.stack ?? '');
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  return typeof v;
}
