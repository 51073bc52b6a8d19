import * as fs from 'fs';
import { encode, encodeArgs, Value } from './codec';
import { Future } from './future';
import { FutureMap } from './future-map';
import { Coord, pointsOf, Rect, RectLike, toDomain, toPoint, volume } from './geometry';
import { LaunchEncoder } from './launch-encoding';
import { Library } from './library';
import { JsProcessor } from './js-processor';
import {
  AnalysisCounters,
  native,
  NativeAddon,
  NativeFuture,
  NativeFutureMap,
  pluginDirs,
  RankEvents,
  TransportCounters,
} from './native';
import { Machine, Mapper, MappingRegistry, ShardingFunctor } from './mapping';
import { PhysicalRegion } from './physical';
import {
  FieldSpec,
  FieldType,
  Partition,
  PartitionRequirement,
  ReductionOp,
  REDOP_IDS,
  Region,
  RegionRequirement,
  RegionTree,
} from './regions';
import { Task, TaskBody, TaskContext, VariantOptions } from './task';
import { formatPendingReport, PendingTask } from './pending';

/** Options of {@link Runtime.start}. */
export interface RuntimeOptions {
  /** Number of CPU worker threads for C++ tasks (default: one per core). */
  workers?: number;
  /**
   * Checking mode: a task that writes a field it only asked to read fails
   * with an error naming task, region, field and privilege. Default: the
   * COHORT_CHECKS=1 environment variable.
   */
  checks?: boolean;
  /** Outstanding tasks above which {@link Runtime.throttle} waits (default 4096). */
  window?: number;
}

/** Options of {@link Runtime.main}. */
export interface MainOptions {
  /**
   * Control replication. Under `mpirun -n N`, every rank runs the top-level
   * function (one shard per rank): each issues the same operations and
   * derives the same plan, runs only the tasks it owns (the points an index
   * launch's sharding functor gives it; single tasks on shard 0 unless the
   * mapper picks a processor) and exchanges only the region bytes and
   * results the others need. The function must then do the same on every
   * rank: no `Math.random`, `Date.now` or rank-dependent launches. Every rank
   * must pass the same value. Default false: rank 0 runs the function and
   * sends tasks to the others (one controller). On one process it changes
   * nothing.
   */
  replicable?: boolean;
}

/** Options of {@link Runtime.shutdown}. */
export interface ShutdownOptions {
  /**
   * If shutdown has not finished after this many milliseconds, print once to
   * stderr which tasks are still unfinished (name, op id, state, for how
   * long). Default 10000; `Infinity` never reports.
   */
  reportAfterMs?: number;
}

/** Options of a single launch. */
export interface LaunchOptions {
  /** Futures the task waits for; their values reach the body (`ctx.futures` / `ctx.future(i)`). */
  futures?: Future<unknown>[];
  /** Which variant to run when the task has both (default: C++ when present). */
  variant?: 'cpp' | 'ts';
  /** Run on this worker (a C++ variant only). */
  worker?: number;
  /** The regions the task touches, and how (e.g. `region.readWrite('x')`). */
  regions?: RegionRequirement[];
  /** The mapper that places this launch (an id given to addMapper; default 0). */
  mapper?: number;
  /** A tag the mapper sees (e.g. to choose a variant). */
  tag?: number;
  /** A value the mapper sees as `task.mapperArg`. */
  mapperArg?: Value;
  /** @internal the running TS task launching this one (set by TaskContext) */
  parent?: number;
  /** @internal does not keep the process alive by itself (inline mappings) */
  background?: boolean;
}

/** Options of {@link Runtime.indexLaunch}. */
export interface IndexLaunchOptions<A extends unknown[]> {
  /** Arguments every point receives (unless `pointArgs` is given). */
  args?: A;
  /** Arguments per point (Legion's argument map), called once per point. */
  pointArgs?: (point: number[]) => A;
  /** Futures every point waits for. */
  futures?: Future<unknown>[];
  /** Region requirements: on a partition (projected per point) or a whole region. */
  regions?: (PartitionRequirement | RegionRequirement)[];
  /** Which variant to run when the task has both. */
  variant?: 'cpp' | 'ts';
  /** The mapper that places this launch (default 0). */
  mapper?: number;
  /** A tag the mapper sees. */
  tag?: number;
  /** A value the mapper sees as `task.mapperArg`. */
  mapperArg?: Value;
  /** @internal */
  parent?: number;
}

/** A recorded loop body (see {@link Runtime.trace}). */
export class Trace {
  /** @internal */
  constructor(
    private readonly runtime: Runtime,
    private readonly handle: number,
  ) {}

  private pumping = false;

  /**
   * Issues the body `times` more times; resolves when every iteration has
   * completed (rejects if a task of any of them failed). Iterations replayed
   * from the steady plan are issued as the issue window allows, so a long
   * replay runs in bounded memory; work launched after `replay` is still
   * ordered after every iteration.
   */
  replay(times = 1): Future<void> {
    if (!Number.isInteger(times) || times < 1 || times > 0xffffffff)
      throw new RangeError(`trace.replay: times must be a positive integer below 2^32, got ${times}`);
    if (this.runtime.isShutDown)
      throw new Error('trace.replay after shutdown: start a new runtime with Runtime.start()');
    const done = new Future<void>(native.replayTrace(this.handle, times, 0, this.runtime.window), this.runtime);
    this.pump();
    return done;
  }

