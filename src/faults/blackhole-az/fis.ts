/**
 * blackhole-az under `--engine fis`: `aws:network:disrupt-connectivity` with scope `all` on the chosen
 * subnets (⌈n/5⌉ targets), for the hold rounded up to FIS's minimum PT1M (the plan says so). FIS clones each
 * subnet's NACL, adds deny rules, associates the clone for the duration, then restores the original
 * association and deletes the clone — at the end of the duration or on StopExperiment, with no chaos-ec2
 * process needed (FIS user guide, "Network actions"). chaos-ec2 verifies afterwards, with a fresh describe,
 * that every subnet is back on its original NACL, exactly as its own rollback does.
 *
 * The experiment carries chaos-ec2:restore:<subnet>=<original NACL> tags: `recover` verifies against them
 * when the run's journal is gone.
 */
import { TAG_RESTORE_PREFIX, currentAssociations } from '../../aws/nacl.js';
import { ec2Arn, fisDurationMs, isoDuration, roundedNote, splitActions } from '../fis-common.js';
import type { FaultFis, IamStatement, RollbackResult } from '../types.js';
import { detailOf, type RestoreCheck, type RestoreRecord } from './types.js';

export const blackholeFis: FaultFis = {
  request(plan) {
    const bh = detailOf(plan);
    const arns = bh.subnets.map((s) => ec2Arn(plan, 'subnet', s.subnetId));
    const holdMs = fisDurationMs(bh.durationMs);
    return {
      ...splitActions({
        arns,
        resourceType: 'aws:ec2:subnet',
        targetPrefix: 'Subnets',
        targetKey: 'Subnets',
        actionName: 'disrupt',
        actionId: 'aws:network:disrupt-connectivity',
        parameters: { duration: isoDuration(holdMs), scope: 'all' },
      }),
      arns,
      holdMs,
      notes: roundedNote(bh.durationMs, 'FIS holds the disruption for'),
    };
  },

  tags: (plan) => Object.fromEntries(detailOf(plan).subnets.map((s) => [`${TAG_RESTORE_PREFIX}${s.subnetId}`, s.originalNaclId])),

  async verify(clients, restore, phase) {
    const subnets = [...restore.keys()].sort();
    const after = await currentAssociations(clients.ec2, subnets, phase);
    const verification: RestoreCheck[] = subnets.map((subnetId) => {
      const expected = restore.get(subnetId)!;
      const actual = after.get(subnetId)?.networkAclId ?? null;
      return { subnetId, expectedNaclId: expected, actualNaclId: actual, ok: actual === expected };
    });
    const remaining = verification.filter((v) => !v.ok).map((v) => `${v.subnetId}: on ${v.actualNaclId ?? 'no NACL'} after FIS ended, should be on ${v.expectedNaclId}`);
    const detail: RestoreRecord = { changes: [], verification, deletedNacls: [] };
    const result: RollbackResult = { complete: remaining.length === 0, remaining, detail, actions: verification.map((v) => `verified ${v.subnetId} on ${v.actualNaclId ?? 'nothing'}`) };
    return result;
  },

  // AWSFaultInjectionSimulatorNetworkAccess's shapes: FIS creates its clone NACL tagged managedByFIS=true and
  // deletes only such NACLs; the association swaps cannot carry a tag condition (the original is untagged).
  roleIam: (): IamStatement[] => [
    {
      Sid: 'FisCreateTaggedNetworkAcl',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkAcl', 'ec2:CreateTags'],
      Resource: 'arn:aws:ec2:*:*:network-acl/*',
      Condition: { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } },
    },
    { Sid: 'FisCreateNetworkAclInVpc', Effect: 'Allow', Action: 'ec2:CreateNetworkAcl', Resource: 'arn:aws:ec2:*:*:vpc/*' },
    {
      Sid: 'FisEditAndDeleteItsNetworkAcls',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
      Resource: 'arn:aws:ec2:*:*:network-acl/*',
      Condition: { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } },
    },
    {
      Sid: 'FisSwapAndRestoreAssociations',
      Effect: 'Allow',
      Action: 'ec2:ReplaceNetworkAclAssociation',
      Resource: ['arn:aws:ec2:*:*:subnet/*', 'arn:aws:ec2:*:*:network-acl/*'],
    },
    {
      Sid: 'FisReadNetwork',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkAcls', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeManagedPrefixLists', 'ec2:GetManagedPrefixListEntries'],
      Resource: '*',
    },
  ],
};
