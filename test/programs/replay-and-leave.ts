// Replays a trace and returns from the script without awaiting it: the
// process must stay alive until every replayed iteration ran, then exit 0.
import * as path from 'path';
import { Rect, Runtime } from '../../lib';

async function main(): Promise<void> {
  const rt = await Runtime.start({ workers: 2 });
  const tk = await rt.loadLibrary(path.join(__dirname, '..', '..', 'build', 'kernels', 'libtest_kernels.so'));
  const B = rt.createRegion(Rect(0, 99), { n: 'f64' });
  // Many short iterations of 16 points: windows drain between the JS
  // thread's turns, the case where issuing the last ones must keep the loop alive.
  const trace = rt.trace(() => {
    rt.launch(tk.task('add_to_field'), [1], { regions: [B.reduce('sum', 'n')] });
    rt.indexLaunch(tk.task('empty'), Rect(0, 15));
  });
  trace.replay(Number(process.argv[2]));
  void rt.map(B.read('n')).then(async (m) => {
    process.stdout.write(`${m.field('n')[0]}\n`);
    await m.unmap();
  });
}

void main();