  /** Issues deferred iterations, then again each time the window reopens. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = (): void => {
      const resume = native.continueTrace(this.handle, this.runtime.window);
      if (resume === null) {
        this.pumping = false;
        return;
      }
      new Future<void>(resume, this.runtime).get().then(step, step);
    };
    step();
  }

  /**
   * How the replays went: iterations analyzed, replayed from the steady
   * plan (of those, `graphIterations` ran as a graph of per-point counts,
   * with no operation per point: every point a C++ task on this rank that
   * takes no futures), and whether the plan is steady.
   */
  get stats(): {
    launches: number;
    steady: boolean;
    analyzedIterations: number;
    replayedIterations: number;
    graphIterations: number;
  } {
    return native.traceInfo(this.handle);
  }
}

/** An inline mapping: the region's fields for the top-level code, until unmap(). */
export class InlineMapping extends PhysicalRegion {
  private released = false;
  /** @internal */
  constructor(
    info: ConstructorParameters<typeof PhysicalRegion>[0],
    storage: ConstructorParameters<typeof PhysicalRegion>[1],
    private readonly op: number,
    private readonly done: Future<void>,
  ) {
    super(info, storage);
  }
  /** Lets later tasks that conflict with this mapping proceed. Rejects in checking mode if a read-only mapping was written. */
  unmap(): Promise<void> {
    if (!this.released) {
      this.released = true;
      native.completeTask(this.op, encode(undefined));
    }
    return this.done.get();
  }
}

