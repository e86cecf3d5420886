/**
 * The young generation cap, in a fresh Node process each (the V8 flag is process-wide): an allocation
 * pattern that keeps a little alive at every scavenge, as a probe does, grows V8's new space to its ceiling
 * on its own, and stays at its starting size once the probe sized it for a modest rate.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODULE = pathToFileURL(join(ROOT, 'dist', 'observe', 'young-generation.js')).href;

/** New space size (KiB) before and after an allocation loop that keeps 1 object in 50 for a while. */
function newSpaceGrowth(rate: number | null): { before: number; after: number } {
  const script = `
    import v8 from 'node:v8';
    const { sizeYoungGenerationFor } = await import(${JSON.stringify(MODULE)});
    ${rate === null ? '' : `sizeYoungGenerationFor(${rate});`}
    const ns = () => Math.round(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1024);
    const before = ns();
    const keep = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 20000; i++) { const o = { a: i, b: [i, i + 1] }; if (i % 50 === 0) keep.push(o); }
      if (keep.length > 20000) keep.splice(0, 10000);
    }
    process.stdout.write(JSON.stringify({ before, after: ns() }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { before: number; after: number };
}

describe('young generation sizing', () => {
  it('left to V8, the new space grows several times over; sized for 2,000 req/s it stays within one step of its start', () => {
    const free = newSpaceGrowth(null);
    expect(free.after).toBeGreaterThanOrEqual(free.before * 8);
    const capped = newSpaceGrowth(2000);
    expect(capped.after).toBeLessThanOrEqual(capped.before * 2);
  });

  it('above the cap rate V8 sizes it freely (a small young generation would cost a fast probe throughput)', () => {
    const fast = newSpaceGrowth(50_000);
    expect(fast.after).toBeGreaterThanOrEqual(fast.before * 8);
  });
});
