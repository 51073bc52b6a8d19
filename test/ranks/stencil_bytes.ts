// Multi-rank test program: a 1-D three-point stencil over one piece per
// rank (TS tasks; the default mapper puts piece p on rank p), double
// buffered between fields 'a' and 'b'. Each step reads a piece widened by
// one ghost cell each side and writes the piece itself, so the only region
// data that must move is the ghost cells of neighbours on other ranks:
// 2 * 8 bytes per boundary between ranks, per step. Every rank's counters
// are read by a task placed on it, before and after the steps. Rank 0
// then maps the whole region (fetching every piece) and compares it with
// the sequential computation. Prints RESULT {values, ok, bytesPerStep,
// expectedPerStep, fetchedByMap, expectedFetch, library} (library: the MPI's
// own version string).
import { Rect, Runtime } from '../../lib';

const N = 48;
const STEPS = 5;

function sequential(): number[] {
  let a = Array.from({ length: N }, (_, i) => (i * 7) % 11);
  for (let s = 0; s < STEPS; ++s)
    a = a.map((_, i) => (i === 0 || i === N - 1 ? a[i] : (a[i - 1] + 2 * a[i] + a[i + 1]) / 4));
  return a;
}

async function run(): Promise<void> {
  const rt = await Runtime.start({ workers: 1 });
  const init = rt.registerTask('init', (ctx) => {
    const out = ctx.region(0);
    const a = out.field('a');
    for (let i = out.bounds.lo[0]; i <= out.bounds.hi[0]; ++i) a[i - out.bounds.lo[0]] = (i * 7) % 11;
  });
  const step = rt.registerTask('step', (ctx, src: string, dst: string) => {
    const ghost = ctx.region(0);
    const own = ctx.region(1);
    const s = ghost.field(src);
    const d = own.field(dst);
    const g0 = ghost.bounds.lo[0];
    for (let i = own.bounds.lo[0]; i <= own.bounds.hi[0]; ++i) {
      const at = (j: number): number => s[j - g0];
      d[i - own.bounds.lo[0]] = i === 0 || i === N - 1 ? at(i) : (at(i - 1) + 2 * at(i) + at(i + 1)) / 4;
    }
  });
  // This rank's region bytes sent, summed over its peers.
  const sentHere = rt.registerTask('sent_here', () =>
    rt.transportCounters().peers.reduce((sum, p) => sum + p.regionBytesSent, 0),
  );

  await rt.main(async () => {
    const pieces = rt.ranks;
    const region = rt.createRegion(Rect(0, N - 1), { a: 'f64', b: 'f64' });
    const own = rt.partitionEqual(region, pieces);
    const ghost = rt.partitionByBlocks(region, N / pieces, 1);
    const totalSent = async (): Promise<number> =>
      (await rt.indexLaunch(sentHere, pieces).values()).reduce((x, y) => x + y, 0);

    // The counters are read once the launches before have finished (they
    // share no region with the counting tasks, so nothing orders them).
    await rt.indexLaunch(init, pieces, { regions: [own.writeDiscard('a')] }).values();
    const before = await totalSent();
    let [src, dst]: ('a' | 'b')[] = ['a', 'b'];
    let last: Promise<unknown> = Promise.resolve();
    for (let s = 0; s < STEPS; ++s) {
      last = rt
        .indexLaunch(step, pieces, { args: [src, dst], regions: [ghost.read(src), own.writeDiscard(dst)] })
        .values();
      [src, dst] = [dst, src];
    }
    await last;
    const after = await totalSent();
    const received = (): number => rt.transportCounters().peers.reduce((sum, p) => sum + p.regionBytesReceived, 0);
    const receivedBefore = received();
    const m = await rt.map(region.read(src));
    const values = [...m.field<Float64Array>(src)];
    await m.unmap();
    const expected = sequential();
    const fetched = received() - receivedBefore;
    const result = {
      values,
      ok: values.every((v, i) => v === expected[i]),
      bytesPerStep: (after - before) / STEPS,
      expectedPerStep: (pieces - 1) * 2 * 8,
      fetchedByMap: fetched,
      expectedFetch: ((pieces - 1) * N * 8) / pieces,
      library: rt.transportCounters().library,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  });
}

run().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
