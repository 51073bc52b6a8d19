// Multi-rank test program (test/ranks.test.ts runs it under mpirun and as
// one process): TS and C++ tasks spread over every rank, futures passed
// between tasks on different ranks, and a mapper that puts single tasks on
// a processor of a chosen rank. Rank 0 prints one RESULT line: the values,
// which must equal the one-process run and the sequential computation.
import { Mapper, MappableTask, MapTaskOutput, Runtime } from '../../lib';
import { exampleKernels } from '../helpers';

/** Puts every task on the first processor that can run it on rank `tag % ranks`. */
class OnRankMapper extends Mapper {
  constructor() {
    super('on-rank');
  }
  override mapTask(task: MappableTask): MapTaskOutput {
    const rank = task.tag % this.machine.ranks;
    const kind = task.tag >= 100 ? 'js' : 'cpu';
    const proc = this.machine.processors.find((p) => p.rank === rank && p.kind === kind);
    if (!proc) throw new Error(`no ${kind} processor on rank ${rank}`);
    return { variant: kind === 'js' ? 'ts' : 'cpp', targetProcessors: [proc.id] };
  }
}

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 2 });
  const kernels = await rt.loadLibrary(exampleKernels);
  const add = kernels.task<[number, number], number>('add');
  const sumFutures = kernels.task<[], number>('sum_futures');
  const square = rt.registerTask('square', (_ctx, x: number) => x * x);
  const tagged = rt.registerTask('tagged', (ctx, x: number) => ({ x: x + 1, rank: rt.rank, point: ctx.point }));
  const plus = rt.registerTask('plus_futures', (ctx) => (ctx.futures as number[]).reduce((a, b) => a + b, 0));
  rt.addMapper(1, new OnRankMapper());

  await rt.main(async () => {
    const ranksSeen = new Set<number>();
    // An index launch spread by the default sharding (TS variant).
    const points = await rt.indexLaunch(tagged, 12, { pointArgs: (p) => [p[0] * 10] }).values();
    for (const p of points) ranksSeen.add(p.rank);
    // Single C++ and TS tasks on each rank in turn, chained through futures.
    let acc = rt.launch(add, [1, 2], { mapper: 1, tag: 0 });
    for (let i = 1; i <= 8; ++i) {
      const sq = rt.launch(square, [i], { mapper: 1, tag: 100 + i });
      acc = rt.launch(sumFutures, [], { futures: [acc, sq], mapper: 1, tag: i });
    }
    const viaTs = rt.launch(plus, [], {
      futures: [acc, rt.launch(add, [5, 6], { mapper: 1, tag: 1 })],
      mapper: 1,
      tag: 101,
    });
    const result = {
      points: points.map((p) => [p.x, p.point]),
      chain: await acc.get(),
      viaTs: await viaTs.get(),
      expectedChain: 3 + Array.from({ length: 8 }, (_, k) => (k + 1) ** 2).reduce((a, b) => a + b, 0),
    };
    const counters = rt.transportCounters();
    console.log(`RESULT ${JSON.stringify(result)}`);
    console.log(
      `PLACEMENT ${JSON.stringify({ ranks: rt.ranks, ranksSeen: [...ranksSeen].sort(), requests: counters.peers.map((p) => p.sent.taskRequest?.messages ?? 0) })}`,
    );
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
