/**
 * cohort: a Legion-style parallel task runtime for Node.js.
 * @packageDocumentation
 */
export { Runtime, InlineMapping, Trace } from './runtime';
export type { RuntimeOptions, LaunchOptions, IndexLaunchOptions, MainOptions, ShutdownOptions } from './runtime';
export type { PendingTask } from './pending';
export { FutureMap } from './future-map';
export { Rect, volume, pointsOf, linearize } from './geometry';
export type { Coord, RectLike } from './geometry';
export { Region, Partition, RegionRequirement, PartitionRequirement, ProjectionFunctor } from './regions';
export type { FieldSpec, FieldType, Privilege, Coherence, ReductionOp, Reduction } from './regions';
export { PhysicalRegion, FieldView } from './physical';
export type { FieldArray } from './physical';
export type { AnalysisCounters, TransportCounters, PeerCounters, MessageCount } from './native';
export { Future } from './future';
export { Library } from './library';
export { Task, TaskContext } from './task';
export type { TaskBody, VariantOptions } from './task';
export { TaskError } from './errors';
export { encode, decode, EncodeError } from './codec';
export type { Value } from './codec';
export { Mapper, ShardingFunctor, CYCLIC_SHARDING, BLOCK_SHARDING } from './mapping';
export type {
  Machine,
  ProcessorInfo,
  MappableTask,
  MappableRequirement,
  TaskOptions,
  TaskSlice,
  MapTaskOutput,
  ReplicateTaskOutput,
} from './mapping';
