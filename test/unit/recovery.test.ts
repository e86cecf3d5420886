import { describe, expect, it } from 'vitest';
import { computeRecovery, judgeSecond, type RecoveryInput, type RecoverySecond } from '../../src/observe/recovery.js';

const T0 = 1_700_000_000_000;
const th = { maxErrorRate: 0.01, maxP99Ms: 500, steadySeconds: 3 };

/** One second per character, starting at T0 + offset s: '.' good, 'x' all failed, 's' saturated, 'l' slow. */
function secs(pattern: string, offsetS = 0): RecoverySecond[] {
  return [...pattern].map((c, i) => {
    const startMs = T0 + (offsetS + i) * 1000;
    const failed = c === 'x' ? 100 : c === 's' ? 50 : 0;
    return {
      startMs,
      scheduled: 100,
      sent: 100,
      ok: 100 - failed,
      failed,
      p99: c === 'l' ? 900 : 5,
      saturated: c === 's',
      firstFailureAtMs: failed ? startMs + 30 : null,
    };
  });
}
const run = (seconds: RecoverySecond[], extra: Partial<RecoveryInput> = {}) => computeRecovery({ t0: T0, seconds, thresholds: th, ...extra });

describe('judgeSecond', () => {
  const good: RecoverySecond = { startMs: T0, scheduled: 100, sent: 100, ok: 100, failed: 0, p99: 5, saturated: false };
  it('fails a second on error rate, latency or completion, and never judges a saturated one', () => {
    expect(judgeSecond(good, th)).toBe('good');
    expect(judgeSecond({ ...good, ok: 98, failed: 2 }, th)).toBe('failing');
    expect(judgeSecond({ ...good, ok: 99, failed: 1 }, th)).toBe('good');
    expect(judgeSecond({ ...good, p99: 501 }, th)).toBe('failing');
    expect(judgeSecond({ ...good, ok: 98 }, th)).toBe('failing');
    expect(judgeSecond({ ...good, ok: 50, failed: 50, saturated: true }, th)).toBe('unjudged');
    expect(judgeSecond({ ...good, scheduled: 0, sent: 0, ok: 0, p99: null }, th)).toBe('good');
  });
});

