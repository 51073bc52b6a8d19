// Multi-rank test program: programs that simply end. With argv[2] ===
// 'main' the work is in rt.main and nothing calls shutdown(); with 'plain'
// every rank runs its own launches without rt.main and never shuts down.
// Either way every rank must exit 0 after its tasks finished.
import { Runtime } from '../../lib';

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  const twice = rt.registerTask('twice', (_ctx, x: number) => 2 * x);
  if (process.argv[2] === 'main') {
    await rt.main(async () => {
      const values = await rt.indexLaunch(twice, 8, { pointArgs: (p) => [p[0]] }).values();
      console.log(`RESULT ${JSON.stringify(values)}`);
    });
  } else {
    const f = rt.launch(twice, [rt.rank + 1]);
    console.log(`RESULT rank ${rt.rank}: ${await f.get()}`);
  }
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
