/** The restore plan from tags (pure): what recover and the run's rollback do for each subnet. */
import { describe, expect, it } from 'vitest';
import { restoreMapFromTags, type SubnetAssociation } from '../../src/aws/nacl.js';
import { isExpired, planRestore, restoreMapFromJournal, toChaosNacl } from '../../src/faults/blackhole-az/nacl-restore.js';

const chaos = toChaosNacl({
  networkAclId: 'acl-chaos',
  vpcId: 'vpc-1',
  isDefault: false,
  tags: {
    Name: 'chaos-ec2-blackhole-us-east-1a',
    'chaos-ec2:experiment-id': 'exp-1',
    'chaos-ec2:expires-at': '2030-01-01T00:00:00.000Z',
    'chaos-ec2:restore:subnet-a': 'acl-orig-a',
    'chaos-ec2:restore:subnet-b': 'acl-orig-b',
    'chaos-ec2:restore:subnet-c': 'acl-orig-c',
    'chaos-ec2:restore:subnet-d': 'acl-orig-d',
  },
  associations: [
    { associationId: 'assoc-a2', subnetId: 'subnet-a' },
    { associationId: 'assoc-x', subnetId: 'subnet-x' },
  ],
});
const at = (subnetId: string, networkAclId: string, associationId = `assoc-${subnetId}`): [string, SubnetAssociation] => [subnetId, { subnetId, networkAclId, associationId, naclTags: {} }];

describe('restore plan from the chaos NACL tags', () => {
  it('reads the undo record and the experiment from the tags', () => {
    expect(chaos.experimentId).toBe('exp-1');
    expect(chaos.expiresAt).toBe('2030-01-01T00:00:00.000Z');
    expect([...chaos.restore]).toEqual([
      ['subnet-a', 'acl-orig-a'],
      ['subnet-b', 'acl-orig-b'],
      ['subnet-c', 'acl-orig-c'],
      ['subnet-d', 'acl-orig-d'],
    ]);
    expect(restoreMapFromTags({ 'chaos-ec2:restore:': 'x', other: 'y' }).size).toBe(1);
  });

  it('moves back only subnets on the chaos NACL, with their CURRENT association id; leaves the rest alone', () => {
    const current = new Map([
      at('subnet-a', 'acl-chaos', 'assoc-a2'),
      at('subnet-b', 'acl-orig-b'), // already restored (crash mid-rollback)
      at('subnet-c', 'acl-someone-else'), // moved by someone else since: not ours to touch
      // subnet-d: not associated anywhere we can see (e.g. deleted)
      at('subnet-x', 'acl-chaos', 'assoc-x'), // on the chaos NACL with no restore record
    ]);
    expect(planRestore(chaos, current)).toEqual([
      { subnetId: 'subnet-a', action: 'replace', associationId: 'assoc-a2', from: 'acl-chaos', to: 'acl-orig-a' },
      { subnetId: 'subnet-b', action: 'already-restored', to: 'acl-orig-b' },
      { subnetId: 'subnet-c', action: 'moved-elsewhere', current: 'acl-someone-else', original: 'acl-orig-c' },
      { subnetId: 'subnet-d', action: 'already-restored', to: 'acl-orig-d' },
      { subnetId: 'subnet-x', action: 'unknown-original', current: 'acl-chaos' },
    ]);
  });

  it('a journal fills in a subnet the tags do not cover; the tags win on conflict', () => {
    const journal = restoreMapFromJournal([
      {
        at: '',
        experimentId: 'exp-1',
        type: 'plan',
        plan: {
          fault: {
            blackhole: {
              subnets: [
                { subnetId: 'subnet-x', originalNaclId: 'acl-orig-x' },
                { subnetId: 'subnet-a', originalNaclId: 'acl-wrong' },
              ],
            },
          },
        },
      },
      { at: '', experimentId: 'exp-1', type: 'intent' },
    ]);
    const steps = planRestore(chaos, new Map([at('subnet-a', 'acl-chaos'), at('subnet-x', 'acl-chaos')]), journal);
    expect(steps.find((s) => s.subnetId === 'subnet-x')).toMatchObject({ action: 'replace', to: 'acl-orig-x' });
    expect(steps.find((s) => s.subnetId === 'subnet-a')).toMatchObject({ action: 'replace', to: 'acl-orig-a' });
  });

  it('isExpired: only a parseable expires-at in the past; missing or garbage never counts as expired', () => {
    const now = Date.parse('2031-01-01T00:00:00Z');
    expect(isExpired(chaos, now)).toBe(true);
    expect(isExpired(chaos, Date.parse('2029-12-31T00:00:00Z'))).toBe(false);
    expect(isExpired({ ...chaos, expiresAt: null }, now)).toBe(false);
    expect(isExpired({ ...chaos, expiresAt: 'soon' }, now)).toBe(false);
  });
});
