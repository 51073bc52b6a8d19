import { BufferDecoder, decode, encode, Value } from './codec';
import { TaskError } from './errors';
import { native, NativeFuture } from './native';
import type { Runtime } from './runtime';

// Small values are read into this buffer (decode copies what it keeps).
const scratch = new Uint8Array(4096);
const scratchDecoder = new BufferDecoder(scratch);

// Frees a future's native slot once its JS object is collected.
const slots = new FinalizationRegistry<NativeFuture>((slot) => native.releaseFuture(slot));

// futureRead's answers besides a byte length (cpp/napi/future_binding.cc).
const READ_TOO_LARGE = -1;
const READ_FAILED = -2;
const READ_PENDING = -3;

function ignore(): void {}

/** What a watch calls on the JS thread once its future settled. @internal */
export interface Watcher {
  fire(): void;
}

/**
 * The value a launched task will produce. Pass it to another launch (in
 * `futures`) to make that task wait for it, or `await future.get()`.
 */
export class Future<T = Value> implements Watcher {
  /** @internal */
  readonly handle: NativeFuture;
  /** @internal */
  private readonly runtime: Runtime | undefined;
  private cached: Promise<T> | undefined;
  // While a get() waits: its promise's settlers (the future is its own watcher).
  // (Typed without T so that a Future<number> stays a Future<unknown>.)
  private resolveGet: ((v: unknown) => void) | undefined;
  private rejectGet: ((e: unknown) => void) | undefined;

  /** @internal */
  constructor(handle: NativeFuture, runtime: Runtime | undefined) {
    this.handle = handle;
    this.runtime = runtime;
    slots.register(this, handle);
  }

  /** A future that is already ready with `value`. */
  static fromValue<V extends Value>(value: V): Future<V> {
    return new Future<V>(native.futureFromValue(encode(value, 'Future.fromValue argument')), undefined);
  }

  /** True once the value (or the failure) is available. */
  isReady(): boolean {
    return native.futureState(this.handle) !== 0;
  }

  /** Resolves to the value; rejects with a {@link TaskError} if the task failed. */
  get(): Promise<T> {
    if (this.cached) return this.cached;
    // One crossing reads the value, or arms a watch when it is pending.
    const js = this.runtime?.js;
    const watch = js ? this.handle + 1 : 0;
    const n = native.futureRead(this.handle, scratch, watch);
    if (n !== READ_PENDING) {
      try {
        this.cached = Promise.resolve(this.valueOf(n));
      } catch (e) {
        this.cached = rejected(e);
      }
    } else if (!js) {
      this.cached = rejected(new Error('cohort: future has no runtime to wait on'));
    } else {
      this.cached = new Promise<T>((resolve, reject) => {
        this.resolveGet = resolve as (v: unknown) => void;
        this.rejectGet = reject;
      });
      js.addWatch(watch, this);
    }
    return this.cached;
  }

  /** @internal The watch armed by get() fired: settle its promise. */
  fire(): void {
    const resolve = this.resolveGet;
    const reject = this.rejectGet;
    this.resolveGet = this.rejectGet = undefined;
    if (!resolve || !reject) return;
    let value: T;
    try {
      value = this.settled();
    } catch (e) {
      // Dropped get() results must not raise unhandled-rejection noise; the
      // caller still sees the rejection through the promise.
      this.cached?.catch(ignore);
      reject(e);
      return;
    }
    resolve(value);
  }

  /** @internal The value of a settled future, or its failure thrown. */
  settled(): T {
    return this.valueOf(native.futureRead(this.handle, scratch, 0));
  }

  private valueOf(n: number): T {
    if (n >= 0) return scratchDecoder.decode(0, n) as T;
    if (n === READ_TOO_LARGE) return decode(native.futureValue(this.handle)) as T;
    if (n === READ_FAILED) throw this.readFailure();
    throw new Error('cohort: future value read before it was ready');
  }

  private readFailure(): TaskError {
    const f = native.futureFailure(this.handle);
    return new TaskError(f.producer, f.rootOrigin, f.message, f.rootMessage, f.stack);
  }
}

/** A rejected promise that raises no unhandled-rejection noise if dropped. */
function rejected<T>(e: unknown): Promise<T> {
  const p = Promise.reject<T>(e instanceof Error ? e : new Error(String(e)));
  p.catch(ignore);
  return p;
}
