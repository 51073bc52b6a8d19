// Multi-rank test program: rank 1 registers a task the others do not. Rank
// 0 must refuse to run the top-level function, naming rank 1 and the task,
// and the run must end.
import { Runtime } from '../../lib';

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  rt.registerTask('common', () => 1);
  if (rt.rank === 1) rt.registerTask('only_on_rank_one', () => 2);
  await rt.main(async () => {
    console.log('RESULT main ran');
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
