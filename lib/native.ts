/**
 * The compiled addon, loaded through node-gyp-build (a prebuilt binary from
 * prebuilds/ when one matches, else the local build). Internal: the public
 * API is the classes in this package.
 * @internal
 */
import * as path from 'path';
import type { MappableTask } from './mapping';
import type { PendingTask } from './pending';

/** Slot of a native future in the addon's future table. */
export type NativeFuture = number & { readonly __nativeFuture: unique symbol };
/** A slot of the binding's FutureMap table: an index launch's futures. */
export type NativeFutureMap = number & { readonly __nativeFutureMap: unique symbol };

/** One field of a region requirement as a TS task sees it. */
export interface FieldViewInfo {
  id: number;
  name: string;
  type: number;
  offset: number;
  /** Checking mode: the private copy of the window the view is in (offset is then into it). */
  shadow?: ArrayBuffer;
  lo: number[];
  hi: number[];
  strides: number[];
}
export interface RegionViewInfo {
  tree: number;
  node: number;
  privilege: number;
  fields: FieldViewInfo[];
  rects: [number[], number[]][];
  /** On a rank other than 0: the generation of this rank's storage of the tree (absent: the forest's). */
  rankStore?: number;
}

/**
 * Numbers per TS task in the header takeWork returns: op, task id,
 * processor, start and end of its arguments in the shared bytes, its index
 * in the extras (-1: none), point dimension (0: not a point task), point
 * coordinates (3).
 */
export const TASK_FIELDS = 10;

/** A TS task's futures' values (encoded) and its regions, when it has any. */
export type TaskExtras = [futures: Uint8Array[] | undefined, regions: RegionViewInfo[] | undefined];

/** The idle and window notices, decided by the core on the current count. */
export interface WorkNotice {
  /** Nothing launched is outstanding. */
  idle: boolean;
  /** throttle()'s armed mark was reached. */
  window: boolean;
}

/** What arrived from other ranks (see cpp/runtime/rank_service.h). */
export interface RankEvents {
  ready?: boolean;
  error?: string;
  shutdown?: boolean;
  transportError?: string;
  libraries: [number, string[]][];
}

/**
 * What the JS processor hands the JS thread in one drain, in the order it is
 * handled: ready TS tasks (already holding their locks and running) packed
 * as a header of {@link TASK_FIELDS} numbers each, their arguments in one
 * buffer, and extras; watch ids that fired; what arrived from other ranks;
 * the idle/window notice. Absent parts are undefined.
 */
export type Work = [
  header: Float64Array | undefined,
  bytes: Uint8Array | undefined,
  extras: TaskExtras[] | undefined,
  watches: Float64Array | undefined,
  ranks: RankEvents | undefined,
  notice: WorkNotice | undefined,
];

/** Messages and bytes of one kind. */
export interface MessageCount {
  messages: number;
  bytes: number;
}

/** What this rank exchanged with one other rank. */
export interface PeerCounters {
  rank: number;
  /** Wire messages (each a batch of runtime messages to one destination). */
  batchesSent: number;
  batchesReceived: number;
  /** Bytes of those batches, framing included. */
  wireBytesSent: number;
  wireBytesReceived: number;
  /**
   * Bytes of region data (elements only, no headers) sent to / received from
   * this peer: what the tasks placed on other ranks read that was not valid there.
   */
  regionBytesSent: number;
  regionBytesReceived: number;
  /** By message kind ('taskRequest', 'taskReply', 'loadLibrary', ...): payload bytes. */
  sent: Record<string, MessageCount>;
  received: Record<string, MessageCount>;
}

/** The transport's counters on this rank ({@link Runtime.transportCounters}). */
export interface TransportCounters {
  rank: number;
  ranks: number;
  /** The MPI library's version string (absent on one rank). */
  library?: string;
  /** The thread level MPI granted: 1 funneled, 2 serialized, 3 multiple. */
  threadLevel?: number;
  /** One entry per other rank; empty on one rank. */
  peers: PeerCounters[];
}

