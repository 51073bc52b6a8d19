// Port of Legion's tutorial 00: a top-level program launches one task that
// prints "Hello World!".
import { Runtime } from '../lib';

async function main(): Promise<void> {
  const rt = await Runtime.start();
  const helloWorld = rt.registerTask('hello_world', () => {
    console.log('Hello World!');
  });
  await rt.launch(helloWorld, []).get();
  await rt.shutdown();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
