/** Errors raised by cohort's API. */

/**
 * Rejection of a future whose task failed, or did not run because a task it
 * depends on failed. For the task that threw, `message` and `stack` are the
 * original ones; for a dependent, the message names the immediate failed
 * predecessor and the root failure (`failedTask`, `originalMessage`) once,
 * so it stays short however long the chain of dependents is, and `stack`
 * ends with the root's stack.
 */
export class TaskError extends Error {
  /** The operation this future belongs to, e.g. "task 'fib' (op #12)". */
  readonly task: string;
  /** The operation that actually failed: the root of the chain (equal to `task` for the thrower). */
  readonly failedTask: string;
  /** The original error message of the root failure. */
  readonly originalMessage: string;

  constructor(task: string, failedTask: string, message: string, originalMessage: string, stack: string) {
    super(message);
    this.name = 'TaskError';
    this.task = task;
    this.failedTask = failedTask;
    this.originalMessage = originalMessage;
    if (stack) {
      // Keep the original stack: it is where the failure happened.
      this.stack = task === failedTask ? stack : `${this.name}: ${message}\n    caused by: ${stack}`;
    }
  }
}