describe('computeRecovery', () => {
  it('reports no impact and immediate recovery when nothing failed', () => {
    const r = run(secs('......'));
    expect(r.timeToImpactMs).toBeNull();
    expect(r.impact).toBeNull();
    expect(r.serviceRecoveredMs).toBe(0);
    expect(r.serviceRecovered).toBe(true);
    expect(r.failedRequests).toBe(0);
    expect(r.availability).toBe(1);
    expect(r.recovered).toBe(true);
  });

  it('measures impact then recovery from the first steady window', () => {
    const r = run(secs('..xxx....'));
    expect(r.timeToImpactMs).toBe(2030);
    expect(r.serviceRecoveredMs).toBe(5000);
    expect(r.impact).toEqual({ startMs: 2030, endMs: 5000 });
    expect(r.failedRequests).toBe(300);
    expect(r.failingSeconds).toBe(3);
    expect(r.availability).toBeCloseTo(600 / 900);
  });

  it('uses the exact first-failure time from the probe over the per-second one', () => {
    expect(run(secs('..xxx....'), { firstFailureAtMs: T0 + 2003 }).timeToImpactMs).toBe(2003);
  });

  it('counts from the LAST failing second when the service flaps', () => {
    const r = run(secs('.xx....x......'));
    // The window after the first dip (3 s..6 s) does not count: the service failed again at 7 s.
    expect(r.serviceRecoveredMs).toBe(8000);
    expect(r.timeToImpactMs).toBe(1030);
    expect(r.impact?.endMs).toBe(8000);
  });

  it('needs the whole steady window: a short good tail is not recovery', () => {
    const r = run(secs('.xxx..'));
    expect(r.serviceRecovered).toBe(false);
    expect(r.serviceRecoveredMs).toBeNull();
    expect(r.recovered).toBe(false);
  });

  it('treats a latency breach as failing even with no failed request', () => {
    const r = run(secs('..ll....'));
    expect(r.timeToImpactMs).toBeNull();
    expect(r.serviceRecoveredMs).toBe(4000);
    expect(r.impact).toEqual({ startMs: 2000, endMs: 4000 });
  });

  it('reports never recovered when the service keeps failing', () => {
    const r = run(secs('.xxxxxxxx'));
    expect(r.serviceRecovered).toBe(false);
    expect(r.serviceRecoveredMs).toBeNull();
    expect(r.impact).toEqual({ startMs: 1030, endMs: 9000 });
  });

  it('ignores seconds after the deadline', () => {
    expect(run(secs('.xx.........'), { deadlineMs: T0 + 5000 }).serviceRecoveredMs).toBeNull();
    expect(run(secs('.xx.........'), { deadlineMs: T0 + 6000 }).serviceRecoveredMs).toBe(3000);
  });

  it('excludes saturated seconds: they neither fail nor count toward recovery', () => {
    // Saturated seconds with failures do not create impact.
    const quiet = run(secs('..ss....'));
    expect(quiet.timeToImpactMs).toBeNull();
    expect(quiet.failingSeconds).toBe(0);
    expect(quiet.saturatedSeconds).toBe(2);
    // The steady window cannot span a saturated second: 3,4 good, 5 saturated, 6..8 good → 6 s.
    const r = run(secs('.xx..s....'));
    expect(r.serviceRecoveredMs).toBe(6000);
    // A saturated second after the last real failure does not move the last failing second.
    expect(r.impact?.endMs).toBe(3000);
    // Nor can the probe's exact first failure land in a saturated second.
    expect(run(secs('.sx....'), { firstFailureAtMs: T0 + 1010 }).timeToImpactMs).toBe(2030);
  });

  it('breaks the steady window at a gap between summaries', () => {
    const r = run([...secs('.x..'), ...secs('....', 5)]);
    expect(r.serviceRecoveredMs).toBe(5000);
  });

  it('does not count impact before t0', () => {
    const r = run(secs('xx......', -2));
    expect(r.timeToImpactMs).toBeNull();
    expect(r.impact).toBeNull();
    expect(r.serviceRecoveredMs).toBe(0);
    expect(r.failedRequests).toBe(0);
    // The probe's tracked failure before t0 is ignored too.
    expect(run(secs('......'), { firstFailureAtMs: T0 - 10 }).timeToImpactMs).toBeNull();
  });

  it('judges the second containing t0 as a whole but never reports a negative time', () => {
    const seconds = secs('x.....', 0).map((s) => ({ ...s, startMs: s.startMs - 400, firstFailureAtMs: s.failed ? s.startMs - 300 : null }));
    const r = run(seconds);
    // The second started 400 ms before t0 and failed; its first failure was before t0 (not impact)…
    expect(r.timeToImpactMs).toBeNull();
    // …but it is still the last failing second, so recovery starts at the next one.
    expect(r.serviceRecoveredMs).toBe(600);
  });

  it('handles empty input', () => {
    const r = run([]);
    expect(r.timeToImpactMs).toBeNull();
    expect(r.serviceRecovered).toBe(false);
    expect(r.capacityRecovered).toBe(true);
    expect(r.recovered).toBe(false);
    expect(r.availability).toBeNull();
    expect(r.judgedSeconds).toBe(0);
  });
});

