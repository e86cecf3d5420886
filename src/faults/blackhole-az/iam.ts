/**
 * The IAM statements blackhole-az needs, and why each is shaped so (Service Authorization Reference for Amazon
 * EC2; AWS's managed policy AWSFaultInjectionSimulatorNetworkAccess uses the same shapes):
 * - ec2:CreateNetworkAcl: resources `vpc` (no tag condition possible) and `network-acl` (supports
 *   aws:RequestTag/${TagKey}): the new ACL must be created carrying chaos-ec2:experiment-id.
 * - ec2:CreateTags with ec2:CreateAction = CreateNetworkAcl: tag-on-create is authorised as CreateTags;
 *   the condition allows it only as part of CreateNetworkAcl, never on existing resources.
 * - ec2:DeleteNetworkAcl: resource `network-acl` supports aws:ResourceTag: only ACLs chaos-ec2 created.
 * - ec2:ReplaceNetworkAclAssociation: resources `subnet` and `network-acl`. NO tag condition: the restore
 *   re-associates the ORIGINAL (untagged) ACL, so a ResourceTag condition would make rollback impossible —
 *   the one permission chaos-ec2 must never lack. AWS's FIS managed policy grants it unconditioned too.
 * - The blackhole ACL needs no CreateNetworkAclEntry: a new custom ACL already denies all traffic.
 */
import { TAG_EXPERIMENT } from '../../aws/nacl.js';
import type { IamStatement } from '../types.js';

const CHAOS_TAG_KEYS = ['chaos-ec2:*', 'Name'];

export function blackholeIam(): IamStatement[] {
  return [
    { Sid: 'CreateNetworkAclInVpc', Effect: 'Allow', Action: 'ec2:CreateNetworkAcl', Resource: 'arn:aws:ec2:*:*:vpc/*' },
    {
      Sid: 'CreateTaggedChaosNetworkAcl',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkAcl',
      Resource: 'arn:aws:ec2:*:*:network-acl/*',
      Condition: { Null: { [`aws:RequestTag/${TAG_EXPERIMENT}`]: 'false' }, 'ForAllValues:StringLike': { 'aws:TagKeys': CHAOS_TAG_KEYS } },
    },
    {
      Sid: 'TagChaosNetworkAclOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: 'arn:aws:ec2:*:*:network-acl/*',
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' }, Null: { [`aws:RequestTag/${TAG_EXPERIMENT}`]: 'false' } },
    },
    {
      Sid: 'SwapSubnetNetworkAclAndRestore',
      Effect: 'Allow',
      Action: 'ec2:ReplaceNetworkAclAssociation',
      Resource: ['arn:aws:ec2:*:*:subnet/*', 'arn:aws:ec2:*:*:network-acl/*'],
    },
    {
      Sid: 'DeleteOnlyChaosNetworkAcls',
      Effect: 'Allow',
      Action: 'ec2:DeleteNetworkAcl',
      Resource: 'arn:aws:ec2:*:*:network-acl/*',
      Condition: { Null: { [`aws:ResourceTag/${TAG_EXPERIMENT}`]: 'false' } },
    },
  ];
}
