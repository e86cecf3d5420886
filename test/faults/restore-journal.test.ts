/**
 * Restoring never depends on the journal: with every journal write failing (a full disk), the rollback still
 * swaps each subnet back and deletes the chaos NACL — against the sandbox's ground truth.
 */
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaggedNacl, currentAssociations, replaceAssociation } from '../../src/aws/nacl.js';
import { findChaosNacls, restoreChaosNacls } from '../../src/faults/blackhole-az/nacl-restore.js';
import type { RestoreRecord } from '../../src/faults/blackhole-az/types.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('restoreChaosNacls with a journal that cannot be written', () => {
  let sb: TestSandbox;
  let subnetId: string;
  let originalNaclId: string;

  beforeAll(async () => {
    sb = await startTestSandbox();
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const cur = (await currentAssociations(sb.ec2, [subnetId], 'inject')).get(subnetId)!;
    originalNaclId = cur.networkAclId;
    const chaos = await createTaggedNacl(sb.ec2, vpcId, { 'chaos-ec2:experiment-id': 'exp-disk-full', [`chaos-ec2:restore:${subnetId}`]: originalNaclId }, 'inject');
    await replaceAssociation(sb.ec2, cur.associationId, chaos, subnetId, 'inject');
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('swaps the subnet back and deletes the chaos NACL although every journal note throws ENOSPC', async () => {
    const nacls = await findChaosNacls(sb.ec2, 'rollback', 'exp-disk-full');
    expect(nacls).toHaveLength(1);
    const attempts: string[] = [];
    const result = await restoreChaosNacls(sb.ec2, nacls, {
      phase: 'rollback',
      now: Date.now,
      beforeMutation: async (action) => {
        attempts.push(action);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    });
    expect(attempts).toEqual(['ec2:ReplaceNetworkAclAssociation', 'ec2:DeleteNetworkAcl']);
    expect(result.complete).toBe(true);
    expect((result.detail as RestoreRecord).deletedNacls).toEqual([nacls[0]!.networkAclId]);
    expect((await currentAssociations(sb.ec2, [subnetId], 'rollback')).get(subnetId)?.networkAclId).toBe(originalNaclId);
    await sb.waitForEvent((e) => e.type === 'nacl-deleted' && e.networkAclId === nacls[0]!.networkAclId);
  });
});
