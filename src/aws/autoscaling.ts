/**
 * Auto Scaling reads chaos-ec2 needs, as plain snapshots. One DescribeAutoScalingGroups call per poll,
 * however large the group (the instance list comes with the group), so polling cost stays constant.
 */
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { ChaosError, ExitCode, type Phase } from '../core/errors.js';
import { call } from './errors.js';

export interface GroupInstance {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: string;
  healthStatus: string;
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
  tags: Record<string, string>;
  suspendedProcesses: string[];
  instances: GroupInstance[];
}

export function toSnapshot(g: AutoScalingGroup): GroupSnapshot {
  const fromTraffic = (g.TrafficSources ?? []).filter((t) => !t.Type || t.Type === 'elbv2').map((t) => t.Identifier!).filter(Boolean);
  return {
    name: g.AutoScalingGroupName!,
    arn: g.AutoScalingGroupARN ?? '',
    desired: g.DesiredCapacity ?? 0,
    min: g.MinSize ?? 0,
    max: g.MaxSize ?? 0,
    healthCheckType: g.HealthCheckType ?? 'EC2',
    healthCheckGracePeriod: g.HealthCheckGracePeriod ?? 0,
    subnetIds: (g.VPCZoneIdentifier ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    availabilityZones: g.AvailabilityZones ?? [],
    targetGroupArns: [...new Set([...(g.TargetGroupARNs ?? []), ...fromTraffic])],
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    suspendedProcesses: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName!),
    instances: (g.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId!,
      availabilityZone: i.AvailabilityZone ?? '',
      lifecycleState: i.LifecycleState ?? 'Unknown',
      healthStatus: i.HealthStatus ?? 'Unknown',
    })),
  };
}

export async function describeGroup(asg: AutoScalingClient, name: string, phase: Phase): Promise<GroupSnapshot> {
  const out = await call('DescribeAutoScalingGroups', { phase, target: name }, () =>
    asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
  );
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
