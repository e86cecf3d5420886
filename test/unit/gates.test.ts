import { describe, expect, it } from 'vitest';
import { applyGates, computeGates, GATE_FLAGS, parseGateOptions, parseRate, type GateThresholds } from '../../src/experiment/gates.js';
import type { Report } from '../../src/experiment/types.js';
import { loadFixture } from './report-fixtures.js';

// The pass fixture: serviceRecoveredMs 3000, capacityRecoveredMs 47300, 3500 sent / 13 failed, p99 9.4 ms,
// 13 failed after t0.
const pass = loadFixture('pass');
const only = (t: GateThresholds, r: Report = pass) => {
  const gates = computeGates(r, t);
  expect(gates).toHaveLength(1);
  return gates[0]!;
};

describe('computeGates: each gate passing and failing', () => {
  it('max service TTR', () => {
    expect(only({ maxServiceTtrMs: 3000 })).toMatchObject({ name: 'serviceRecoveredMs', threshold: 3000, actual: 3000, pass: true });
    expect(only({ maxServiceTtrMs: 2999 })).toMatchObject({ actual: 3000, pass: false });
  });
  it('max capacity TTR', () => {
    expect(only({ maxCapacityTtrMs: 60_000 })).toMatchObject({ name: 'capacityRecoveredMs', actual: 47300, pass: true });
    const g = only({ maxCapacityTtrMs: 30_000 });
    expect(g).toMatchObject({ pass: false });
    expect(g.detail).toBe('47.3s > 30s');
  });
  it('max error rate', () => {
    expect(only({ maxErrorRate: 0.01 })).toMatchObject({ name: 'errorRate', actual: 13 / 3500, pass: true });
    expect(only({ maxErrorRate: 0.001 })).toMatchObject({ pass: false });
  });
  it('min availability', () => {
    expect(only({ minAvailability: 0.99 })).toMatchObject({ name: 'availability', pass: true });
    const g = only({ minAvailability: 0.999 });
    expect(g.pass).toBe(false);
    expect(g.detail).toMatch(/^99\.629% < 99\.9%$/);
  });
  it('max p99', () => {
    expect(only({ maxP99Ms: 10 })).toMatchObject({ name: 'p99Ms', actual: 9.4, pass: true });
    expect(only({ maxP99Ms: 5 })).toMatchObject({ pass: false });
  });
  it('max impact (failed requests after t0)', () => {
    expect(only({ maxImpact: 13 })).toMatchObject({ name: 'failedRequests', actual: 13, pass: true });
    expect(only({ maxImpact: 12 })).toMatchObject({ pass: false });
  });
  it('one gate per threshold given, in table order; none without thresholds', () => {
    expect(computeGates(pass, {})).toEqual([]);
    const all = computeGates(pass, { maxImpact: 100, maxServiceTtrMs: 60_000, maxCapacityTtrMs: 600_000, maxErrorRate: 0.5, minAvailability: 0.5, maxP99Ms: 1000 });
    expect(all.map((g) => g.name)).toEqual(['serviceRecoveredMs', 'capacityRecoveredMs', 'errorRate', 'availability', 'p99Ms', 'failedRequests']);
    expect(all.every((g) => g.pass)).toBe(true);
  });
});

describe('computeGates: missing figures never pass', () => {
  const fail = loadFixture('fail');
  it('a TTR of null (never recovered) fails a max-TTR gate, however generous', () => {
    const s = only({ maxServiceTtrMs: 3_600_000 }, fail);
    expect(s).toMatchObject({ actual: null, pass: false });
    expect(s.detail).toContain('did not recover');
    expect(only({ maxCapacityTtrMs: 3_600_000 }, fail)).toMatchObject({ actual: null, pass: false });
  });
  it('no recovery section (nothing injected) and no probe data fail every gate', () => {
    const bare = { ...pass, recovery: null, probe: null } as Report;
    const gates = computeGates(bare, { maxServiceTtrMs: 1, maxCapacityTtrMs: 1, maxErrorRate: 1, minAvailability: 0, maxP99Ms: 1e9, maxImpact: 1e9 });
    expect(gates.map((g) => [g.name, g.pass, g.actual])).toEqual([
      ['serviceRecoveredMs', false, null],
      ['capacityRecoveredMs', false, null],
      ['errorRate', false, null],
      ['availability', false, null],
      ['p99Ms', false, null],
      ['failedRequests', false, null],
    ]);
  });
  it('capacity never lost counts as 0 for the capacity gate', () => {
    const r = { ...pass, recovery: { ...pass.recovery!, capacityRecoveredMs: null, capacityRecovered: true } } as Report;
    expect(only({ maxCapacityTtrMs: 0 }, r)).toMatchObject({ actual: 0, pass: true });
  });
});

describe('applyGates', () => {
  it('a failed gate turns a pass into a fail with exit 1 and a reason naming it', () => {
    const out = applyGates(pass, { maxServiceTtrMs: 1000, maxImpact: 100 });
    expect(out.verdict).toBe('fail');
    expect(out.exitCode).toBe(1);
    expect(out.reason).toContain('serviceRecoveredMs');
    expect(out.gates).toHaveLength(pass.gates.length + 2);
    expect(pass.verdict).toBe('pass'); // not mutated
  });
  it('all passing keeps the verdict; an error keeps its exit code', () => {
    expect(applyGates(pass, { maxImpact: 100 })).toMatchObject({ verdict: 'pass', exitCode: 0 });
    const err = { ...pass, verdict: 'error', exitCode: 5 } as Report;
    expect(applyGates(err, { maxImpact: 0 })).toMatchObject({ verdict: 'error', exitCode: 5 });
  });
});

describe('parseGateOptions', () => {
  it('parses durations, rates (fraction or percent) and counts', () => {
    const { thresholds, errors } = parseGateOptions({ maxServiceTtr: '30s', maxCapacityTtr: '5m', maxP99: '500ms', maxErrorRate: '1%', minAvailability: '0.995', maxImpact: '25' });
    expect(errors).toEqual([]);
    expect(thresholds).toEqual({ maxServiceTtrMs: 30_000, maxCapacityTtrMs: 300_000, maxP99Ms: 500, maxErrorRate: 0.01, minAvailability: 0.995, maxImpact: 25 });
  });
  it('collects every error, each naming its flag', () => {
    const { thresholds, errors } = parseGateOptions({ maxServiceTtr: 'soon', maxErrorRate: '2', minAvailability: '101%', maxImpact: '-1', maxP99: '5x' });
    expect(thresholds).toEqual({});
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/^--max-service-ttr: 'soon' is not a duration/);
    expect(errors.join('\n')).toContain("--max-error-rate: '2' must be a rate");
    expect(errors.join('\n')).toContain("--min-availability: '101%'");
    expect(errors.join('\n')).toContain("--max-impact: '-1'");
  });
  it('parseRate bounds', () => {
    expect(parseRate('0')).toBe(0);
    expect(parseRate('100%')).toBe(1);
    expect(parseRate('.5')).toBe(0.5);
    expect(parseRate('1.01')).toBeNull();
    expect(parseRate('abc')).toBeNull();
  });
  it('GATE_FLAGS keys are what commander produces from the flag names', () => {
    for (const f of GATE_FLAGS) {
      const camel = f.flags
        .split(' ')[0]!
        .slice(2)
        .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      expect(camel).toBe(f.key);
    }
  });
});
