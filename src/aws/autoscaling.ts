/**
 * Auto Scaling reads chaos-ec2 needs, as plain snapshots. One DescribeAutoScalingGroups call per poll,
 * however large the group (the instance list comes with the group), so polling cost stays constant.
 */
import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeTagsCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { ChaosError, ExitCode, type Phase } from '../core/errors.js';
import { call } from './errors.js';

export interface GroupInstance {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: string;
  healthStatus: string;
  /**
   * What this member counts toward desired capacity, in the group's units: `Instances[].WeightedCapacity` as
   * DescribeAutoScalingGroups reports it (a string), 1 when absent ("Configure instance weighting", Auto
   * Scaling user guide: without weights every instance counts as one unit).
   */
  weightedCapacity: number;
  instanceType?: string;
}

export interface GroupSnapshot {
  name: string;
  arn: string;
  desired: number;
  min: number;
  max: number;
  healthCheckType: string;
  healthCheckGracePeriod: number;
  subnetIds: string[];
  availabilityZones: string[];
  targetGroupArns: string[];
  /** Classic Load Balancers: LoadBalancerNames and traffic sources of type `elb` (their identifier is the name). */
  loadBalancerNames: string[];
  tags: Record<string, string>;
  suspendedProcesses: string[];
  instances: GroupInstance[];
  /** `units` (default), `vcpu` or `memory-mib`: what desired, min, max and every weight count. */
  desiredCapacityType: string;
  /** A mixed instances policy is set (several instance types, maybe weighted). */
  mixedInstances: boolean;
  /** The group has a warm pool: its warmed instances sit in the group's subnets but are not members. */
  warmPool: boolean;
  /** Seconds a new instance needs to finish initializing (DefaultInstanceWarmup); absent when not set. */
  defaultInstanceWarmup?: number;
}

/** A weight as AWS writes it ("2"); anything absent or unreadable counts as one unit, as unweighted members do. */
export function weightOf(raw: string | undefined): number {
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export function toSnapshot(g: AutoScalingGroup): GroupSnapshot {
  const fromTraffic = (g.TrafficSources ?? [])
    .filter((t) => !t.Type || t.Type === 'elbv2')
    .map((t) => t.Identifier!)
    .filter(Boolean);
  return {
    name: g.AutoScalingGroupName!,
    arn: g.AutoScalingGroupARN ?? '',
    desired: g.DesiredCapacity ?? 0,
    min: g.MinSize ?? 0,
    max: g.MaxSize ?? 0,
    healthCheckType: g.HealthCheckType ?? 'EC2',
    healthCheckGracePeriod: g.HealthCheckGracePeriod ?? 0,
    subnetIds: (g.VPCZoneIdentifier ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    availabilityZones: g.AvailabilityZones ?? [],
    targetGroupArns: [...new Set([...(g.TargetGroupARNs ?? []), ...fromTraffic])],
    loadBalancerNames: [...new Set([...(g.LoadBalancerNames ?? []), ...(g.TrafficSources ?? []).filter((t) => t.Type === 'elb' && t.Identifier).map((t) => t.Identifier!)])],
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    suspendedProcesses: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName!),
    instances: (g.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId!,
      availabilityZone: i.AvailabilityZone ?? '',
      lifecycleState: i.LifecycleState ?? 'Unknown',
      healthStatus: i.HealthStatus ?? 'Unknown',
      weightedCapacity: weightOf(i.WeightedCapacity),
      ...(i.InstanceType ? { instanceType: i.InstanceType } : {}),
    })),
    desiredCapacityType: g.DesiredCapacityType ?? 'units',
    mixedInstances: g.MixedInstancesPolicy !== undefined,
    warmPool: g.WarmPoolConfiguration !== undefined,
    ...(g.DefaultInstanceWarmup !== undefined ? { defaultInstanceWarmup: g.DefaultInstanceWarmup } : {}),
  };
}

export async function describeGroup(asg: AutoScalingClient, name: string, phase: Phase): Promise<GroupSnapshot> {
  const out = await call('DescribeAutoScalingGroups', { phase, target: name }, () => asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })));
  const g = out.AutoScalingGroups?.[0];
  if (!g) {
    throw new ChaosError(ExitCode.Usage, `Auto Scaling group '${name}' not found in this account and region`, {
      phase,
      target: name,
      hint: 'check --asg, --region and --profile (aws autoscaling describe-auto-scaling-groups lists the groups)',
    });
  }
  return toSnapshot(g);
}

/** A tag on an Auto Scaling group (DescribeTags row). */
export interface GroupTag {
  group: string;
  key: string;
  value: string;
}

/** Tags of one group, or (no group) of every group, optionally only these keys; all pages. */
export async function describeGroupTags(asg: AutoScalingClient, o: { group?: string; keys?: string[] }, phase: Phase): Promise<GroupTag[]> {
  const Filters = [...(o.group ? [{ Name: 'auto-scaling-group', Values: [o.group] }] : []), ...(o.keys ? [{ Name: 'key', Values: o.keys }] : [])];
  const out: GroupTag[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call('DescribeTags', { phase, ...(o.group ? { target: o.group } : {}) }, () =>
      asg.send(new DescribeTagsCommand({ Filters, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) })),
    );
    for (const t of page.Tags ?? []) out.push({ group: t.ResourceId ?? '', key: t.Key ?? '', value: t.Value ?? '' });
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** Writes one tag on the group (CreateOrUpdateTags overwrites a key that exists). Never propagated to instances. */
export async function putGroupTag(asg: AutoScalingClient, group: string, key: string, value: string, phase: Phase, exitCode?: ExitCode): Promise<void> {
  await call('CreateOrUpdateTags', { phase, target: group, ...(exitCode !== undefined ? { exitCode } : {}) }, () =>
    asg.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: group, ResourceType: 'auto-scaling-group', Key: key, Value: value, PropagateAtLaunch: false }] })),
  );
}

export async function deleteGroupTag(asg: AutoScalingClient, group: string, key: string, phase: Phase): Promise<void> {
  await call('DeleteTags', { phase, target: group }, () => asg.send(new DeleteTagsCommand({ Tags: [{ ResourceId: group, ResourceType: 'auto-scaling-group', Key: key }] })));
}
