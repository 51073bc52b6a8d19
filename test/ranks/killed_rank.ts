// Multi-rank test program: a task on rank 1 kills its own process. The run
// must end (the launcher ends the job) with an error naming rank 1, never
// hang.
import { Mapper, MappableTask, MapTaskOutput, Runtime } from '../../lib';

class RankOneMapper extends Mapper {
  constructor() {
    super('rank-one');
  }
  override mapTask(_task: MappableTask): MapTaskOutput {
    return { targetProcessors: [this.machine.processors.find((p) => p.rank === 1 && p.kind === 'js')!.id] };
  }
}

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  const die = rt.registerTask('die', () => {
    process.kill(process.pid, 'SIGKILL');
  });
  rt.addMapper(1, new RankOneMapper());
  await rt.main(async () => {
    await rt.launch(die, [], { mapper: 1 }).get();
    console.log('RESULT the killed task returned');
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
