/**
 * The JS processor's JS half: runs what the core's JS processor
 * (cpp/procs/js_processor.h) hands the JS thread in batches, one wake-up per
 * batch: TS task bodies (already holding their locks), future watches, and
 * idle/window notices. Parking, the running table and the window decisions
 * are the core's; this side runs bodies and resolves promises. A body may be
 * async, and a task completes only after the subtasks it launched.
 * @internal
 */
import { BufferDecoder, decode, encode, Value } from './codec';
import { Future, Watcher } from './future';
import { native, RankEvents, RegionViewInfo, TASK_FIELDS, TaskExtras, WorkNotice } from './native';
import { PhysicalRegion, StorageLookup } from './physical';
import type { Runtime } from './runtime';
import { TaskBody, TaskContext } from './task';

// A task without regions or futures shares these (frozen: no task can change another's).
const NO_REGIONS: PhysicalRegion[] = Object.freeze([]) as unknown as PhysicalRegion[];
const NO_VALUES: Value[] = Object.freeze([]) as unknown as Value[];

// A bug while handling one item must not lose the others; surface it as an
// ordinary uncaught exception rather than inside the N-API callback.
function surface(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

export class JsProcessor {
  /** TS task bodies by task id. */
  private readonly bodies = new Map<number, { name: string; body: TaskBody<never[], unknown> }>();
  // Armed watches by id (a future's slot + 1: a future has at most one, as
  // its get() is cached); dense, as slots are reused.
  private readonly watchers: (Watcher | undefined)[] = [];
  // The body looked up last: a drain's tasks are mostly of one kind.
  private lastTask = -1;
  private lastEntry: { name: string; body: TaskBody<never[], unknown> } | undefined;
  private idleWaiters: (() => void)[] = [];
  private windowWaiters: (() => void)[] = [];
  private readonly mapWaiters = new Map<number, (m: { op: number; regions: RegionViewInfo[] }) => void>();
  // Bodies that returned during a drain are completed together at its end
  // (one crossing); a `null` result (or none at all) is undefined.
  private draining = false;
  private readonly doneOps: number[] = [];
  // Made by the first result that is not undefined: most bodies return nothing.
  private doneResults: (Uint8Array | null)[] | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly inlineMapTask: number,
    private readonly storage: StorageLookup,
  ) {}

  /** What arrives from other ranks goes to the runtime (set by it). */
  onRankEvents: ((events: RankEvents) => void) | undefined;

  /** Resolves once no launched task is outstanding. */
  idle(): Promise<void> {
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once outstanding tasks drop to half the window. */
  windowOpen(): Promise<void> {
    return new Promise<void>((resolve) => this.windowWaiters.push(resolve));
  }

  /** Resolves when the inline mapping with this token is ready. */
  expectMapping(token: number): Promise<{ op: number; regions: RegionViewInfo[] }> {
    return new Promise((resolve) => this.mapWaiters.set(token, resolve));
  }
  forgetMapping(token: number): void {
    this.mapWaiters.delete(token);
  }

  /** Registers (or replaces) the TS body of a task id. */
  setBody(task: number, entry: { name: string; body: TaskBody<never[], unknown> }): void {
    this.bodies.set(task, entry);
    this.lastTask = -1;
  }

  /** Calls `w.fire()` when the watch with this id (> 0), armed natively, fires. */
  addWatch(id: number, w: Watcher): void {
    this.watchers[id] = w;
  }

  /** Runs what runtime threads handed to the JS thread. */
  drain(): void {
    const [header, bytes, extras, watches, ranks, notice] = native.takeWork();
    this.draining = true;
    if (header && bytes) {
      const args = new BufferDecoder(bytes);
      for (let at = 0; at < header.length; at += TASK_FIELDS) {
        try {
          this.runTsTask(header, at, args, extras);
        } catch (e) {
          surface(e);
        }
      }
    }
    if (watches) {
      for (let i = 0; i < watches.length; i++) {
        const w = this.watchers[watches[i]];
        this.watchers[watches[i]] = undefined;
        try {
          w?.fire();
        } catch (e) {
          surface(e);
        }
      }
    }
    if (ranks) this.onRankEvents?.(ranks);
    if (notice) this.notify(notice);
    this.draining = false;
    if (this.doneOps.length === 0) return;
    const ops = Float64Array.from(this.doneOps);
    const results = this.doneResults;
    this.doneOps.length = 0;
    this.doneResults = undefined;
    native.completeTasks(ops, results);
  }

  // The core decided on the current count (cpp/procs/js_processor.h).
  private notify(notice: WorkNotice): void {
    if (notice.window) {
      const ws = this.windowWaiters;
      this.windowWaiters = [];
      for (const w of ws) w();
    }
    if (notice.idle) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private runTsTask(header: Float64Array, at: number, argBytes: BufferDecoder, extras: TaskExtras[] | undefined): void {
    const op = header[at];
    const task = header[at + 1];
    const extra = header[at + 5] >= 0 ? extras?.[header[at + 5]] : undefined;
    if (task === this.inlineMapTask) {
      const token = (argBytes.decode(header[at + 3], header[at + 4]) as number[])[0];
      const resolve = this.mapWaiters.get(token);
      this.mapWaiters.delete(token);
      resolve?.({ op, regions: extra?.[1] ?? [] });
      return;
    }
    if (task !== this.lastTask) {
      this.lastTask = task;
      this.lastEntry = this.bodies.get(task);
    }
    const entry = this.lastEntry;
    if (!entry) {
      native.failTask(op, `no TypeScript body registered for task id ${task}`, '');
      return;
    }
    let result: unknown;
    let ctx: TaskContext | undefined;
    try {
      const args = argBytes.decode(header[at + 3], header[at + 4]) as Value[];
      const dim = header[at + 6];
      const point = dim === 0 ? undefined : Array.from(header.subarray(at + 7, at + 7 + dim));
      const regions = extra?.[1] ? extra[1].map((r) => new PhysicalRegion(r, this.storage)) : NO_REGIONS;
      const futures = extra?.[0] ? extra[0].map((b) => decode(b)) : NO_VALUES;
      ctx = new TaskContext(this.runtime, entry.name, header[at + 2], futures, point, regions, op);
      result = (entry.body as (ctx: TaskContext, ...a: Value[]) => unknown)(ctx, ...args);
    } catch (e) {
      this.afterChildren(ctx, () => this.failTs(op, e));
      return;
    }
    if (isThenable(result)) {
      result.then(
        (v) => this.afterChildren(ctx, () => this.finishTs(op, entry.name, v)),
        (e) => this.afterChildren(ctx, () => this.failTs(op, e)),
      );
    } else if (!ctx.childFutures()) {
      this.finishTs(op, entry.name, result);
    } else {
      this.afterChildren(ctx, () => this.finishTs(op, entry.name, result));
    }
  }

  /** A task completes only after the subtasks it launched (Legion's model). */
  private afterChildren(ctx: TaskContext | undefined, then: () => void): void {
    const children = ctx?.childFutures();
    if (!children || children.length === 0) {
      then();
      return;
    }
    void Promise.allSettled(children.map((c) => c.get())).then(then);
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
    let bytes: Uint8Array | null = null;
    if (value !== undefined) {
      try {
        bytes = encode(value, `the result of task '${name}'`);
      } catch (e) {
        this.failTs(op, e);
        return;
      }
    }
    if (!this.draining) {
      native.completeTasks(Float64Array.of(op), bytes ? [bytes] : undefined);
      return;
    }
    if (bytes && !this.doneResults) this.doneResults = new Array<Uint8Array | null>(this.doneOps.length).fill(null);
    this.doneOps.push(op);
    this.doneResults?.push(bytes);
  }

  private failTs(op: number, e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    native.failTask(op, err.message, err.stack ?? '');
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
