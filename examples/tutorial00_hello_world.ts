// Port of Legion's tutorial 00: a top-level program launches one task that
// prints "Hello World!".
import { Runtime } from '../lib';

async function main(): Promise<void> {
  const rt = await Runtime.start();
  const helloWorld = rt.registerTask('hello_world', () => {
    console.log('Hello World!');
  });
  // Under `mpirun -n N` every rank runs the top-level function; the single
  // task runs on rank 0, so it prints once.
  await rt.main(() => rt.launch(helloWorld, []).get(), { replicable: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
