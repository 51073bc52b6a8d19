/**
 * cohort: a Legion-style parallel task runtime for Node.js.
 * @packageDocumentation
 */
export { Runtime } from './runtime';
export type { RuntimeOptions, LaunchOptions } from './runtime';
export { Future } from './future';
export { Library } from './library';
export { Task, TaskContext } from './task';
export type { TaskBody, VariantOptions } from './task';
export { TaskError } from './errors';
export { encode, decode, EncodeError } from './codec';
export type { Value } from './codec';
