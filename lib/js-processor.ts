/**
 * The JS processor's JS half: runs what the core's JS processor
 * (cpp/procs/js_processor.h) hands the JS thread in batches, one wake-up per
 * batch: TS task bodies (already holding their locks), future watches, and
 * idle/window notices. Parking, the running table and the window decisions
 * are the core's; this side runs bodies and resolves promises. A body may be
 * async, and a task completes only after the subtasks it launched.
 * @internal
 */
import { decode, encode, Value } from './codec';
import { Future } from './future';
import { JsTaskItem, native, RankEvents, RegionViewInfo, WorkItem } from './native';
import { PhysicalRegion, StorageLookup } from './physical';
import type { Runtime } from './runtime';
import { TaskBody, TaskContext } from './task';

export class JsProcessor {
  /** TS task bodies by task id. */
  readonly bodies = new Map<number, { name: string; body: TaskBody<never[], unknown> }>();
  private readonly watches = new Map<number, () => void>();
  private nextWatch = 1;
  private idleWaiters: (() => void)[] = [];
  private windowWaiters: (() => void)[] = [];
  private readonly mapWaiters = new Map<number, (m: { op: number; regions: RegionViewInfo[] }) => void>();
  // Bodies that returned during a drain are completed together at its end
  // (one crossing); `null` is an undefined result.
  private draining = false;
  private doneOps: number[] = [];
  private doneResults: (Uint8Array | null)[] = [];

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

  /** @internal Resolves when `f` is ready. */
  watch(f: Future<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const id = this.nextWatch++;
      this.watches.set(id, resolve);
      native.watchFuture(f.handle, id);
    });
  }

  /** Runs what runtime threads handed to the JS thread. */
  drain(): void {
    const items: WorkItem[] = native.takeWork();
    this.draining = true;
    for (const item of items) {
      try {
        this.handle(item);
      } catch (e) {
        // A bug here must not lose the other items; surface it as an
        // ordinary uncaught exception rather than inside the N-API callback.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    this.draining = false;
    if (this.doneOps.length === 0) return;
    const ops = this.doneOps;
    const results = this.doneResults;
    this.doneOps = [];
    this.doneResults = [];
    native.completeTasks(ops, results);
  }

  private handle(item: WorkItem): void {
    if (Array.isArray(item)) {
      this.runTsTask(item as JsTaskItem);
      return;
    }
    if (typeof item === 'number') {
      const resolve = this.watches.get(item);
      this.watches.delete(item);
      resolve?.();
      return;
    }
    if ('ranks' in item) {
      this.onRankEvents?.(item.ranks);
      return;
    }
    // The core decided on the current count (cpp/procs/js_processor.h).
    const notice = item;
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

  private runTsTask(item: JsTaskItem): void {
    const [op, task, processor, argBytes, futureBytes, point, regionInfo] = item;
    if (task === this.inlineMapTask) {
      const token = (decode(argBytes) as number[])[0];
      const resolve = this.mapWaiters.get(token);
      this.mapWaiters.delete(token);
      resolve?.({ op, regions: regionInfo ?? [] });
      return;
    }
    const entry = this.bodies.get(task);
    if (!entry) {
      native.failTask(op, `no TypeScript body registered for task id ${task}`, '');
      return;
    }
    let result: unknown;
    let ctx: TaskContext | undefined;
    try {
      const args = decode(argBytes) as Value[];
      const regions = regionInfo?.map((r) => new PhysicalRegion(r, this.storage)) ?? [];
      const futures = futureBytes?.map((b) => decode(b)) ?? [];
      ctx = new TaskContext(this.runtime, entry.name, processor, futures, point, regions, op);
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
    } else {
      this.afterChildren(ctx, () => this.finishTs(op, entry.name, result));
    }
  }

  /** A task completes only after the subtasks it launched (Legion's model). */
  private afterChildren(ctx: TaskContext | undefined, then: () => void): void {
    const children = ctx?.childFutures() ?? [];
    if (children.length === 0) {
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
    if (this.draining) {
      this.doneOps.push(op);
      this.doneResults.push(bytes);
    } else {
      native.completeTasks([op], [bytes]);
    }
  }

  private failTs(op: number, e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    native.failTask(op, err.message, err.stack ?? '');
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