describe('capacity recovery', () => {
  const at = (s: number): number => T0 + s * 1000;
  const events: RecoveryInput['events'] = [
    { atMs: at(-5), event: 'replacement-launched', instanceId: 'i-old' },
    { atMs: at(2), event: 'capacity-lost' },
    { atMs: at(4), event: 'replacement-launched', instanceId: 'i-a' },
    { atMs: at(5), event: 'replacement-launched', instanceId: 'i-b' },
    { atMs: at(9), event: 'instance-inservice', instanceId: 'i-a' },
    { atMs: at(10), event: 'instance-inservice', instanceId: 'i-other' },
    { atMs: at(12), event: 'instance-inservice', instanceId: 'i-b' },
    { atMs: at(15), event: 'target-healthy', instanceId: 'i-a' },
    { atMs: at(20), event: 'target-healthy', instanceId: 'i-b' },
    { atMs: at(20), event: 'capacity-restored' },
    { atMs: at(30), event: 'target-healthy', instanceId: 'i-b' },
  ];

  it('breaks recovery down from the watcher events, capacity after service', () => {
    const r = run(secs('.xx.....'), { events });
    expect(r.capacityRecoveredMs).toBe(20_000);
    expect(r.breakdown).toEqual({ capacityLostMs: 2000, replacementLaunchedMs: 4000, inServiceMs: 12_000, targetHealthyMs: 20_000 });
    expect(r.serviceRecoveredMs).toBe(3000);
    expect(r.serviceRecoveredMs as number).toBeLessThan(r.capacityRecoveredMs as number);
    expect(r.recovered).toBe(true);
  });

  it('applies the exact definition to capacity samples: InService == desired and healthy >= baseline', () => {
    const samples = [
      { atMs: at(-1), desired: 4, inService: 4, healthy: 4 },
      { atMs: at(1), desired: 4, inService: 3, healthy: 3 },
      { atMs: at(6), desired: 4, inService: 4, healthy: 3 },
      { atMs: at(8), desired: 4, inService: 4, healthy: 4 },
    ];
    // Service recovers later than capacity here (e.g. a slow warm-up): both are reported independently.
    const r = run(secs('..xxxxxxxxx...'), { capacitySamples: samples, baselineHealthy: 4, events: events.slice(0, 1) });
    expect(r.breakdown.capacityLostMs).toBe(1000);
    expect(r.capacityRecoveredMs).toBe(8000);
    expect(r.serviceRecoveredMs).toBe(11_000);
    expect(r.breakdown.replacementLaunchedMs).toBeNull();
  });

  it('reports capacity never restored and notices fail-open', () => {
    const r = run(secs('.xx.....'), {
      events: [...events.slice(0, 8), { atMs: at(3), event: 'fail-open' }],
    });
    expect(r.capacityRecovered).toBe(false);
    expect(r.capacityRecoveredMs).toBeNull();
    expect(r.recovered).toBe(false);
    expect(r.failOpenSeen).toBe(true);
    // Without a restore, the breakdown shows the latest step each replacement reached.
    expect(r.breakdown.inServiceMs).toBe(12_000);
    expect(r.breakdown.targetHealthyMs).toBe(15_000);
  });

  it('counts capacity never lost as recovered, with no figure', () => {
    const r = run(secs('....'), { capacitySamples: [{ atMs: at(1), desired: 2, inService: 2, healthy: 2 }], baselineHealthy: 2 });
    expect(r.capacityRecovered).toBe(true);
    expect(r.capacityRecoveredMs).toBeNull();
    expect(r.breakdown.capacityLostMs).toBeNull();
  });
});