/** The values each integer field type holds exactly. */
const INTEGER_RANGES: Partial<Record<FieldType, [bigint, bigint]>> = {
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  u8: [0n, 255n],
};

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

  /** True when checking mode is on. */
  readonly checks: boolean;
  /** Outstanding tasks above which {@link throttle} waits. */
  readonly window: number;
  private readonly inlineMapTask: number;
  private readonly fillTask: number;
  private nextMapToken = 1;
  private readonly buffers = new Map<string, ArrayBuffer>();
  private readonly trees = new Map<number, RegionTree>();
  private closed = false;
  private tracing = false;
  /** Writes each index launch's numbers for the binding (reused; grows as needed). */
  private readonly launchEncoder = new LaunchEncoder();
  /** @internal */
  readonly js: JsProcessor;

  /**
   * This process's rank: 0 in one process; under `mpirun -n N`, 0 .. N-1.
   * Rank 0 runs the function given to {@link main} and the others serve the
   * tasks it places on them, or, with `{ replicable: true }`, every rank
   * runs it.
   */
  readonly rank: number;
  /** How many ranks (processes) run the program: 1 unless started by `mpirun`. */
  readonly ranks: number;

  private constructor(info: ReturnType<NativeAddon['start']>, window: number) {
    this.rank = info.rank;
    this.ranks = info.ranks;
    this.fillTask = info.fillTask;
    this.workers = info.workers;
    this.jsProcessor = info.jsProcessor;
    this.checks = info.checks;
    this.inlineMapTask = info.inlineMapTask;
    this.window = window;
    this.js = new JsProcessor(this, info.inlineMapTask, this.storage);
    this.js.onRankEvents = (events) => this.onRankEvents(events);
    process.on('SIGINT', this.onSigint);
    process.on('beforeExit', this.onBeforeExit);
  }

  /**
   * Starts the runtime, or resolves to the one already running. Asking a
   * running runtime for a different `workers`, `checks` or `window` is an
   * error (options left out, or equal to the running ones, are fine).
   */
  static start(options: RuntimeOptions = {}): Promise<Runtime> {
    if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
      return Promise.reject(
        new RangeError(`Runtime.start: workers must be a positive integer, got ${String(options.workers)}`),
      );
    }
    if (current && !current.closed) {
      const running = current;
      for (const key of ['checks', 'window'] as const) {
        if (options[key] !== undefined && options[key] !== running[key]) {
          return Promise.reject(
            new Error(
              `Runtime.start: a runtime is already running with ${key} ${String(running[key])}; ` +
                `cannot start another with ${key} ${String(options[key])} (call shutdown() first)`,
            ),
          );
        }
      }
      try {
        native.start(options.workers, () => undefined);
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve(running);
    }
    const window = options.window ?? 4096;
    if (!Number.isInteger(window) || window < 2) {
      return Promise.reject(
        new RangeError(`Runtime.start: window must be an integer >= 2, got ${String(options.window)}`),
      );
    }
    try {
      let rt: Runtime | undefined;
      const checks = options.checks ?? process.env.COHORT_CHECKS === '1';
      const info = native.start(options.workers, () => rt?.js.drain(), checks, pluginDirs);
      rt = new Runtime(info, window);
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
    if (typeof name !== 'string' || name === '')
      throw new TypeError('registerTask: the name must be a non-empty string');
    if (typeof body !== 'function') throw new TypeError(`registerTask('${name}'): the body must be a function`);
    const flags = (options.leaf ? 1 : 0) | (options.inner ? 2 : 0) | (options.replicable ? 4 : 0);
    const id = native.registerTask(name, flags);
    this.js.setBody(id, { name, body: body as unknown as TaskBody<never[], unknown> });
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
    let lib = this.libraries.get(info.path);
    if (!lib) {
      lib = new Library(info.path, info.hash, info.tasks, this, info.reductions, info.callbacks);
      this.libraries.set(info.path, lib);
    }
    // Inside main on rank 0 of many: every other rank loads it too (once),
    // before any task from it can be sent there.
    const token = native.loadEverywhere(path);
    if (token !== 0) {
      const errors = await new Promise<string[]>((resolve) => this.libraryWaiters.set(token, resolve));
      if (errors.length > 0) {
        throw new Error(`loadLibrary('${path}'): not every rank could load it: ${errors.join('; ')}`);
      }
    }
    return lib;
  }
  private readonly libraries = new Map<string, Library>();

  /** @internal Library.runOnEveryRank. */
  async runLibraryCallback(lib: Library, name: string, payload: Uint8Array): Promise<void> {
    this.checkOpen('runOnEveryRank');
    if (typeof name !== 'string') throw new TypeError('runOnEveryRank: the callback name must be a string');
    if (!(payload instanceof Uint8Array))
      throw new TypeError(`runOnEveryRank('${name}'): the payload must be a Uint8Array, got ${describe(payload)}`);
    const token = native.runCallback(lib.path, name, payload);
    if (token === 0) return;
    const errors = await new Promise<string[]>((resolve) => this.libraryWaiters.set(token, resolve));
    if (errors.length > 0) throw new Error(`runOnEveryRank('${name}'): not every rank ran it: ${errors.join('; ')}`);
  }
  private readonly libraryWaiters = new Map<number, (errors: string[]) => void>();

  /**
   * Runs the program's top-level function, then shuts the runtime down.
   * Register tasks, mappers and libraries before calling it: under
   * `mpirun -n N` every rank runs the file up to here, so all of them know
   * the same tasks. Rank 0 then runs `fn` and may place tasks on every rank;
   * the other ranks serve those tasks until rank 0's `fn` has finished and
   * everything it launched is done. With `{ replicable: true }` every rank
   * runs `fn` instead (see {@link MainOptions.replicable}). On one process
   * it is simply `await fn(); await rt.shutdown()`.
   *
   * Rejects with what `fn` threw (after shutting down); on rank 0 also when
   * the ranks did not register the same tasks.
   */
  async main(fn: () => unknown, options: MainOptions = {}): Promise<void> {
    this.checkOpen('main');
    if (typeof fn !== 'function') throw new TypeError('rt.main: the top-level function must be a function');
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`rt.main: options must be an object such as { replicable: true }, got ${show(options)}`);
    const replicable = options.replicable ?? false;
    if (typeof replicable !== 'boolean')
      throw new TypeError(`rt.main: options.replicable must be true or false, got ${show(replicable)}`);
    if (this.mainEntered) throw new Error('rt.main: already called; a program has one top-level function');
    this.mainEntered = true;
    this.replicatedRun = replicable && this.ranks > 1;
    if (this.ranks === 1) {
      try {
        await fn();
      } finally {
        await this.shutdown();
      }
      return;
    }
    const arrived = new Promise<void>((resolve, reject) => (this.rankWaiter = { resolve, reject }));
    try {
      native.enterMain(this.replicatedRun);
      this.settleRankWaiter(); // what arrived before rt.main was called
      // Rank 0: every rank said hello. The others: rank 0 shut down, or,
      // replicated, rank 0 welcomed them.
      await arrived;
    } catch (e) {
      // The ranks cannot shut down together without this one: end it, so
      // the launcher ends the job with this message instead of a hang.
      process.stderr.write(`cohort: rank ${this.rank}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    }
    if (this.rank !== 0 && !this.replicatedRun) {
      await this.shutdown();
      return;
    }
    try {
      await fn();
    } finally {
      await this.shutdown();
    }
  }
  private mainEntered = false;
  private replicatedRun = false;

  /**
   * True while the top-level function runs replicated: under `mpirun -n N`
   * with `rt.main(fn, { replicable: true })`, every rank runs it.
   */
  get replicated(): boolean {
    return this.replicatedRun;
  }

  /**
   * `console.log` on one shard only (rank 0) when the program runs
   * replicated, so that a message appears once; everywhere else it is
   * `console.log`.
   */
  printOnce(...values: unknown[]): void {
    if (!this.replicatedRun || this.rank === 0) console.log(...values);
  }

  /** `console.error` on one shard only (rank 0), like {@link printOnce}. */
  logOnce(...values: unknown[]): void {
    if (!this.replicatedRun || this.rank === 0) console.error(...values);
  }
  private rankWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private onRankEvents(events: RankEvents): void {
    for (const [token, errors] of events.libraries) {
      const waiter = this.libraryWaiters.get(token);
      this.libraryWaiters.delete(token);
      waiter?.(errors);
    }
    if (events.transportError !== undefined) {
      // The ranks can no longer agree on anything: end this one, loudly,
      // rather than wait for messages that will never come.
      process.stderr.write(`${events.transportError}\n`);
      process.exit(1);
    }
    if (events.ready || events.shutdown) {
      this.machineCache = undefined; // now lists every rank's processors
      this.mapping.machineChanged();
    }
    if (events.error !== undefined || events.ready || events.shutdown) {
      // Every other rank may say hello before this one enters rt.main (and
      // rank 0 may shut down before a late rank does): keep the outcome
      // for main to find.
      this.rankOutcome = events.error !== undefined ? new Error(events.error) : 'arrived';
      this.settleRankWaiter();
    }
  }
  private rankOutcome: Error | 'arrived' | undefined;
  private settleRankWaiter(): void {
    const waiter = this.rankWaiter;
    const outcome = this.rankOutcome;
    if (!waiter || outcome === undefined) return;
    this.rankWaiter = undefined;
    if (outcome === 'arrived') waiter.resolve();
    else waiter.reject(outcome);
  }

  /**
   * What the transport sent and received, per other rank and message kind
   * (payload bytes), plus the wire batches. On one rank `peers` is empty:
   * nothing is ever sent.
   */
  transportCounters(): TransportCounters {
    this.checkOpen('transportCounters');
    return native.transportCounters();
  }

  /**
   * Launches `task` with `args`. It runs once every future in
   * `options.futures` is ready; the returned future resolves to its result.
   */
  launch<A extends unknown[], R>(task: Task<A, R>, args: A, options: LaunchOptions = NO_OPTIONS): Future<Awaited<R>> {
    if (this.closed) this.checkOpen('launch');
    if (!(task instanceof Task)) {
      throw new TypeError(`launch: expected a Task (from registerTask or Library.task), got ${describe(task)}`);
    }
    const where = task.launchLabel;
    if (!Array.isArray(args)) throw new TypeError(`${where}: args must be an array`);
    const futures = options.futures?.map((f, i) => {
      if (!(f instanceof Future)) throw new TypeError(`${where}: futures[${i}] is not a Future`);
      return f.handle;
    });
    const regions = options.regions?.map((r: unknown, i) => {
      if (!(r instanceof RegionRequirement)) {
        const hint = r instanceof PartitionRequirement ? ' (a partition requirement belongs to an index launch)' : '';
        throw new TypeError(`${where}: regions[${i}] must be a region requirement such as region.read('x')${hint}`);
      }
      return r.toNative(where);
    });
    const scalars = native.launchScalars;
    scalars[0] = variantId(where, options.variant);
    scalars[1] = this.workerOption(where, options.worker);
    scalars[2] = options.parent ?? 0;
    scalars[3] = options.background === true ? 1 : 0;
    scalars[4] = idOption(where, 'mapper', options.mapper);
    scalars[5] = idOption(where, 'tag', options.tag);
    const handle: NativeFuture = native.launch(
      task.id,
      encodeArgs(args, task.name, true),
      futures,
      regions,
      mapperArgBytes(where, options.mapperArg),
    );
    return new Future<Awaited<R>>(handle, this);
  }

  /**
   * Launches one point task per point of `domain`. Partition requirements
   * are projected per point (identity by default: point p gets subregion p).
   * Returns a FutureMap, or with `reduce` a single Future folding the point
   * results with that operator.
   */
  indexLaunch<A extends unknown[], R>(
    task: Task<A, R>,
    domain: RectLike | Coord,
    options?: IndexLaunchOptions<A>,
  ): FutureMap<Awaited<R>>;
  indexLaunch<A extends unknown[], R>(
    task: Task<A, R>,
    domain: RectLike | Coord,
    options: IndexLaunchOptions<A> & { reduce: ReductionOp },
  ): Future<number>;
  indexLaunch<A extends unknown[], R>(
    task: Task<A, R>,
    domain: RectLike | Coord,
    options: IndexLaunchOptions<A> & { reduce?: ReductionOp } = {},
  ): FutureMap<Awaited<R>> | Future<number> {
    this.checkOpen('indexLaunch');
    if (!(task instanceof Task)) throw new TypeError(`indexLaunch: expected a Task, got ${describe(task)}`);
    const where = `indexLaunch('${task.name}')`;
    const d = toDomain(domain, where);
    let pts: number[][] | undefined;
    const points = (): number[][] => (pts ??= [...pointsOf(d)]);
    const futures = options.futures?.map((f, i) => {
      if (!(f instanceof Future)) throw new TypeError(`${where}: futures[${i}] is not a Future`);
      return f.handle;
    });
    const regions = options.regions ?? NO_REQUIREMENTS;
    for (const r of regions as unknown[]) {
      if (!(r instanceof PartitionRequirement) && !(r instanceof RegionRequirement))
        throw new TypeError(
          `${where}: each entry of regions must be a requirement such as partition.read('x') or region.read('x'), got ${show(r)}`,
        );
    }
    const variant = variantId(where, options.variant);
    if (options.args !== undefined && !Array.isArray(options.args))
      throw new TypeError(`${where}: args must be an array, got ${show(options.args)}`);
    const argsOf = (p: number[]): A => {
      const a = options.pointArgs!(p);
      if (!Array.isArray(a))
        throw new TypeError(
          `${where}: pointArgs must return an array of arguments for point [${p.join(', ')}], got ${show(a)}`,
        );
      return a;
    };
    let reduce: { redop: number; label: string } | undefined;
    if (options.reduce) {
      const redop = REDOP_IDS[options.reduce];
      if (!redop)
        throw new RangeError(
          `${where}: unknown reduction '${String(options.reduce)}'; expected sum, product, min or max`,
        );
      reduce = { redop, label: `${where} reduced with ${options.reduce}` };
    }
    // Everything that runs user code (argument encoding, pointArgs, TS
    // projections) before the encoder is written: such code may launch too.
    const args = encodeArgs(options.args ?? [], task.name, !options.pointArgs);
    const pointArgs = options.pointArgs ? points().map((p) => encodeArgs(argsOf(p), task.name)) : undefined;
    const mapperArg = mapperArgBytes(where, options.mapperArg);
    let projections: (object | undefined)[] | undefined;
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i];
      const colors = r instanceof PartitionRequirement ? r.colorsFor(where, d, points) : undefined;
      if (colors) (projections ??= [])[i] = colors;
    }
    const mapper = idOption(where, 'mapper', options.mapper);
    const tag = idOption(where, 'tag', options.tag);
    const out = this.launchEncoder;
    out.begin(task.id, d, variant, options.parent ?? 0, mapper, tag);
    for (const r of regions) r.encode(out, where);
    const extras =
      pointArgs || projections || mapperArg || reduce ? { pointArgs, projections, mapperArg, reduce } : undefined;
    // One crossing either way: the reduced future, or the map of every point's.
    if (reduce)
      return new Future<number>(native.indexLaunch(out.encoded(), args, futures, extras) as NativeFuture, this);
    return new FutureMap<Awaited<R>>(
      d,
      native.indexLaunch(out.encoded(), args, futures, extras) as NativeFutureMap,
      this,
    );
  }

  /** Creates a region (a new region tree) over `bounds` with typed fields. */
  createRegion<F extends FieldSpec>(bounds: RectLike | Coord, fields: F): Region<F> {
    this.checkOpen('createRegion');
    const b = toDomain(bounds, 'createRegion', 'region bounds');
    const entries = Object.entries(fields) as [string, FieldType][];
    if (entries.length === 0) throw new TypeError('createRegion: give at least one field, e.g. { x: "f64" }');
    const info = native.createRegion([...b.lo], [...b.hi], entries);
    const tree = new RegionTree(
      info.tree,
      new Map(entries.map(([name], i) => [name, info.fieldIds[i]])),
      new Map(entries),
    );
    this.trees.set(info.tree, tree);
    return new Region<F>(tree, 0, info);
  }

  /** Splits `region` into near-equal blocks: `pieces` along dimension 0, or one per color of `colorSpace`. */
  partitionEqual<F extends FieldSpec>(region: Region<F>, pieces: number | RectLike): Partition<F> {
    region.tree.check('partitionEqual');
    const cs = typeof pieces === 'number' ? Rect(0, pieces - 1) : pieces;
    if (typeof pieces === 'number' && (!Number.isInteger(pieces) || pieces < 1))
      throw new RangeError(`partitionEqual: pieces must be a positive integer, got ${pieces}`);
    const info = native.partitionEqual(region.tree.id, region.node, [...cs.lo], [...cs.hi]);
    return new Partition<F>(region, info.node, info);
  }

  /**
   * Blocks of `blockSize` widened by ghost cells (`halo`: points on each
   * side, or separate low/high widths); aliased when the halo is non-zero.
   */
  partitionByBlocks<F extends FieldSpec>(
    region: Region<F>,
    blockSize: Coord,
    halo: Coord | { lo: Coord; hi: Coord } = 0,
  ): Partition<F> {
    region.tree.check('partitionByBlocks');
    const dim = region.bounds.lo.length;
    const widen = (c: Coord): number[] => (typeof c === 'number' ? new Array<number>(dim).fill(c) : toPoint(c));
    const lo =
      typeof halo === 'object' && !Array.isArray(halo) ? widen((halo as { lo: Coord }).lo) : widen(halo as Coord);
    const hi =
      typeof halo === 'object' && !Array.isArray(halo) ? widen((halo as { hi: Coord }).hi) : widen(halo as Coord);
    const info = native.partitionByBlocks(region.tree.id, region.node, widen(blockSize), lo, hi);
    return new Partition<F>(region, info.node, info);
  }

  /** Color i gets `rects[i]` (a rect or a list of rects). */
  partitionByRects<F extends FieldSpec>(region: Region<F>, rects: (RectLike | RectLike[])[]): Partition<F> {
    region.tree.check('partitionByRects');
    const lists = rects.map((r) =>
      (Array.isArray(r) ? r : [r]).map((x): [number[], number[]] => [[...x.lo], [...x.hi]]),
    );
    const info = native.partitionByRects(region.tree.id, region.node, lists);
    return new Partition<F>(region, info.node, info);
  }

  /**
   * Destroys a region tree (give the top-level region createRegion returned,
   * not a subregion); its memory is freed once no pending task uses it.
   */
  destroyRegion<F extends FieldSpec>(region: Region<F>): void {
    region.tree.check('destroyRegion');
    if (region.node !== 0) {
      throw new Error(
        `destroyRegion takes a top-level region from createRegion; region ${region.node} of tree ${region.tree.id} ` +
          `(bounds ${JSON.stringify(region.bounds)}) is a subregion of that tree's top-level region (destroy that one to destroy the tree)`,
      );
    }
    native.destroyRegion(region.tree.id);
    region.tree.destroyed = true;
    for (const key of [...this.buffers.keys()]) if (key.startsWith(`${region.tree.id}:`)) this.buffers.delete(key);
  }

  /**
   * Writes `value` to every element of the fields, in program order. A
   * float field takes any number; an integer field only a value it holds
   * exactly (e.g. 0 to 255 for u8): anything else is a RangeError.
   */
  fill<F extends FieldSpec>(
    region: Region<F>,
    fields: (keyof F & string) | (keyof F & string)[],
    value: number | bigint,
  ): Future<void> {
    const names: (keyof F & string)[] = typeof fields === 'string' ? [fields] : fields;
    if (typeof value !== 'number' && typeof value !== 'bigint')
      throw new TypeError(`fill: the value must be a number or a bigint, got ${show(value)}`);
    for (const name of names.length ? names : region.fieldNames) {
      const type = region.tree.fieldTypes.get(name);
      const range = type && INTEGER_RANGES[type];
      if (!range) continue;
      const exact = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : undefined;
      const ok = exact !== undefined && exact >= range[0] && exact <= range[1];
      if (!ok)
        throw new RangeError(
          `fill: field '${name}' is ${type}, which holds integers from ${range[0]} to ${range[1]}; cannot fill it with ${show(value)}`,
        );
    }
    const fill = new Task<[number | bigint], void>('cohort.fill', this.fillTask, this);
    return this.launch(fill, [value], { regions: [region.writeDiscard(...names)] }) as Future<void>;
  }

  /**
   * Tracing (Legion's answer to a loop body launched again and again):
   * issues `body` once, as usual, while recording its launches, and returns
   * a {@link Trace} whose `replay(n)` issues the same launches n more times
   * from C++ — no JS call and, once the body's dependences repeat, no
   * analysis per launch. The body must be synchronous and only launch tasks
   * (launch, indexLaunch, fill); it sees the same arguments on every replay.
   */
  trace(body: () => void): Trace {
    this.checkOpen('trace');
    if (typeof body !== 'function') throw new TypeError(`rt.trace: the body must be a function, got ${show(body)}`);
    native.beginTrace(0);
    this.tracing = true;
    let result: unknown;
    try {
      result = body();
    } catch (e) {
      native.endTrace(0);
      throw e;
    } finally {
      this.tracing = false;
    }
    const handle = native.endTrace(0);
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      // What it launches after its first await would escape the trace.
      void (result as PromiseLike<unknown>).then(undefined, () => undefined);
      throw new TypeError(
        'rt.trace: the body must be synchronous (it returned a Promise or thenable); launch the loop body without await inside it',
      );
    }
    return new Trace(this, handle);
  }

  /** Everything launched before finishes before anything launched after starts. */
  fence(parent = 0): Future<void> {
    this.checkOpen('fence');
    return new Future<void>(native.fence(parent), this);
  }

  /**
   * Inline mapping: resolves once every earlier conflicting task is done,
   * with the region's fields as typed arrays. Later conflicting tasks wait
   * until `unmap()`.
   */
  async map(requirement: RegionRequirement): Promise<InlineMapping> {
    this.checkOpen('map');
    if (this.tracing) throw new Error('map: an inline mapping cannot be part of a trace');
    const token = this.nextMapToken++;
    const mapped = this.js.expectMapping(token);
    const task = new Task<[number], void>('cohort.inline_map', this.inlineMapTask, this);
    let done: Future<void>;
    try {
      done = this.launch(task, [token], { regions: [requirement], variant: 'ts', background: true }) as Future<void>;
    } catch (e) {
      this.js.forgetMapping(token);
      throw e;
    }
    const failed = done.get().then(
      () => undefined,
      (e: unknown) => e,
    );
    let m: Awaited<typeof mapped>;
    try {
      // Fails like a dependent task when an earlier conflicting operation failed.
      m = await Promise.race([mapped, failed.then((e) => Promise.reject(e ?? new Error('inline mapping failed')))]);
    } catch (e) {
      this.js.forgetMapping(token);
      throw e;
    }
    const mapping = new InlineMapping(m.regions[0], this.storage, m.op, done);
    this.openMappings.add(mapping);
    void done.get().then(
      () => this.openMappings.delete(mapping),
      () => this.openMappings.delete(mapping),
    );
    return mapping;
  }
  private readonly openMappings = new Set<InlineMapping>();

  /** The processors (CPU workers and the JS processor) and the rank count. */
  machine(): Machine {
    this.machineCache ??= native.machine();
    return this.machineCache;
  }
  private machineCache: Machine | undefined;
  private readonly mapping = new MappingRegistry(() => this.machine());

  /** Registers a TS mapper under `id` (not 0: see replaceDefaultMapper); launches name it with `mapper: id`. */
  addMapper(id: number, mapper: Mapper): void {
    this.checkOpen('addMapper');
    this.mapping.addMapper(id, mapper, false);
  }

  /** Makes `mapper` the default (id 0) for every launch that names no mapper. */
  replaceDefaultMapper(mapper: Mapper): void {
    this.checkOpen('replaceDefaultMapper');
    this.mapping.addMapper(0, mapper, true);
  }

  /** Registers a sharding functor under `id` (0 cyclic and 1 block are built in). */
  registerShardingFunctor(id: number, functor: ShardingFunctor): void {
    this.checkOpen('registerShardingFunctor');
    this.mapping.registerShardingFunctor(id, functor);
  }

  /**
   * Which points of `domain` each of `totalShards` shards owns under functor
   * `functorId` (every answer validated). The answer lists one array per
   * shard and every point, so `totalShards` must be an integer from 1 to
   * 65536 and the domain may have at most 2^24 points; anything else is a
   * RangeError, as are coordinates that are not integers.
   * @example rt.shardPoints(0, Rect(0, 5), 2) // [[[0], [2], [4]], [[1], [3], [5]]]
   */
  shardPoints(functorId: number, domain: RectLike | Coord, totalShards: number): number[][][] {
    this.checkOpen('shardPoints');
    const where = 'shardPoints';
    if (!Number.isInteger(functorId) || functorId < 0 || functorId > 0xffffffff) {
      throw new RangeError(
        `${where}: functorId must be a non-negative integer (a registered sharding functor), got ${String(functorId)}`,
      );
    }
    const maxShards = native.maxShardsQueried;
    if (!Number.isInteger(totalShards) || totalShards < 1 || totalShards > maxShards) {
      throw new RangeError(
        `${where}: totalShards must be an integer from 1 to ${maxShards}, got ${String(totalShards)}`,
      );
    }
    const d = toDomain(domain, where);
    const points = volume(d);
    if (points > native.maxShardQueryPoints) {
      throw new RangeError(
        `${where}: the domain has ${points} points; at most ${native.maxShardQueryPoints} are supported (the answer lists every point)`,
      );
    }
    return native.shardPoints(functorId, [...d.lo], [...d.hi], totalShards);
  }

  /** Number of launched tasks that have not finished. */
  get outstanding(): number {
    return native.outstanding();
  }

  /**
   * The issue window (Legion's -lg:window): resolves at once while fewer
   * than `window` tasks are outstanding, otherwise once half of them have
   * finished. `await rt.throttle()` in a long issuing loop keeps memory bounded:
   * once a window's worth of futures was made since the last time, it also
   * lets the event loop turn, so futures the program dropped are released
   * (their FinalizationRegistry callbacks run only between event-loop tasks).
   */
  throttle(): Promise<void> {
    if (native.outstanding() <= this.window || !native.armWindow(Math.floor(this.window / 2))) {
      const made = native.futuresMade();
      if (made - this.futuresAtLastTurn < this.window) return Promise.resolve();
      this.futuresAtLastTurn = made;
      return new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.futuresAtLastTurn = native.futuresMade();
    return this.js.windowOpen();
  }
  private futuresAtLastTurn = 0;

  /** Work counters of the top-level dependence analysis (for tests and tuning). */
  analysisCounters(reset = false): AnalysisCounters {
    return native.analysisCounters(reset);
  }

  /**
   * Debug: starts recording the plan (clearing what was recorded), or stops
   * with `false`. While on, every plan entry the runtime runs is kept as a
   * line; see {@link Runtime.plan}.
   */
  recordPlan(on = true): void {
    this.checkOpen('recordPlan');
    native.recordPlan(on);
  }

  /**
   * Debug: the plan recorded since {@link Runtime.recordPlan}, one line per
   * entry, ordered by operation name, e.g.
   * `3.2 task daxpy on rank 0 processor any cpp priority 0 waits [3.1] exclusion []`.
   * An operation is named by its position in its parent's body ("3.2": the
   * second operation launched by the body of top-level operation 3; index
   * points take a position each after their launch's), so the same program
   * gives the same plan however its tasks happened to interleave.
   */
  plan(): string[] {
    this.checkOpen('plan');
    return native.planLines();
  }

  /** @internal */
  readonly storage = (tree: number, field: number, rankStore?: number): ArrayBuffer => {
    const key = rankStore === undefined ? `${tree}:${field}` : `r${rankStore}:${tree}:${field}`;
    let b = this.buffers.get(key);
    if (!b) {
      b = rankStore === undefined ? native.storageBuffer(tree, field) : native.rankStorageBuffer(tree, field);
      this.buffers.set(key, b);
    }
    return b;
  };

  /**
   * The tasks launched and not finished, in launch order: name, op id,
   * variant, state (waiting / queued / running), where it runs and for how
   * long it has been in that state.
   * @example
   * for (const t of rt.pending()) console.log(`${t.task} (op #${t.op}) ${t.state} for ${t.ms} ms`);
   */
  pending(): PendingTask[] {
    if (this.closed) return [];
    return native.pendingTasks();
  }

  /**
   * Resolves once every launched task has finished, then stops the worker
   * threads. Launches after this are errors. If it has not finished after
   * `reportAfterMs` (default 10 s), it prints once to stderr which tasks are
   * unfinished (see {@link pending}); it keeps waiting. Calling it again
   * while it runs returns the same promise.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    const reportAfterMs = options.reportAfterMs ?? 10000;
    if (typeof reportAfterMs !== 'number' || !(reportAfterMs >= 0)) {
      return Promise.reject(
        new RangeError(
          `shutdown: reportAfterMs must be a non-negative number of milliseconds (or Infinity), got ${String(options.reportAfterMs)}`,
        ),
      );
    }
    this.shuttingDown ??= this.shutdownOnce(reportAfterMs);
    return this.shuttingDown;
  }
  private shuttingDown: Promise<void> | undefined;

  private async shutdownOnce(reportAfterMs: number): Promise<void> {
    // Never a silent hang: say what is still running after the grace period.
    // Unref'd, so the timer itself keeps nothing alive.
    const timer = Number.isFinite(reportAfterMs)
      ? setTimeout(
          () => this.report(`shutdown() has waited ${reportAfterMs} ms; these tasks have not finished:`),
          reportAfterMs,
        ).unref()
      : undefined;
    try {
      await this.finishAll();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Prints the pending-task report to stderr (synchronously: the process may exit next). */
  private report(headline: string): void {
    try {
      fs.writeSync(2, formatPendingReport(headline, this.pending(), this.jsProcessor));
    } catch {
      // stderr is gone: nothing more useful to do
    }
  }

  // Ctrl-C while tasks are unfinished: say which, then exit 130 (as a shell
  // reports SIGINT). With nothing unfinished, or when the program listens
  // for SIGINT itself, behave as if we were not listening.
  private readonly onSigint = (): void => {
    const mine = process.listenerCount('SIGINT') === 1;
    if (native.outstanding() > 0 || this.pending().length > 0) {
      this.report(`interrupted (SIGINT) while these tasks had not finished:`);
      if (mine) process.exit(130);
      return;
    }
    if (mine) {
      this.detachProcessListeners();
      process.kill(process.pid, 'SIGINT'); // Node's default: die of SIGINT
    }
  };

  // The event loop has nothing left to do, yet tasks are outstanding: they
  // wait on TS task promises that can never settle (the runtime lets the
  // loop go when only JS work is left). Say which and exit 13, as Node does
  // for a top-level await that can never settle.
  private readonly onBeforeExit = (): void => {
    if (this.closed) return;
    if (native.outstanding() === 0) {
      // Many ranks must finalize MPI together: a program that simply ends
      // shuts down (which meets the other ranks at the shutdown barrier).
      if (this.ranks > 1) void this.shutdown();
      return;
    }
    this.report(
      'the event loop has nothing left to do, but these tasks can never finish ' +
        '(they wait on TS task promises that cannot settle, or on tasks that do):',
    );
    process.exit(13);
  };

  private detachProcessListeners(): void {
    process.removeListener('SIGINT', this.onSigint);
    process.removeListener('beforeExit', this.onBeforeExit);
  }

  private async finishAll(): Promise<void> {
    if (this.openMappings.size > 0) {
      // As Legion does at the end of the top-level task: unmap what the
      // program left mapped, so tasks waiting on those regions can finish.
      process.emitWarning(
        `cohort: shutdown unmapped ${this.openMappings.size} inline mapping(s) the program never unmapped`,
        'CohortWarning',
      );
      await Promise.allSettled([...this.openMappings].map((m) => m.unmap()));
    }
    while (native.outstanding() !== 0) {
      await this.js.idle();
    }
    this.closed = true;
    native.shutdown();
    this.detachProcessListeners();
    if (current === this) current = undefined;
  }

  /** A launch's `worker` option as the native pin (-1: any worker), or a clear error. */
  private workerOption(where: string, worker: unknown): number {
    if (worker === undefined) return -1;
    if (typeof worker !== 'number' || !Number.isInteger(worker) || worker < 0 || worker >= this.workers) {
      throw new RangeError(
        `${where}: worker must be an integer from 0 to ${this.workers - 1} (the runtime has ${this.workers} workers), got ${show(worker)}`,
      );
    }
    return worker;
  }

  private checkOpen(what: string): void {
    if (this.closed) {
      throw new Error(`${what} after shutdown: this runtime has been shut down; start a new one with Runtime.start()`);
    }
  }
}

