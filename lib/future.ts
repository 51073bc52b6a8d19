import { decode, encode, Value } from './codec';
import { TaskError } from './errors';
import { native, NativeFuture } from './native';
import type { Runtime } from './runtime';

// Small values are read into this buffer (decode copies what it keeps).
const scratch = new Uint8Array(4096);

// Frees a future's native slot once its JS object is collected.
const slots = new FinalizationRegistry<NativeFuture>((slot) => native.releaseFuture(slot));

/**
 * The value a launched task will produce. Pass it to another launch (in
 * `futures`) to make that task wait for it, or `await future.get()`.
 */
export class Future<T = Value> {
  /** @internal */
  readonly handle: NativeFuture;
  /** @internal */
  private readonly runtime: Runtime | undefined;
  private cached: Promise<T> | undefined;

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
    const state = native.futureState(this.handle);
    if (state === 1) this.cached = Promise.resolve(this.readValue());
    else if (state === 2) this.cached = Promise.reject(this.readFailure());
    else if (!this.runtime) this.cached = Promise.reject(new Error('cohort: future has no runtime to wait on'));
    else this.cached = this.runtime.js.watch(this).then(() => this.settled());
    // Avoid unhandled-rejection noise for futures whose get() result is
    // dropped; the caller still sees the rejection through the promise.
    this.cached.catch(() => undefined);
    return this.cached;
  }

  /** @internal */
  settled(): T {
    if (native.futureState(this.handle) === 1) return this.readValue();
    throw this.readFailure();
  }

  private readValue(): T {
    const n = native.futureValueInto(this.handle, scratch);
    return decode(n >= 0 ? scratch.subarray(0, n) : native.futureValue(this.handle)) as T;
  }

  private readFailure(): TaskError {
    const f = native.futureFailure(this.handle);
    return new TaskError(f.producer, f.rootOrigin, f.message, f.rootMessage, f.stack);
  }
}
