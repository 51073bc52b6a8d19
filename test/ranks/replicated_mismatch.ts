// Multi-rank test program: rank 0 asks for control replication and the
// other ranks do not. Rank 0 must refuse to start, naming both answers,
// and the run must end (the launcher ends the job) instead of hanging.
import { Runtime } from '../../lib';

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  await rt.main(
    async () => {
      console.log(`RESULT ${JSON.stringify({ rank: rt.rank, ran: true })}`);
    },
    { replicable: rt.rank === 0 },
  );
}

run().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