describe('the capacity model: units, overshoot, a changing desired, losses between polls', () => {
  const at = (s: number): number => T0 + s * 1000;

  it('counts capacity in units: a weighted group is full when the weights add up to desired, not when instances do', () => {
    // Weights 2,2,1,1 and desired 6 units: 4 instances are full. One weight-2 member lost: 4/6 units.
    const samples = [
      { atMs: at(-1), desired: 6, inService: 4, capacity: 6, healthy: 6 },
      { atMs: at(2), desired: 6, inService: 3, capacity: 4, healthy: 4 },
      { atMs: at(5), desired: 6, inService: 4, capacity: 6, healthy: 4 },
      { atMs: at(7), desired: 6, inService: 4, capacity: 6, healthy: 6 },
    ];
    const r = run(secs('.......'), { capacitySamples: samples, baselineHealthy: 6 });
    expect(r.breakdown.capacityLostMs).toBe(2000);
    expect(r.capacityRecoveredMs).toBe(7000);
  });

  it('treats overshoot as full: capacity above desired (a weight-2 launch for 1 missing unit, max healthy 200 %)', () => {
    const samples = [
      { atMs: at(1), desired: 6, inService: 3, capacity: 5, healthy: 5 },
      { atMs: at(4), desired: 6, inService: 4, capacity: 7, healthy: 7 },
    ];
    const r = run(secs('.....'), { capacitySamples: samples, baselineHealthy: 6 });
    expect(r.capacityRecoveredMs).toBe(4000);
    expect(r.capacityRecovered).toBe(true);
  });

  it('judges against the current desired: a desired lowered mid-run recovers at min(baseline, desired) healthy', () => {
    const samples = [
      { atMs: at(1), desired: 4, inService: 3, healthy: 3 },
      // A scheduled action lowers desired to 3 and the group is full at 3: recovered, not a false failure.
      { atMs: at(3), desired: 3, inService: 3, healthy: 3 },
    ];
    const r = run(secs('....'), { capacitySamples: samples, baselineHealthy: 4 });
    expect(r.capacityRecovered).toBe(true);
    expect(r.capacityRecoveredMs).toBe(3000);
    // The same reading against the old rule (healthy >= the baseline 4) would never have recovered.
    const strict = run(secs('....'), { capacitySamples: [samples[0]!, { ...samples[1]!, desired: 4 }], baselineHealthy: 4 });
    expect(strict.capacityRecovered).toBe(false);
  });

  it('counts a loss the counts never show (refilled between two polls) from the watcher events: lost and recovered are numbers', () => {
    const samples = [
      { atMs: at(-1), desired: 4, inService: 4, healthy: 4 },
      { atMs: at(10), desired: 4, inService: 4, healthy: 4 },
      { atMs: at(20), desired: 4, inService: 4, healthy: 4 },
    ];
    const events: RecoveryInput['events'] = [
      { atMs: at(10), event: 'instance-lost', instanceId: 'i-victim' },
      { atMs: at(10), event: 'replacement-launched', instanceId: 'i-new' },
      { atMs: at(10), event: 'capacity-lost' },
      { atMs: at(10), event: 'capacity-restored' },
    ];
    const r = run(secs('....'), { capacitySamples: samples, baselineHealthy: 4, events });
    expect(r.breakdown.capacityLostMs).toBe(10_000);
    expect(r.capacityRecoveredMs).toBe(10_000);
    expect(r.capacityRecovered).toBe(true);
    // Counts alone (the old rule) said "never lost": the gate then passed as 0.
    expect(run(secs('....'), { capacitySamples: samples, baselineHealthy: 4 }).breakdown.capacityLostMs).toBeNull();
  });

  it('accounts for a launch hook: the longest time a replacement sat in Pending:Wait before it went on', () => {
    const events: RecoveryInput['events'] = [
      { atMs: at(1), event: 'capacity-lost' },
      { atMs: at(2), event: 'replacement-launched', instanceId: 'i-a', to: 'Pending:Wait' },
      { atMs: at(3), event: 'replacement-launched', instanceId: 'i-b', to: 'Pending' },
      { atMs: at(4), event: 'lifecycle', instanceId: 'i-b', from: 'Pending', to: 'Pending:Wait' },
      { atMs: at(9), event: 'lifecycle', instanceId: 'i-a', from: 'Pending:Wait', to: 'InService' },
      { atMs: at(10), event: 'lifecycle', instanceId: 'i-b', from: 'Pending:Wait', to: 'Pending:Proceed' },
      { atMs: at(12), event: 'capacity-restored' },
    ];
    const r = run(secs('...'), { events });
    expect(r.breakdown.lifecycleWaitMs).toBe(7000);
    // No replacement waited: no figure at all.
    expect(run(secs('...'), { events: events.filter((e) => e.event.startsWith('capacity')) }).breakdown.lifecycleWaitMs).toBeUndefined();
  });
});
