// The multi-rank bench's cohort side (bench/ranks/run.ts starts it under
// mpirun -n 2): empty C++ tasks placed on rank 1 by a mapper. Prints
// "REMOTE {tasksPerSecond, roundTripUs, requestBytes}" on rank 0.
import * as path from 'path';
import { Mapper, MappableTask, MapTaskOutput, Runtime } from '../../lib';

class RankOne extends Mapper {
  constructor() {
    super('rank-one');
  }
  override mapTask(_task: MappableTask): MapTaskOutput {
    return { targetProcessors: [this.machine.processors.find((p) => p.rank === 1 && p.kind === 'cpu')!.id] };
  }
}

async function run(): Promise<void> {
  const tasks = Number(process.argv[2] ?? 20000);
  const trips = Number(process.argv[3] ?? 2000);
  const rt = await Runtime.start({ workers: 1 });
  const lib = await rt.loadLibrary(path.resolve(__dirname, '..', '..', 'build', 'kernels', 'libtest_kernels.so'));
  const empty = lib.task<[], void>('empty');
  rt.addMapper(1, new RankOne());
  await rt.main(async () => {
    for (let i = 0; i < 200; ++i) await rt.launch(empty, [], { mapper: 1 }).get();
    // Throughput: many independent tasks in flight.
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < tasks; ++i) {
      rt.launch(empty, [], { mapper: 1 });
      if ((i & 1023) === 1023) await rt.throttle();
    }
    await rt.fence().get();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // Latency: one task at a time, each awaited.
    t0 = process.hrtime.bigint();
    for (let i = 0; i < trips; ++i) await rt.launch(empty, [], { mapper: 1 }).get();
    const roundTripUs = Number(process.hrtime.bigint() - t0) / 1e3 / trips;
    const c = rt.transportCounters().peers[0].sent.taskRequest;
    console.log(
      `REMOTE ${JSON.stringify({ tasksPerSecond: tasks / seconds, roundTripUs, requestBytes: c.bytes / c.messages })}`,
    );
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
