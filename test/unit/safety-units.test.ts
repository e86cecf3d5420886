/**
 * Capacity floors in units for weighted groups: a weight-2 victim removes 2 units overall and from its AZ, the
 * pick skips members whose weight would break the floor, and the messages speak in units. Unweighted groups
 * keep their instance counts and wording (safety-recheck.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import { checkFloorAfter, selectWithinFloor, type Units } from '../../src/experiment/safety.js';
import { thrownBy as refusal } from '../helpers/errors.js';

// Weights 2,2,1,1: a (2, az1), b (2, az2), c (1, az3), d (1, az1) — 6 units healthy.
const WEIGHTS: Record<string, number> = { 'i-a': 2, 'i-b': 2, 'i-c': 1, 'i-d': 1 };
const units: Units = { of: (id) => WEIGHTS[id] ?? 1, word: 'units' };
const candidates = [
  { instanceId: 'i-a', availabilityZone: 'az1' },
  { instanceId: 'i-b', availabilityZone: 'az2' },
  { instanceId: 'i-c', availabilityZone: 'az3' },
  { instanceId: 'i-d', availabilityZone: 'az1' },
];
const byAz = { az1: 3, az2: 2, az3: 1 };

describe('floors in units', () => {
  it('removes each victim’s weight from the healthy units, overall and in its AZ', () => {
    for (const seed of ['s1', 's2', 's3', 's4', 's5']) {
      const sel = selectWithinFloor(candidates, byAz, 1, { minHealthy: 3, minHealthyPerAz: 1 }, createRng(seed), units);
      const v = sel.targets[0]!;
      expect(sel.after.healthy).toBe(6 - units.of(v.instanceId));
      expect(sel.after.healthyByAz[v.availabilityZone]).toBe(byAz[v.availabilityZone as keyof typeof byAz] - units.of(v.instanceId));
    }
  });

  it('skips a member whose weight would break the floor: with --min-healthy 5 only a weight-1 member may go', () => {
    // az3 holds 1 unit (i-c): the per-AZ floor keeps it, so i-d is the only member that can go.
    for (const seed of ['s1', 's2', 's3']) {
      const sel = selectWithinFloor(candidates, byAz, 1, { minHealthy: 5, minHealthyPerAz: 1 }, createRng(seed), units);
      expect(sel.targets.map((t) => t.instanceId)).toEqual(['i-d']);
      expect(sel.after.healthy).toBe(5);
    }
  });

  it('refuses in units when no pick keeps the floor', () => {
    const e = refusal(() => selectWithinFloor(candidates, byAz, 2, { minHealthy: 5, minHealthyPerAz: 1 }, createRng('x'), units));
    expect(e.exitCode).toBe(ExitCode.Refused);
    expect(e.message).toMatch(/cannot take 2 instance\(s\) and keep --min-healthy 5 units healthy overall and 1 in every AZ/);
  });

  it('rechecks in units: a weight-2 victim on a fresh reading that lost a unit breaks the floor', () => {
    const floor = { minHealthy: 4, minHealthyPerAz: 1 };
    expect(checkFloorAfter(byAz, [candidates[0]!], floor, units)).toEqual({ healthy: 4, healthyByAz: { az1: 1, az2: 2, az3: 1 } });
    const e = refusal(() => checkFloorAfter({ az1: 2, az2: 2, az3: 1 }, [candidates[0]!], floor, units));
    expect(e.message).toMatch(/would leave 3 units healthy, below --min-healthy 4 units/);
  });
});
