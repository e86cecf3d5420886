/**
 * Auto Scaling instance actions and the activity history: DescribeAutoScalingInstances,
 * TerminateInstanceInAutoScalingGroup, SetInstanceHealth, SetInstanceProtection, DescribeScalingActivities.
 */
import type { ScalingActivity } from '../world/types.js';
import type { World } from '../world/world.js';
import { constraintError, maxRecords, requireGroup, requireMember } from './autoscaling-common.js';
import { activityXml, autoScalingInstanceXml } from './autoscaling-render.js';
import { missingParameter, validationError } from './errors.js';
import { paginate, type PageKey, type Params } from './query.js';
import type { Handler } from './router.js';
import { list, node } from './xml.js';

const nextTokenXml = (next: string | undefined): string => (next ? `<NextToken>${next}</NextToken>` : '');

function requiredBool(p: Params, name: string): boolean {
  const v = p.bool(name);
  if (v === undefined) throw missingParameter(name);
  return v;
}

const describeInstances: Handler = (p, ctx) => {
  const ids = p.members('InstanceIds');
  if (ids.length > 50) throw constraintError(`[${ids.join(', ')}]`, 'instanceIds', 'Member must have length less than or equal to 50');
  const pageSize = maxRecords(p, 50, 50);
  const wanted = ids.length ? new Set(ids) : undefined;
  const members = [...ctx.world.asgInstances.values()]
    .filter((m) => ctx.world.asgs.has(m.asgName) && (wanted ? wanted.has(m.instanceId) : true))
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const { page, next } = paginate(members, p.str('NextToken'), pageSize, (m) => [m.instanceId]);
  return list('AutoScalingInstances', page, autoScalingInstanceXml, 'member') + nextTokenXml(next);
};

const terminate: Handler = (p, ctx) => {
  const instanceId = p.required('InstanceId');
  const decrement = requiredBool(p, 'ShouldDecrementDesiredCapacity');
  const member = requireMember(ctx, instanceId);
  const g = requireGroup(ctx, member.asgName);
  if (decrement && g.desiredCapacity <= g.minSize) {
    throw validationError(
      `Currently, desiredSize equals minSize (${g.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
    );
  }
  const activity = ctx.autoscaling.terminateInGroup(instanceId, decrement);
  ctx.autoscaling.nudge();
  return node('Activity', activityXml(activity));
};

const setHealth: Handler = (p, ctx) => {
  const instanceId = p.required('InstanceId');
  const status = p.required('HealthStatus');
  if (status !== 'Healthy' && status !== 'Unhealthy') {
    throw validationError(`Valid values for HealthStatus are Healthy and Unhealthy; received ${status}.`);
  }
  const respectGrace = p.bool('ShouldRespectGracePeriod') ?? true;
  const member = requireMember(ctx, instanceId);
  const g = requireGroup(ctx, member.asgName);
  // By default the call respects the grace period: an instance still inside it is not marked Unhealthy
  // (SetInstanceHealth API reference, ShouldRespectGracePeriod).
  const inGrace = ctx.world.now() - member.launchedAt < g.healthCheckGracePeriod * 1000;
  if (status === 'Unhealthy' && respectGrace && inGrace) return '';
  ctx.world.setAsgHealth(member, status, 'SetInstanceHealth API call');
  ctx.autoscaling.nudge();
  return '';
};

const setProtection: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const ids = p.members('InstanceIds');
  if (!ids.length) throw missingParameter('InstanceIds');
  const protect = requiredBool(p, 'ProtectedFromScaleIn');
  const members = ids.map((id) => {
    const m = ctx.world.asgInstances.get(id);
    if (!m || m.asgName !== g.name) {
      throw validationError(`The instance ${id} is not part of Auto Scaling group ${g.name}.`);
    }
    return m;
  });
  for (const m of members) m.protectedFromScaleIn = protect;
  return '';
};

const FINISHED = new Set<ScalingActivity['statusCode']>(['Successful', 'Failed', 'Cancelled']);

/**
 * In-progress activities first, then newest first (DescribeScalingActivities API reference); creation
 * order, newest first, breaks start-time ties. The key travels in NextToken, so a new activity between two
 * pages lands before the cursor and page 2 neither repeats nor skips. (An activity on page 1 that finishes
 * before page 2 moves to the finished part and can show again there: AWS promises nothing better.)
 */
export function activityKey(world: World, a: ScalingActivity): PageKey {
  return [FINISHED.has(a.statusCode) ? 1 : 0, -a.startTime.getTime(), -world.ordinal(a.activityId), a.activityId];
}

const describeActivities: Handler = (p, ctx) => {
  const groupName = p.str('AutoScalingGroupName');
  const ids = p.members('ActivityIds');
  const includeDeleted = p.bool('IncludeDeletedGroups') ?? false;
  const pageSize = maxRecords(p, 100, 100);
  const wanted = ids.length ? new Set(ids) : undefined;
  const selected = ctx.world.activities.filter(
    (a) => (groupName ? a.asgName === groupName : true) && (wanted ? wanted.has(a.activityId) : true) && (includeDeleted || ctx.world.asgs.has(a.asgName)),
  );
  const { page, next } = paginate(selected, p.str('NextToken'), pageSize, (a) => activityKey(ctx.world, a));
  return list('Activities', page, activityXml, 'member') + nextTokenXml(next);
};

export const INSTANCE_HANDLERS: Record<string, Handler> = {
  DescribeAutoScalingInstances: describeInstances,
  TerminateInstanceInAutoScalingGroup: terminate,
  SetInstanceHealth: setHealth,
  SetInstanceProtection: setProtection,
  DescribeScalingActivities: describeActivities,
};
