/**
 * The registry of `npm run bench`, in run order. To add a bench, write a
 * `BenchDefinition` (see ../harness.ts) in this folder and list it here;
 * `--only <name>` selects by its `name`.
 */
import type { BenchDefinition } from '../harness';
import { analysisThroughputBenches } from './analysis_throughput';
import { chainLatency } from './chain_latency';
import { emptyCppTasks } from './empty_cpp_tasks';
import { emptyTsTasks } from './empty_ts_tasks';
import { mapperOverhead } from './mapper_overhead';
import { metgStencil1dBenches } from './metg_stencil_1d';

export const benches: readonly BenchDefinition[] = [
  emptyCppTasks,
  chainLatency,
  emptyTsTasks,
  // One entry per width, each group under one name (the JSON lines carry `width`).
  ...metgStencil1dBenches,
  ...analysisThroughputBenches,
  mapperOverhead,
];
