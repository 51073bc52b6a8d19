// Shared by the tutorial ports: argument parsing, a seeded generator, and
// the failure convention (print FAILURE and exit 1).

/** A check of the tutorial failed: printed as "FAILURE: <message>". */
export class Failure extends Error {}

/** The integer after `flag` on the command line (e.g. `-n 1024`), at least `min`. */
export function intArg(flag: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < min) {
    throw new Failure(
      `${flag} needs ${min === 0 ? 'a non-negative' : 'a positive'} integer, got '${process.argv[i + 1] ?? ''}'`,
    );
  }
  return v;
}

/** A small seeded generator (mulberry32), uniform in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs a tutorial's main; a Failure prints FAILURE, anything else its stack; both exit 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e) => {
    console.error(e instanceof Failure ? `FAILURE: ${e.message}` : e);
    process.exitCode = 1;
  });
}
