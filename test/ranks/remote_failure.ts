// Multi-rank test program: a TS task and a C++ task that fail on the last
// rank reject the right futures on rank 0 with the remote message, stack
// and rank; tasks that depend on them do not run; the runtime goes on.
import { Mapper, MappableTask, MapTaskOutput, Runtime, TaskError } from '../../lib';
import { testKernels } from '../helpers';

class LastRankMapper extends Mapper {
  constructor() {
    super('last-rank');
  }
  override mapTask(task: MappableTask): MapTaskOutput {
    const last = this.machine.ranks - 1;
    const kind = task.variants.includes('ts') ? 'js' : 'cpu';
    const proc = this.machine.processors.find((p) => p.rank === last && p.kind === kind)!;
    return { targetProcessors: [proc.id] };
  }
}

function describe(e: unknown): object {
  const err = e as TaskError;
  return { message: err.message, stack: String(err.stack), failedTask: err.failedTask };
}

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  const kernels = await rt.loadLibrary(testKernels);
  const failCpp = kernels.task<[string], number>('fail');
  const boom = rt.registerTask('boom', (_ctx, what: string) => {
    throw new Error(`boom: ${what}`);
  });
  const after = rt.registerTask('after', () => 1);
  const fine = rt.registerTask('fine', () => rt.rank);
  rt.addMapper(1, new LastRankMapper());
  await rt.main(async () => {
    const ts = rt.launch(boom, ['from ts'], { mapper: 1 });
    const cpp = rt.launch(failCpp, ['from c++'], { mapper: 1 });
    const dependent = rt.launch(after, [], { futures: [ts], mapper: 1 });
    const out: Record<string, unknown> = {};
    for (const [name, f] of [
      ['ts', ts],
      ['cpp', cpp],
      ['dependent', dependent],
    ] as const) {
      try {
        await f.get();
        out[name] = 'resolved';
      } catch (e) {
        out[name] = describe(e);
      }
    }
    out.afterwards = await rt.launch(fine, [], { mapper: 1 }).get();
    console.log(`RESULT ${JSON.stringify(out)}`);
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
