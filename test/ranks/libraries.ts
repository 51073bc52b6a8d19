// Multi-rank test program: global registration. Each rank works in its own
// directory (argv[2]/rank<r>, made by test/ranks.test.ts), so a library
// path given relative can be present, missing, not a library, or a
// different build on some ranks. Rank 0 prints one RESULT line.
import * as path from 'path';
import { Mapper, MappableTask, MapTaskOutput, Runtime } from '../../lib';

class OnRankMapper extends Mapper {
  constructor() {
    super('on-rank');
  }
  override mapTask(task: MappableTask): MapTaskOutput {
    const proc = this.machine.processors.find((p) => p.rank === task.tag && p.kind === 'cpu')!;
    return { targetProcessors: [proc.id] };
  }
}

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  process.chdir(path.join(process.argv[2], `rank${rt.rank}`));
  rt.addMapper(1, new OnRankMapper());
  await rt.main(async () => {
    const sent = (): number[] => rt.transportCounters().peers.map((p) => p.sent.loadLibrary?.messages ?? 0);
    const out: Record<string, unknown> = { before: sent() };
    const good = await rt.loadLibrary('./good.so');
    out.afterFirst = sent();
    await rt.loadLibrary('./good.so');
    out.afterSecond = sent();
    const add = good.task<[number, number], number>('add');
    out.sums = await Promise.all(
      Array.from({ length: rt.ranks }, (_, r) => rt.launch(add, [r, 100], { mapper: 1, tag: r }).get()),
    );
    for (const name of ['missing', 'notlib', 'differs']) {
      try {
        await rt.loadLibrary(`./${name}.so`);
        out[name] = 'loaded';
      } catch (e) {
        out[name] = (e as Error).message;
      }
    }
    out.stillUsable = await rt.launch(add, [2, 3], { mapper: 1, tag: rt.ranks - 1 }).get();

    // Registration callbacks with a payload, run on every rank.
    const callbacks = await rt.loadLibrary('./callbacks.so');
    const state = callbacks.task<[], string>('callback_state');
    const states = (): Promise<string[]> =>
      Promise.all(Array.from({ length: rt.ranks }, (_, r) => rt.launch(state, [], { mapper: 1, tag: r }).get()));
    const callbackSent = (): number[] => rt.transportCounters().peers.map((p) => p.sent.runCallback?.messages ?? 0);
    const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
    const sentLog: number[][] = [callbackSent()];
    await callbacks.runOnEveryRank('record_payload', bytes('hello'));
    sentLog.push(callbackSent());
    out.statesFirst = await states();
    await callbacks.runOnEveryRank('record_payload', bytes('hello')); // ran everywhere already
    sentLog.push(callbackSent());
    const failure = async (p: Promise<void>): Promise<string> => {
      try {
        await p;
        return 'ran';
      } catch (e) {
        return (e as Error).message;
      }
    };
    out.unknown = await failure(callbacks.runOnEveryRank('nope'));
    out.failing = await failure(callbacks.runOnEveryRank('record_payload', bytes('fail on rank 1')));
    sentLog.push(callbackSent());
    out.callbackSent = sentLog;
    out.statesAfter = await states();
    console.log(`RESULT ${JSON.stringify(out)}`);
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