/** The options of a launch given none (shared: never written). */
const NO_OPTIONS: LaunchOptions = Object.freeze({});
const NO_REQUIREMENTS: readonly (PartitionRequirement | RegionRequirement)[] = Object.freeze([]);

/** A launch's mapperArg, encoded for the core (which gives it to the mapper), or undefined. */
function mapperArgBytes(where: string, mapperArg: Value | undefined): Uint8Array | undefined {
  return mapperArg === undefined ? undefined : encode(mapperArg, `${where}: mapperArg`);
}

/** A launch's `mapper` or `tag` option (0 when left out), or a clear error. */
function idOption(where: string, name: 'mapper' | 'tag', value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    const what = name === 'mapper' ? 'a mapper id given to addMapper' : 'an integer from 0 to 2^32 - 1';
    throw new RangeError(`${where}: ${name} must be ${what}, got ${show(value)}`);
  }
  return value;
}

/** The native variant of a launch's `variant` option (-1: the mapper's choice), or a clear error. */
function variantId(where: string, variant: unknown): number {
  if (variant === undefined) return -1;
  if (variant === 'cpp') return VARIANT_CPP;
  if (variant === 'ts') return VARIANT_JS;
  throw new RangeError(`${where}: variant must be 'cpp' or 'ts' (or left out), got ${show(variant)}`);
}

/** A bad value for an error message: primitives as written, objects by kind. */
function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || typeof v !== 'object') return typeof v === 'function' ? 'a function' : String(v);
  return Array.isArray(v) ? 'an array' : describe(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  return typeof v;
}
