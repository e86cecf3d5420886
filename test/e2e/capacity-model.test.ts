/**
 * End to end, the capacity model (issue 11): the real binary against a sandbox on port 0.
 *
 * A terminate that the group refills within one poll: the counts never dip, yet the victim is gone — capacity
 * was lost and came back, so both figures are numbers and `--max-capacity-ttr 1ms` fails the run (exit 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { waitForSteadyState } from '../../src/sandbox/index.js';
import { cliFor, fastRunArgs } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

describe('capacity model, end to end', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-e2e-cap-');
  beforeAll(async () => {
    await waitForSteadyState(t.clients, t.emb.stack, 30_000);
  });

  it('--poll 10s against a group that refills within one poll: capacity lost and recovered are numbers, --max-capacity-ttr 1ms fails (exit 1)', async () => {
    const cli = cliFor(t.emb);
    const r = await cli(fastRunArgs(t.dir, '--yes', '--json', '--seed', 'between-polls', '--poll', '10s', '--max-capacity-ttr', '1ms'));
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    const victim = report.fault?.targets[0]?.instanceId;
    expect(victim).toMatch(/^i-/);
    const rec = report.recovery!;
    expect(rec.breakdown.capacityLostMs).toEqual(expect.any(Number));
    expect(rec.capacityRecoveredMs).toEqual(expect.any(Number));
    expect(rec.capacityRecoveredMs!).toBeGreaterThanOrEqual(rec.breakdown.capacityLostMs!);
    expect(rec.capacityRecovered).toBe(true);
    // The loss is the victim's, seen at the poll that counted it.
    const lost = report.timeline.find((e) => e.event === 'instance-lost' && e.instanceId === victim);
    expect(lost?.atMs).toBe(rec.breakdown.capacityLostMs);
    expect(report.gates.find((g) => g.name === 'capacityRecoveredMs')).toMatchObject({ pass: false });
    expect(report.verdict).toBe('fail');
    // The verdict reason names the gate; nothing else was lost, so the run is not contaminated.
    expect(report.reason).toMatch(/gate failed: capacityRecoveredMs/);
    expect(report.contaminated).toBeUndefined();
  });
});
