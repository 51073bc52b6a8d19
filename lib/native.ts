/**
 * The compiled addon, loaded through node-gyp-build (a prebuilt binary from
 * prebuilds/ when one matches, else the local build). Internal: the public
 * API is the classes in this package.
 * @internal
 */
import * as path from 'path';

/** Opaque handle to a native future. */
export type NativeFuture = { readonly __nativeFuture: unique symbol };

/** A ready TS task handed to the JS processor. */
export interface JsTaskItem {
  op: number;
  task: number;
  args: Uint8Array;
  futures: Uint8Array[];
  processor: number;
  point?: number[];
}
export type WorkItem = JsTaskItem | { watch: number } | { idle: true };

export interface FailureInfo {
  message: string;
  stack: string;
  origin: string;
  producer: string;
}

export interface NativeAddon {
  start(workers: number | undefined, drain: () => void): { workers: number; jsProcessor: number };
  outstanding(): number;
  shutdown(): void;
  registerTask(name: string, flags: number): number;
  loadLibrary(path: string): { path: string; hash: string; tasks: [string, number][] };
  launch(task: number, args: Uint8Array, futures: NativeFuture[] | undefined, variant?: number, pinnedWorker?: number): NativeFuture;
  takeWork(): WorkItem[];
  completeTask(op: number, result: Uint8Array): void;
  failTask(op: number, message: string, stack: string): void;
  futureState(f: NativeFuture): 0 | 1 | 2;
  futureValue(f: NativeFuture): Uint8Array;
  futureFailure(f: NativeFuture): FailureInfo;
  watchFuture(f: NativeFuture, watchId: number): void;
  futureFromValue(bytes: Uint8Array): NativeFuture;
}

/** The package root: one level up from lib/ (sources) or dist/ (compiled). */
export const packageRoot = path.resolve(__dirname, '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: NativeAddon = require('node-gyp-build')(packageRoot) as NativeAddon;
