import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { root } from './helpers';

// A steady program must run in flat memory: what each round allocates is
// freed by the next, without the program forcing a garbage collection.
// The child's JS heap gets a fixed budget: left to itself V8 lets garbage
// (and the native memory dropped futures still hold until they are
// collected) grow with the allocation rate, 5-10 MB a round here, which is
// its choice, not a leak. Anything the program really keeps either shows in
// the RSS (native memory) or exhausts the budget and fails the run.
const JS_HEAP_MB = 128;

function rssPerRound(mode: 'launches' | 'replays', rounds: number, perRound: number): number[] {
  const r = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${JS_HEAP_MB}`,
      '--import',
      'tsx',
      path.join(root, 'test', 'programs', 'steady-memory.ts'),
      mode,
      String(rounds),
      String(perRound),
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120000,
    },
  );
  assert.equal(r.error, undefined, `the program did not finish: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { rss: number[] }).rss;
}

const MB = 1 << 20;

describe('memory in long programs', function () {
  this.timeout(150000);

  it('rounds of launches with throttle() run in flat memory (futures the program drops are freed)', () => {
    const rss = rssPerRound('launches', 6, 200000);
    // Before: each round of 200k launches kept ~90 MB until a collection happened to run.
    const growth = rss[rss.length - 1] - rss[1];
    assert.ok(
      growth < 48 * MB,
      `RSS grew by ${(growth / MB).toFixed(0)} MB after round 2: ${rss.map((b) => (b / MB).toFixed(0)).join(', ')} MB`,
    );
  });

  it('a replay of 10^6 iterations respects the window and rounds of them run in flat memory', () => {
    const rss = rssPerRound('replays', 3, 1000000);
    // Before: one replay(10^6) issued everything at once (~800 MB).
    assert.ok(rss[0] < 400 * MB, `RSS after the first replay: ${(rss[0] / MB).toFixed(0)} MB`);
    const growth = rss[rss.length - 1] - rss[0];
    assert.ok(
      growth < 48 * MB,
      `RSS grew by ${(growth / MB).toFixed(0)} MB: ${rss.map((b) => (b / MB).toFixed(0)).join(', ')} MB`,
    );
  });
});
