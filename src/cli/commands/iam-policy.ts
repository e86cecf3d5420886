/**
 * `chaos-ec2 iam-policy [--faults …] [--asg NAME]`: the least-privilege IAM policy the chosen faults need.
 *
 * What AWS allows, and where each condition comes from (Service Authorization Reference for Amazon EC2;
 * AWS's own managed policies AWSFaultInjectionSimulatorNetworkAccess / …EC2Access use the same shapes):
 * - Describe*, sts:GetCallerIdentity: no resource-level permissions; Resource "*".
 * - ec2:TerminateInstances: resource `instance`, supports aws:ResourceTag/${TagKey} (and ec2:ResourceTag).
 *   Auto Scaling tags its instances aws:autoscaling:groupName, so the policy only lets chaos-ec2 terminate
 *   instances that belong to an Auto Scaling group (to the named one with --asg).
 * - ec2:CreateTags on instances (the experiment id on the victims): resource `instance`, same ResourceTag
 *   condition; aws:TagKeys limits the keys it may write to chaos-ec2:*.
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
import { ChaosError, ExitCode } from '../../core/errors.js';

export const POLICY_FAULTS = ['terminate-instances', 'blackhole-az'] as const;
export type PolicyFault = (typeof POLICY_FAULTS)[number];

interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: Statement[];
}

const EXPERIMENT_TAG = 'chaos-ec2:experiment-id';
const CHAOS_TAG_KEYS = ['chaos-ec2:*', 'Name'];

export function parsePolicyFaults(value: string | undefined): PolicyFault[] {
  if (value === undefined) return [...POLICY_FAULTS];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(POLICY_FAULTS as readonly string[]).includes(n));
  if (bad.length || names.length === 0) {
    throw new ChaosError(ExitCode.Usage, `--faults: '${value}' ${bad.length ? `has unknown fault ${bad.join(', ')}` : 'is empty'}; choose from ${POLICY_FAULTS.join(', ')}`, { phase: 'config' });
  }
  return [...new Set(names)] as PolicyFault[];
}

export function buildPolicy(faults: PolicyFault[], opts: { asg?: string } = {}): IamPolicy {
  const st: Statement[] = [
    {
      Sid: 'ReadOnlyDiscoveryAndObservation',
      Effect: 'Allow',
      Action: ['autoscaling:Describe*', 'elasticloadbalancing:Describe*', 'ec2:Describe*', 'sts:GetCallerIdentity'],
      Resource: '*',
    },
  ];
  // Instances of an Auto Scaling group only; of the named group with --asg.
  const inGroup: Statement['Condition'] = opts.asg
    ? { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': opts.asg } }
    : { Null: { 'aws:ResourceTag/aws:autoscaling:groupName': 'false' } };
  if (faults.includes('terminate-instances')) {
    st.push(
      { Sid: 'TerminateAutoScalingInstances', Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: 'arn:aws:ec2:*:*:instance/*', Condition: inGroup },
      {
        Sid: 'TagVictimsWithExperimentId',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: 'arn:aws:ec2:*:*:instance/*',
        Condition: { ...inGroup, 'ForAllValues:StringLike': { 'aws:TagKeys': ['chaos-ec2:*'] } },
      },
    );
  }
  if (faults.includes('blackhole-az')) {
    st.push(
      { Sid: 'CreateNetworkAclInVpc', Effect: 'Allow', Action: 'ec2:CreateNetworkAcl', Resource: 'arn:aws:ec2:*:*:vpc/*' },
      {
        Sid: 'CreateTaggedChaosNetworkAcl',
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkAcl',
        Resource: 'arn:aws:ec2:*:*:network-acl/*',
        Condition: { Null: { [`aws:RequestTag/${EXPERIMENT_TAG}`]: 'false' }, 'ForAllValues:StringLike': { 'aws:TagKeys': CHAOS_TAG_KEYS } },
      },
      {
        Sid: 'TagChaosNetworkAclOnCreate',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: 'arn:aws:ec2:*:*:network-acl/*',
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' }, Null: { [`aws:RequestTag/${EXPERIMENT_TAG}`]: 'false' } },
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
        Condition: { Null: { [`aws:ResourceTag/${EXPERIMENT_TAG}`]: 'false' } },
      },
    );
  }
  return { Version: '2012-10-17', Statement: st };
}

export async function iamPolicyCommand(opts: { faults?: string; asg?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const policy = buildPolicy(parsePolicyFaults(opts.faults), opts.asg ? { asg: opts.asg } : {});
  out.write(`${JSON.stringify(policy, null, 2)}\n`);
  return 0;
}
