// A long steady program, run by test/memory.test.ts in a process of its own:
// rounds of no-op C++ launches (with throttle) or of trace replays, printing
// the resident set size after each round as JSON.
import * as path from 'path';
import { Rect, Runtime } from '../../lib';

async function main(): Promise<void> {
  const [mode, roundsArg, perRoundArg] = process.argv.slice(2);
  const rounds = Number(roundsArg);
  const perRound = Number(perRoundArg);
  const rt = await Runtime.start({ workers: 2 });
  const tk = await rt.loadLibrary(path.join(__dirname, '..', '..', 'build', 'kernels', 'libtest_kernels.so'));
  const rss: number[] = [];
  if (mode === 'launches') {
    const empty = tk.task('empty');
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < perRound; i++) {
        rt.launch(empty, []);
        if ((i & 1023) === 0) await rt.throttle();
      }
      await rt.fence().get();
      rss.push(process.memoryUsage().rss);
    }
  } else {
    const B = rt.createRegion(Rect(0, 9), { n: 'f64' });
    const trace = rt.trace(() => {
      rt.launch(tk.task('add_to_field'), [1], { regions: [B.reduce('sum', 'n')] });
    });
    for (let r = 0; r < rounds; r++) {
      await trace.replay(perRound).get();
      rss.push(process.memoryUsage().rss);
    }
    const m = await rt.map(B.read('n'));
    if (m.field('n')[0] !== rounds * perRound + 1) throw new Error(`replays lost updates: ${m.field('n')[0]}`);
    await m.unmap();
  }
  await rt.shutdown();
  process.stdout.write(JSON.stringify({ rss }) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
