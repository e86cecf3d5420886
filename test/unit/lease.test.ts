/** The group lease's pure rules: what a lease tag says, and who holds the group. */
import { describe, expect, it } from 'vitest';
import { LEASE_PREFIX, leaseHolder, leaseValue, parseLease, type LeaseRecord } from '../../src/experiment/lease.js';

const at = (iso: string) => Date.parse(iso);
const lease = (id: string, start: string, expires: string): LeaseRecord => ({ group: 'web', experimentId: id, startMs: at(start), expiresMs: at(expires) });

describe('lease', () => {
  it('round-trips its tag value and ignores tags that are not leases or are malformed', () => {
    const v = leaseValue(at('2026-11-30T10:00:00Z'), at('2026-11-30T10:30:00Z'));
    expect(v).toBe('2026-11-30T10:00:00.000Z/2026-11-30T10:30:00.000Z');
    expect(parseLease('web', `${LEASE_PREFIX}exp-1`, v)).toEqual(lease('exp-1', '2026-11-30T10:00:00Z', '2026-11-30T10:30:00Z'));
    expect(parseLease('web', 'Name', v)).toBeUndefined();
    expect(parseLease('web', `${LEASE_PREFIX}exp-1`, 'soon')).toBeUndefined();
    expect(parseLease('web', `${LEASE_PREFIX}exp-1`, '2026-11-30T10:00:00Z/')).toBeUndefined();
  });

  it('the lowest (start, id) among unexpired leases holds the group; expired ones never do', () => {
    const now = at('2026-11-30T10:10:00Z');
    const a = lease('exp-b', '2026-11-30T10:00:01Z', '2026-11-30T10:40:00Z');
    const b = lease('exp-a', '2026-11-30T10:00:01Z', '2026-11-30T10:40:00Z');
    const older = lease('exp-old', '2026-11-30T09:00:00Z', '2026-11-30T10:05:00Z');
    // Same start: the id breaks the tie, the same way on every machine.
    expect(leaseHolder([a, b, older], now)?.experimentId).toBe('exp-a');
    // A crashed run's lease lapses at its expiry: it no longer holds the group.
    expect(leaseHolder([older], now)).toBeUndefined();
    expect(leaseHolder([], now)).toBeUndefined();
  });
});
