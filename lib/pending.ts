/**
 * What is still running: the tasks launched and not finished, and the
 * report printed when a program seems stuck (shutdown taking longer than
 * its grace period, Ctrl-C, or an event loop with nothing left to do but
 * tasks that can never finish).
 */

/** A task that was launched and has not finished (see {@link Runtime.pending}). */
export interface PendingTask {
  /** Its operation's handle in this process (launch order). */
  readonly op: number;
  /**
   * Its operation's name, as in error messages ("task 'fib' (op #12)";
   * "3.2" is the second operation launched by the body of operation 3).
   */
  readonly name: string;
  /** The task's name. */
  readonly task: string;
  /** The variant it runs: `'cpp'` on a worker thread, `'ts'` on the JS thread. */
  readonly variant: 'cpp' | 'ts';
  /**
   * `waiting`: for its futures or earlier operations it depends on;
   * `queued`: ready, not started yet (or waiting for an exclusion lock);
   * `running`: its body started (for a TS task: its promise has not settled
   * or the subtasks it launched have not finished).
   */
  readonly state: 'waiting' | 'queued' | 'running';
  /** While running: the worker index, or `rt.jsProcessor` for the JS thread. */
  readonly processor?: number;
  /** Milliseconds it has been in this state (a few ms resolution). */
  readonly ms: number;
  /** True for operations that do not keep the process alive by themselves (inline mappings). */
  readonly background: boolean;
}

const INLINE_MAP_TASK = 'cohort.inline_map';
/** At most this many tasks are listed one per line; the rest are counted. */
const MAX_LINES = 20;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function describeOne(t: PendingTask, jsProcessor: number): string {
  if (t.task === INLINE_MAP_TASK) {
    return t.state === 'running'
      ? `inline mapping (op #${t.name}): mapped for ${seconds(t.ms)} and not unmapped`
      : `inline mapping (op #${t.name}): ${t.state} for ${seconds(t.ms)}`;
  }
  const name = `task '${t.task}' (op #${t.name}, ${t.variant === 'cpp' ? 'C++' : 'TS'})`;
  switch (t.state) {
    case 'running':
      return t.processor === jsProcessor || t.variant === 'ts'
        ? `${name}: running on the JS thread for ${seconds(t.ms)} (its promise has not settled, or its subtasks have not finished)`
        : `${name}: running on worker ${t.processor ?? '?'} for ${seconds(t.ms)}`;
    case 'queued':
      return `${name}: ready and queued for ${seconds(t.ms)}`;
    default:
      return `${name}: waiting for ${seconds(t.ms)} (for its futures or earlier operations it depends on)`;
  }
}

/** The report: a headline, then one line per task (running ones first). */
export function formatPendingReport(headline: string, tasks: readonly PendingTask[], jsProcessor: number): string {
  const order = { running: 0, queued: 1, waiting: 2 };
  const sorted = [...tasks].sort((a, b) => order[a.state] - order[b.state] || a.op - b.op);
  const lines = [`cohort: ${headline}`];
  if (sorted.length === 0) lines.push('  (no task is unfinished)');
  for (const t of sorted.slice(0, MAX_LINES)) lines.push(`  ${describeOne(t, jsProcessor)}`);
  if (sorted.length > MAX_LINES) {
    const rest = sorted.slice(MAX_LINES);
    const count = (s: PendingTask['state']): number => rest.filter((t) => t.state === s).length;
    lines.push(
      `  ... and ${rest.length} more (${count('running')} running, ${count('queued')} queued, ${count('waiting')} waiting)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
