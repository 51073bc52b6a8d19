import { Rect, Runtime } from './lib';
async function main() {
  const W = Number(process.argv[2] ?? 4096);
  const withRegions = process.argv[3] !== 'none';
  const rt = await Runtime.start({ workers: 2 });
  const lib = await rt.loadLibrary('/work/main/build/kernels/libbench_kernels.so');
  const touch = lib.task<[], undefined>('touch_cell');
  const region = rt.createRegion(Rect(0, W - 1), { x: 'f64' });
  const cells = rt.partitionEqual(region, W);
  const opts = withRegions ? { regions: [cells.readWrite('x')] } : {};
  const domain = Rect(0, W - 1);
  const every = Math.max(1, Math.floor(rt.window / (4 * W)));
  const t0 = Date.now();
  let n = 0;
  const N = Number(process.argv[4] ?? 0);
  while (N ? n < N : Date.now() - t0 < 6000) {
    for (let k = 0; k < every; k++, n++) rt.indexLaunch(touch, domain, opts);
    await rt.throttle();
  }
  await rt.fence().get();
  const s = (Date.now() - t0) / 1000;
  console.log(`${W} ${withRegions}: ${((s * 1e6) / (n * W)).toFixed(3)} us/point`);
  await rt.shutdown();
}
main();
