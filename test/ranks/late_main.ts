// Multi-rank test program: rank 0 calls rt.main only after every other
// rank's hello has arrived (it watches the transport counters), so the
// ranks are ready before rank 0 waits for them. It must still run.
import { Runtime } from '../../lib';

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  const twice = rt.registerTask('twice', (_ctx, x: number) => 2 * x);
  if (rt.rank === 0) {
    const allSaidHello = (): boolean => rt.transportCounters().peers.every((p) => p.received.hello?.messages === 1);
    while (!allSaidHello()) await new Promise((resolve) => setImmediate(resolve));
  }
  await rt.main(async () => {
    const values = await rt.indexLaunch(twice, 4, { pointArgs: (p) => [p[0]] }).values();
    console.log(`RESULT ${JSON.stringify(values)}`);
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