export interface NativeRegionInfo {
  tree: number;
  node: number;
  lo: number[];
  hi: number[];
  volume: number;
  rects: [number[], number[]][];
}
export interface NativePartitionInfo {
  tree: number;
  node: number;
  disjoint: boolean;
  complete: boolean;
  colorLo: number[];
  colorHi: number[];
}
export interface AnalysisCounters {
  operations: number;
  points: number;
  usersExamined: number;
  piecesVisited: number;
  edgesAdded: number;
}
/** What an index launch passes besides its encoding, only when it has any of it. */
export interface NativeIndexLaunchExtras {
  pointArgs?: Uint8Array[];
  /** Per requirement, the {points, colors} of a TS projection (absent for the others). */
  projections?: (object | undefined)[];
  mapperArg?: Uint8Array;
  reduce?: { redop: number; label: string };
}

export interface FailureInfo {
  message: string;
  stack: string;
  origin: string;
  producer: string;
  /** The failure that started the chain (equal to origin/message for the task that threw). */
  rootOrigin: string;
  rootMessage: string;
}

export interface NativeAddon {
  start(
    workers: number | undefined,
    drain: () => void,
    checks?: boolean,
    pluginDirs?: string[],
  ): {
    workers: number;
    jsProcessor: number;
    checks: boolean;
    inlineMapTask: number;
    fillTask: number;
    rank: number;
    ranks: number;
  };
  enterMain(replicated: boolean): void;
  loadEverywhere(path: string): number;
  transportCounters(): TransportCounters;
  outstanding(): number;
  /** Futures handed to JS so far (a counter). */
  futuresMade(): number;
  shutdown(): void;
  /** Tasks started and not finished, in launch order. */
  pendingTasks(): PendingTask[];
  registerTask(name: string, flags: number): number;
  taskVariants(task: number): ('cpp' | 'ts')[];
  loadLibrary(path: string): {
    path: string;
    hash: string;
    tasks: [string, number][];
    reductions: [string, number][];
    callbacks: string[];
  };
  /** Runs a library's registration callback here, then asks every other rank (token, or 0). */
  runCallback(path: string, name: string, payload: Uint8Array): number;
  /**
   * A single launch. Its scalar options are written into
   * {@link NativeAddon.launchScalars} just before (see LaunchScalar in
   * cpp/napi/addon_state.h).
   */
  launch(
    task: number,
    args: Uint8Array,
    futures: NativeFuture[] | undefined,
    regions: object[] | undefined,
    mapperArg: Uint8Array | undefined,
  ): NativeFuture;
  /** variant, worker, parent, background, mapper, tag of the next launch(). */
  readonly launchScalars: Float64Array;
  addMapper(
    id: number,
    name: string,
    overrides: number,
    dispatch: (
      mapper: number,
      callback: number,
      task: MappableTask,
      point: number[] | number[][] | undefined,
    ) => unknown,
    replaceDefault: boolean,
  ): void;
  /** Mapper callback ids, from the core's one table (cpp/mapping/mapper_callbacks.h). */
  readonly mapperCallbacks: Readonly<
    Record<
      'selectTaskOptions' | 'sliceTask' | 'mapTask' | 'selectShardingFunctor' | 'replicateTask' | 'mapPoints',
      number
    >
  >;
  registerShardingFunctor(
    id: number,
    name: string,
    dispatch: (id: number, point: number[], lo: number[], hi: number[], total: number) => number,
  ): void;
  shardPoints(functor: number, lo: number[], hi: number[], total: number): number[][][];
  /** Limits of shardPoints: the shard count and the points of the domain. */
  readonly maxShardsQueried: number;
  readonly maxShardQueryPoints: number;
  machine(): { processors: { id: number; kind: 'cpu' | 'js'; rank: number }[]; ranks: number; rank: number };
  /**
   * An index launch: `encoded` holds its scalars and requirements
   * (lib/launch-encoding.ts); returns the future map, or with
   * `extras.reduce` the reduced future.
   */
  indexLaunch(
    encoded: Float64Array,
    args: Uint8Array,
    futures: NativeFuture[] | undefined,
    extras: NativeIndexLaunchExtras | undefined,
  ): NativeFutureMap | NativeFuture;
  reduceFutures(futures: NativeFuture[], redop: number, label: string): NativeFuture;
  fence(parent: number): NativeFuture;
  armWindow(n: number): boolean;
  beginTrace(parent: number): void;
  endTrace(parent: number): number;
  replayTrace(trace: number, times: number, parent: number, window: number): NativeFuture;
  continueTrace(trace: number, window: number): NativeFuture | null;
  traceInfo(trace: number): {
    launches: number;
    steady: boolean;
    analyzedIterations: number;
    replayedIterations: number;
    graphIterations: number;
  };
  createRegion(lo: number[], hi: number[], fields: [string, string][]): NativeRegionInfo & { fieldIds: number[] };
  partitionEqual(tree: number, node: number, colorLo: number[], colorHi: number[]): NativePartitionInfo;
  partitionByBlocks(
    tree: number,
    node: number,
    block: number[],
    haloLo: number[],
    haloHi: number[],
  ): NativePartitionInfo;
  partitionByRects(tree: number, node: number, rects: [number[], number[]][][]): NativePartitionInfo;
  subregion(tree: number, partition: number, color: number[]): NativeRegionInfo;
  destroyRegion(tree: number): void;
  storageBuffer(tree: number, field: number): ArrayBuffer;
  /** This rank's storage of a tree of rank 0, which tasks run here used. */
  rankStorageBuffer(tree: number, field: number): ArrayBuffer;
  analysisCounters(reset?: boolean): AnalysisCounters;
  recordPlan(on: boolean): void;
  planLines(): string[];
  takeWork(): Work;
  completeTask(op: number, result: Uint8Array): void;
  /** Completes TS tasks; results[i] (absent or null: undefined) is ops[i]'s. */
  completeTasks(ops: Float64Array, results: (Uint8Array | null)[] | undefined): void;
  failTask(op: number, message: string, stack: string): void;
  futureState(f: NativeFuture): 0 | 1 | 2;
  futureValue(f: NativeFuture): Uint8Array;
  futureFailure(f: NativeFuture): FailureInfo;
  /**
   * The value's byte length (copied into scratch), -1 if it does not fit,
   * -2 if failed, -3 if pending (then a watch posting watchId is armed when
   * watchId > 0).
   */
  futureRead(f: NativeFuture, scratch: Uint8Array, watchId: number): number;
  futureFromValue(bytes: Uint8Array): NativeFuture;
  releaseFuture(f: NativeFuture): void;
  futureMapPoint(m: NativeFutureMap, index: number): NativeFuture;
  futureMapValueInto(m: NativeFutureMap, index: number, scratch: Uint8Array): number;
  futureMapSettled(m: NativeFutureMap): NativeFuture;
  futureMapFirstFailed(m: NativeFutureMap): number;
  releaseFutureMap(m: NativeFutureMap): void;
}

/** The package root: one level up from lib/ (sources) or dist/ (compiled). */
export const packageRoot = path.resolve(__dirname, '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as ((dir: string) => unknown) & { path(dir: string): string };

export const native: NativeAddon = nodeGypBuild(packageRoot) as NativeAddon;

/**
 * Where the MPI transport plugin may be: next to the addon that was loaded
 * (a prebuild directory or build/Release), then build/Release.
 */
export const pluginDirs: string[] = [
  ...new Set([path.dirname(nodeGypBuild.path(packageRoot)), path.join(packageRoot, 'build', 'Release')]),
];
