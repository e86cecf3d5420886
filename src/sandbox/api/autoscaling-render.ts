/**
 * Auto Scaling (awsQuery 2011-01-01) result XML for groups, instances, activities and tags. Element names
 * follow the botocore model / SDK v3 schema member names one-to-one; absent optional fields are omitted,
 * as AWS omits them.
 */
import type { World } from '../world/world.js';
import type { AsgInstance, AutoScalingGroup, ScalingActivity, WarmInstance, WarmPool } from '../world/types.js';
import { el, esc, list, node } from './xml.js';

const m = 'member' as const;

export function launchTemplateXml(lt: AutoScalingGroup['launchTemplate']): string {
  if (!lt) return '';
  return node('LaunchTemplate', el('LaunchTemplateId', lt.launchTemplateId), el('LaunchTemplateName', lt.launchTemplateName), el('Version', lt.version));
}

/** The Instance shape: a group's member, or (DescribeWarmPool) a warm pool's instance, which is never protected. */
function groupInstanceXml(i: Omit<AsgInstance, 'asgName' | 'launchedAt' | 'protectedFromScaleIn'> & { protectedFromScaleIn?: boolean }): string {
  return (
    el('InstanceId', i.instanceId) +
    el('InstanceType', i.instanceType) +
    el('AvailabilityZone', i.availabilityZone) +
    el('LifecycleState', i.lifecycleState) +
    el('HealthStatus', i.healthStatus) +
    launchTemplateXml(i.launchTemplate) +
    el('ProtectedFromScaleIn', i.protectedFromScaleIn ?? false)
  );
}

export function tagDescriptionXml(groupName: string, key: string, t: { value: string; propagateAtLaunch: boolean }): string {
  return el('ResourceId', groupName) + el('ResourceType', 'auto-scaling-group') + el('Key', key) + el('Value', t.value) + el('PropagateAtLaunch', t.propagateAtLaunch);
}

/** Members in a stable order: by AZ, then id (AWS lists them grouped by zone). */
export function sortedMembers(world: World, name: string): AsgInstance[] {
  return world.membersOf(name).sort((a, b) => a.availabilityZone.localeCompare(b.availabilityZone) || a.instanceId.localeCompare(b.instanceId));
}

export function groupXml(world: World, g: AutoScalingGroup, includeInstances = true): string {
  return (
    el('AutoScalingGroupName', g.name) +
    el('AutoScalingGroupARN', g.arn) +
    el('LaunchConfigurationName', g.launchConfigurationName) +
    launchTemplateXml(g.launchTemplate) +
    el('MinSize', g.minSize) +
    el('MaxSize', g.maxSize) +
    el('DesiredCapacity', g.desiredCapacity) +
    el('DefaultCooldown', g.defaultCooldown) +
    list('AvailabilityZones', g.availabilityZones, (z) => esc(z), m) +
    list('LoadBalancerNames', g.loadBalancerNames ?? [], (n) => esc(n), m) +
    list('TargetGroupARNs', g.targetGroupARNs, (a) => esc(a), m) +
    el('HealthCheckType', g.healthCheckType) +
    el('HealthCheckGracePeriod', g.healthCheckGracePeriod) +
    (includeInstances ? list('Instances', sortedMembers(world, g.name), groupInstanceXml, m) : '') +
    el('CreatedTime', g.createdTime) +
    list('SuspendedProcesses', g.suspendedProcesses, ([name, reason]) => el('ProcessName', name) + el('SuspensionReason', reason), m) +
    el('VPCZoneIdentifier', g.subnetIds.join(',')) +
    list('EnabledMetrics', [], () => '', m) +
    list('Tags', g.tags, ([k, t]) => tagDescriptionXml(g.name, k, t), m) +
    list('TerminationPolicies', g.terminationPolicies, (p) => esc(p), m) +
    el('NewInstancesProtectedFromScaleIn', false) +
    el('ServiceLinkedRoleARN', `arn:aws:iam::${world.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`) +
    el('CapacityRebalance', false) +
    list(
      'TrafficSources',
      [...g.targetGroupARNs.map((id) => ({ id, type: 'elbv2' })), ...(g.loadBalancerNames ?? []).map((id) => ({ id, type: 'elb' }))],
      (s) => el('Identifier', s.id) + el('Type', s.type),
      m,
    ) +
    groupWarmPoolXml(g)
  );
}

export function activityXml(a: ScalingActivity): string {
  return (
    el('ActivityId', a.activityId) +
    el('AutoScalingGroupName', a.asgName) +
    el('Description', a.description) +
    el('Cause', a.cause) +
    el('StartTime', a.startTime) +
    el('EndTime', a.endTime) +
    el('StatusCode', a.statusCode) +
    el('StatusMessage', a.statusMessage) +
    el('Progress', a.progress) +
    el('Details', a.details) +
    el('AutoScalingGroupARN', a.asgArn)
  );
}

/**
 * DescribeAutoScalingInstances spells health in capitals (HEALTHY / UNHEALTHY), unlike the group's
 * Instances list, which says Healthy / Unhealthy — both as AWS answers.
 */
export function autoScalingInstanceXml(i: AsgInstance): string {
  return (
    el('InstanceId', i.instanceId) +
    el('InstanceType', i.instanceType) +
    el('AutoScalingGroupName', i.asgName) +
    el('AvailabilityZone', i.availabilityZone) +
    el('LifecycleState', i.lifecycleState) +
    el('HealthStatus', i.healthStatus.toUpperCase()) +
    launchTemplateXml(i.launchTemplate) +
    el('ProtectedFromScaleIn', i.protectedFromScaleIn)
  );
}

export function warmPoolConfigurationXml(pool: WarmPool): string {
  return node(
    'WarmPoolConfiguration',
    el('MaxGroupPreparedCapacity', pool.maxGroupPreparedCapacity),
    el('MinSize', pool.minSize),
    el('PoolState', pool.poolState),
    el('Status', pool.status),
    pool.instanceReusePolicy ? node('InstanceReusePolicy', el('ReuseOnScaleIn', pool.instanceReusePolicy.reuseOnScaleIn)) : '',
  );
}

/** A group's WarmPoolConfiguration and WarmPoolSize (its pool's instances now); nothing without a pool. */
function groupWarmPoolXml(g: AutoScalingGroup): string {
  return g.warmPool ? warmPoolConfigurationXml(g.warmPool) + el('WarmPoolSize', g.warmPool.instances.size) : '';
}

/** DescribeWarmPool's Instances: the Instance shape, with the Warmed:* lifecycle states. */
export const warmInstanceXml = (w: WarmInstance): string => groupInstanceXml(w);
