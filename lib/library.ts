import type { Value } from './codec';
import type { Runtime } from './runtime';
import { Task } from './task';

/** A loaded C++ task library (see `Runtime.loadLibrary`). */
export class Library {
  private readonly byName: Map<string, Task<Value[], Value>>;

  /** @internal */
  constructor(
    /** The resolved path of the shared object. */
    readonly path: string,
    /** A hash of the file's contents (hex), identical on every rank that loaded the same code. */
    readonly hash: string,
    tasks: [string, number][],
    private readonly runtime: Runtime,
    reductions: [string, number][] = [],
    /** Names of the registration callbacks the library registered (`Registrar::callback`). */
    readonly callbackNames: readonly string[] = [],
  ) {
    this.byName = new Map(tasks.map(([name, id]) => [name, new Task<Value[], Value>(name, id, runtime)]));
    this.reductionIds = new Map(reductions);
  }
  private readonly reductionIds: Map<string, number>;

  /**
   * Runs the library's registration callback `name` with `payload` on every
   * rank (here first), as Legion's registration callbacks: each rank runs
   * it at most once per distinct payload, outside any task, so a second
   * call with the same bytes sends nothing. Resolves once every rank ran it;
   * rejects naming each rank where it is unknown or failed (the others keep
   * their run). On one rank it simply runs here.
   * @example
   * await lib.runOnEveryRank('set_table', new TextEncoder().encode('table-v2'));
   */
  runOnEveryRank(name: string, payload: Uint8Array = new Uint8Array(0)): Promise<void> {
    return this.runtime.runLibraryCallback(this, name, payload);
  }

  /**
   * The id of a reduction operator the library registered, for
   * `region.reduce(lib.reduction('bitor'), 'x')`.
   */
  reduction(name: string): number {
    const id = this.reductionIds.get(name);
    if (id === undefined) {
      throw new Error(
        `library '${this.path}' registered no reduction operator '${name}'; it registered: ${[...this.reductionIds.keys()].join(', ') || '(none)'}`,
      );
    }
    return id;
  }

  /** Names of the tasks the library registered. */
  get taskNames(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * The task registered under `name`, launchable like a TS task. Type it
   * with the argument and result types the C++ code expects:
   * `lib.task<[number, number], number>('add')`.
   */
  task<A extends unknown[] = Value[], R = Value>(name: string): Task<A, R> {
    const t = this.byName.get(name);
    if (!t) {
      throw new Error(
        `library '${this.path}' has no task '${name}'; it defines: ${this.taskNames.join(', ') || '(none)'}`,
      );
    }
    return t as unknown as Task<A, R>;
  }
}
