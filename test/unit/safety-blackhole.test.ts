/** blackhole-az's pure safety parts: which AZ, the per-AZ capacity floor, and the stop condition. */
import { describe, expect, it } from 'vitest';
import { thrownBy as refusal } from '../helpers/errors.js';
import { createRng } from '../../src/core/random.js';
import { stopConditionFires } from '../../src/experiment/observe.js';
import { resolveFloor } from '../../src/experiment/safety.js';
import { checkAzFloor, pickAz } from '../../src/faults/blackhole-az/az.js';

describe('pickAz', () => {
  const azs = ['us-east-1c', 'us-east-1a', 'us-east-1b', 'us-east-1a'];
  it('--az wins when the group has a subnet there', () => {
    expect(pickAz(azs, 'us-east-1b', createRng('x'))).toEqual({ az: 'us-east-1b', chosenBy: 'flag' });
  });
  it('refuses (exit 3) an AZ the group has no subnet in, naming the group AZs', () => {
    const e = refusal(() => pickAz(azs, 'us-east-1f', createRng('x'), { 'us-east-1a': 2, 'us-east-1b': 1 }));
    expect(e.exitCode).toBe(3);
    expect(e.hint).toBe("pass --az with one of the group's AZs: us-east-1a (2 healthy), us-east-1b (1 healthy), us-east-1c (0 healthy)");
  });
  it('random pick is reproducible with the seed and independent of API order', () => {
    const one = pickAz(azs, undefined, createRng('seed-1'));
    expect(one.chosenBy).toBe('random');
    expect(pickAz([...azs].reverse(), undefined, createRng('seed-1'))).toEqual(one);
    const picks = new Set(Array.from({ length: 40 }, (_, i) => pickAz(azs, undefined, createRng(`s${i}`)).az));
    expect(picks).toEqual(new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']));
  });
  it('refuses a group without subnets', () => {
    expect(refusal(() => pickAz([], undefined, createRng('x'))).exitCode).toBe(3);
  });
});

describe('checkAzFloor (the other AZs must hold --min-healthy)', () => {
  const byAz = { 'us-east-1a': 2, 'us-east-1b': 1, 'us-east-1c': 1 };
  it('passes when the other AZs hold the floor, and reports what remains', () => {
    expect(checkAzFloor(byAz, 'us-east-1b', resolveFloor(4, undefined, undefined))).toEqual({
      healthy: 3,
      healthyByAz: { 'us-east-1a': 2, 'us-east-1b': 0, 'us-east-1c': 1 },
    });
  });
  it('refuses (exit 3) when the other AZs hold less than the floor (default: half of desired)', () => {
    const e = refusal(() => checkAzFloor(byAz, 'us-east-1a', resolveFloor(6, undefined, undefined)));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/other AZs hold 2 healthy target\(s\), below --min-healthy 3/);
  });
  it('an explicit --min-healthy lowers the floor', () => {
    expect(checkAzFloor(byAz, 'us-east-1a', resolveFloor(6, '2', undefined)).healthy).toBe(2);
    expect(checkAzFloor(byAz, 'us-east-1a', resolveFloor(6, '30%', undefined)).healthy).toBe(2);
  });
  it('never allows cutting off the only serving AZ, whatever the floor', () => {
    expect(refusal(() => checkAzFloor({ 'us-east-1a': 3 }, 'us-east-1a', resolveFloor(3, '0', undefined))).message).toMatch(/no healthy target outside/);
  });
});

describe('stopConditionFires (error rate above R for S seconds)', () => {
  const sec = (sent: number, failed: number, saturated = false) => ({ sent, failed, saturated });
  it('fires only when the last S judged seconds all exceed R', () => {
    expect(stopConditionFires([sec(10, 5), sec(10, 5)], 0.1, 2000)).toBe(true);
    expect(stopConditionFires([sec(10, 5), sec(10, 1)], 0.1, 2000)).toBe(false); // 10 % is not above 10 %
    expect(stopConditionFires([sec(10, 5)], 0.1, 2000)).toBe(false); // not sustained long enough yet
    expect(stopConditionFires([sec(10, 0), sec(10, 5), sec(10, 5)], 0.1, 2000)).toBe(true);
  });
  it('skips saturated seconds (the probe, not the service) and seconds with nothing sent never fire', () => {
    expect(stopConditionFires([sec(10, 5), sec(10, 10, true), sec(10, 5)], 0.1, 2000)).toBe(true);
    expect(stopConditionFires([sec(0, 0), sec(0, 0)], 0.1, 2000)).toBe(false);
  });
  it('rounds S up to whole seconds', () => {
    expect(stopConditionFires([sec(10, 5), sec(10, 5)], 0.1, 2500)).toBe(false);
    expect(stopConditionFires([sec(10, 5), sec(10, 5), sec(10, 5)], 0.1, 2500)).toBe(true);
  });
});
