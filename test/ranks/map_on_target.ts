// Multi-rank test program: mapping on the target rank. A mapper that asks
// for mapLocally: false leaves the processor open on rank 0; each point the
// sharding sends to rank r is then mapped by rank r's own instance of the
// mapper, which puts it on r's last worker. Each task reports where it ran
// (the C++ task 'processor' gives the worker it ran on), then every rank
// says how often its mapper was asked. Rank 0 prints RESULT {workers:
// [worker per point], points, calls: [[rank, mapTask calls there], ...]}.
import { Mapper, MappableTask, MapTaskOutput, Runtime, TaskOptions } from '../../lib';
import { testKernels } from '../helpers';

let mapCallsHere = 0;

class OnTargetMapper extends Mapper {
  constructor(private readonly rt: Runtime) {
    super('on-target');
  }
  override selectTaskOptions(): TaskOptions {
    return { mapLocally: false };
  }
  override mapTask(_task: MappableTask): MapTaskOutput {
    mapCallsHere++;
    if (this.rt.rank === 0) return {}; // any processor: the point's rank decides
    const cpus = this.machine.processors.filter((p) => p.kind === 'cpu' && p.rank === this.rt.rank);
    return { variant: 'cpp', targetProcessors: [cpus[cpus.length - 1].id], priority: 1 };
  }
}

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 2 });
  const kernels = await rt.loadLibrary(testKernels);
  const processor = kernels.task<[], number>('processor');
  const calls = rt.registerTask('calls', () => [rt.rank, mapCallsHere]);
  rt.addMapper(1, new OnTargetMapper(rt));
  await rt.main(async () => {
    const points = 4 * rt.ranks;
    const workers = await rt.indexLaunch(processor, points, { mapper: 1 }).values();
    const counts = await rt.indexLaunch(calls, rt.ranks).values();
    console.log(`RESULT ${JSON.stringify({ workers, points, calls: counts })}`);
  });
}

run().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
