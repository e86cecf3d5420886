import { describe, expect, it } from 'vitest';
import { cidrContains, EPHEMERAL_PORT, naclAllows, PUBLIC_CLIENT, reachable } from '../../src/sandbox/dataplane/network.js';
import type { NetworkAcl, NetworkAclEntry } from '../../src/sandbox/world/types.js';
import { World } from '../../src/sandbox/world/world.js';

const rule = (ruleNumber: number, ruleAction: 'allow' | 'deny', egress: boolean, extra: Partial<NetworkAclEntry> = {}): NetworkAclEntry => ({
  ruleNumber,
  protocol: '-1',
  ruleAction,
  egress,
  cidrBlock: '0.0.0.0/0',
  ...extra,
});
const acl = (entries: NetworkAclEntry[]): NetworkAcl => ({ networkAclId: 'acl-1', vpcId: 'vpc-1', isDefault: false, entries });

function world2(aclA: NetworkAclEntry[], aclB: NetworkAclEntry[]) {
  const w = new World();
  for (const [i, id] of ['subnet-a', 'subnet-b'].entries()) {
    w.subnets.set(id, { subnetId: id, vpcId: 'vpc-1', cidrBlock: `10.0.${i + 1}.0/24`, availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1', nextHost: 4 });
  }
  w.networkAcls.set('acl-a', { ...acl(aclA), networkAclId: 'acl-a' });
  w.networkAcls.set('acl-b', { ...acl(aclB), networkAclId: 'acl-b' });
  w.associateNacl('subnet-a', 'acl-a');
  w.associateNacl('subnet-b', 'acl-b');
  return { w, a: { subnetId: 'subnet-a', ip: '10.0.1.10' }, b: { subnetId: 'subnet-b', ip: '10.0.2.10' } };
}

const open = [rule(100, 'allow', false), rule(100, 'allow', true), rule(32767, 'deny', false), rule(32767, 'deny', true)];

describe('NACL evaluation (network.ts)', () => {
  it('matches CIDRs by prefix', () => {
    expect(cidrContains('10.0.1.0/24', '10.0.1.200')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.2.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '198.51.100.7')).toBe(true);
    expect(cidrContains('10.0.1.5/32', '10.0.1.5')).toBe(true);
  });

  it('evaluates rules in ascending number: a lower deny beats a later allow, whatever the array order', () => {
    const a = acl([rule(200, 'allow', false), rule(100, 'deny', false, { cidrBlock: '10.0.2.0/24' })]);
    expect(naclAllows(a, false, '10.0.2.9', 80)).toBe(false);
    expect(naclAllows(a, false, '10.0.3.9', 80)).toBe(true);
  });

  it('a lower allow beats a later deny, and nothing matching falls through to the implicit deny', () => {
    const a = acl([rule(50, 'allow', false, { protocol: '6', portRange: { from: 80, to: 80 } }), rule(60, 'deny', false)]);
    expect(naclAllows(a, false, '1.2.3.4', 80)).toBe(true);
    expect(naclAllows(a, false, '1.2.3.4', 81)).toBe(false);
    expect(naclAllows(acl([]), false, '1.2.3.4', 80)).toBe(false);
  });

  it('matches protocol: TCP rules by port range, UDP rules never match TCP traffic, egress rules not ingress', () => {
    const a = acl([rule(10, 'allow', false, { protocol: '17' }), rule(20, 'allow', false, { protocol: '6', portRange: { from: 1024, to: 65535 } })]);
    expect(naclAllows(a, false, '1.2.3.4', 443)).toBe(false);
    expect(naclAllows(a, false, '1.2.3.4', EPHEMERAL_PORT)).toBe(true);
    expect(naclAllows(a, true, '1.2.3.4', EPHEMERAL_PORT)).toBe(false);
  });

  it('does not filter traffic inside one subnet, even under a deny-all NACL', () => {
    const { w, a } = world2([rule(32767, 'deny', false), rule(32767, 'deny', true)], open);
    expect(reachable(w, a, { subnetId: 'subnet-a', ip: '10.0.1.11' }, 80)).toBe(true);
  });

  it('crossing subnets needs source egress and destination ingress on the port', () => {
    const { w, a, b } = world2(open, open);
    expect(reachable(w, a, b, 80)).toBe(true);
    w.networkAcls.get('acl-b')!.entries = [rule(100, 'allow', true), rule(100, 'deny', false)];
    expect(reachable(w, a, b, 80)).toBe(false);
    w.networkAcls.get('acl-b')!.entries = open;
    w.networkAcls.get('acl-a')!.entries = [rule(100, 'allow', false), rule(100, 'deny', true)];
    expect(reachable(w, a, b, 80)).toBe(false);
  });

  it('is stateless: the reply on an ephemeral port must be allowed back (destination egress, source ingress)', () => {
    const onlyPort80In = [rule(100, 'allow', false, { protocol: '6', portRange: { from: 80, to: 80 } }), rule(100, 'allow', true, { protocol: '6', portRange: { from: 80, to: 80 } })];
    const { w, a, b } = world2(onlyPort80In, open);
    // a → b:80 leaves a (egress 80 allowed), but the reply to a's ephemeral port is dropped on a's ingress.
    expect(reachable(w, a, b, 80)).toBe(false);
    w.networkAcls.get('acl-a')!.entries.push(rule(110, 'allow', false, { protocol: '6', portRange: { from: 1024, to: 65535 } }));
    expect(reachable(w, a, b, 80)).toBe(true);
  });

  it('a client outside the VPC only crosses the destination subnet boundary', () => {
    const { w, b } = world2(open, open);
    expect(reachable(w, PUBLIC_CLIENT, b, 80)).toBe(true);
    w.networkAcls.get('acl-b')!.entries = [rule(90, 'deny', false, { cidrBlock: '198.51.100.0/24' }), ...open];
    expect(reachable(w, PUBLIC_CLIENT, b, 80)).toBe(false);
  });
});
