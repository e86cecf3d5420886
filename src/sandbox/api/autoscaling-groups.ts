/**
 * Auto Scaling group CRUD: CreateAutoScalingGroup, UpdateAutoScalingGroup, DeleteAutoScalingGroup,
 * DescribeAutoScalingGroups, SetDesiredCapacity. Handlers validate and change the World; launching and
 * replacing instances is the reconciler's job, woken with ctx.autoscaling.nudge().
 */
import { classicNames, deregisterFromClassic } from '../autoscaling/classic-attach.js';
import { checkLoadBalancerNames, optionalTrafficSources } from './classic-autoscaling.js';
import type { ApiContext } from '../context.js';
import type { AutoScalingGroup } from '../world/types.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import { paginate, type Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { groupXml } from './autoscaling-render.js';
import { checkSizes, constraintError, intOrUndefined, maxRecords, requireGroup } from './autoscaling-common.js';
import { deregisterEverywhere } from './elbv2-draining.js';
import { readTags } from './autoscaling-tags.js';

function resolveLaunchTemplate(ctx: ApiContext, p: Params): NonNullable<AutoScalingGroup['launchTemplate']> & { imageId: string; instanceType: string } {
  const spec = p.struct('LaunchTemplate');
  const id = spec?.str('LaunchTemplateId');
  const name = spec?.str('LaunchTemplateName');
  if (id && name) throw validationError('Valid requests must contain either launchTemplateId or LaunchTemplateName, not both.');
  const lt = id ? ctx.world.launchTemplates.get(id) : [...ctx.world.launchTemplates.values()].find((t) => t.launchTemplateName === name);
  if (!lt) {
    const which = id ? `with template ID ${id}` : `with template name ${name ?? ''}`;
    throw validationError(`You must use a valid fully-formed launch template. The specified launch template, ${which}, does not exist.`);
  }
  return {
    launchTemplateId: lt.launchTemplateId,
    launchTemplateName: lt.launchTemplateName,
    version: spec?.str('Version') || '$Default',
    imageId: lt.imageId,
    instanceType: lt.instanceType,
  };
}

/** VPCZoneIdentifier (comma-separated subnet ids) → subnets and their AZs. */
function resolveSubnets(ctx: ApiContext, vpcZoneIdentifier: string): { subnetIds: string[]; zones: string[] } {
  const subnetIds = vpcZoneIdentifier
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!subnetIds.length) throw validationError('At least one Availability Zone or VPC Subnet is required.');
  const zones = new Set<string>();
  let vpcId: string | undefined;
  for (const id of subnetIds) {
    const subnet = ctx.world.subnets.get(id);
    if (!subnet) throw validationError(`The subnet ID '${id}' does not exist`);
    if (vpcId && subnet.vpcId !== vpcId) throw validationError('The subnets must all be in the same VPC.');
    vpcId = subnet.vpcId;
    zones.add(subnet.availabilityZone);
  }
  return { subnetIds, zones: [...zones].sort() };
}

/** Without VPCZoneIdentifier, AvailabilityZones place the group in the default VPC's subnets. */
function defaultVpcSubnets(ctx: ApiContext, zones: string[]): { subnetIds: string[]; zones: string[] } {
  const subnetIds: string[] = [];
  for (const zone of zones) {
    const subnet = [...ctx.world.subnets.values()].find((s) => s.availabilityZone === zone && ctx.world.vpcs.get(s.vpcId)?.isDefault);
    if (!subnet) throw validationError(`No default subnet for availability zone: '${zone}'.`);
    subnetIds.push(subnet.subnetId);
  }
  return { subnetIds, zones: [...new Set(zones)].sort() };
}

function checkTargetGroups(ctx: ApiContext, arns: string[]): void {
  if (arns.some((a) => !ctx.world.targetGroups.has(a))) {
    throw validationError('Provided Target Groups may not be valid. Please ensure they exist and try again.');
  }
}

function healthCheckType(p: Params): AutoScalingGroup['healthCheckType'] | undefined {
  const v = p.str('HealthCheckType');
  if (v === undefined || v === '') return undefined;
  if (v !== 'EC2' && v !== 'ELB') throw validationError(`Invalid health check type: ${v}. Valid types are EC2 and ELB.`);
  return v;
}

const create: Handler = (p, ctx) => {
  const name = p.required('AutoScalingGroupName');
  if (ctx.world.asgs.has(name)) {
    throw new ApiError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
  }
  if (!p.struct('LaunchTemplate')) {
    if (p.str('LaunchConfigurationName')) throw validationError(`Launch configuration name not found - Launch configuration ${p.str('LaunchConfigurationName')} not found`);
    throw validationError('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
  }
  const lt = resolveLaunchTemplate(ctx, p);
  const minSize = intOrUndefined(p, 'MinSize');
  const maxSize = intOrUndefined(p, 'MaxSize');
  if (minSize === undefined) throw missingParameter('MinSize');
  if (maxSize === undefined) throw missingParameter('MaxSize');
  const desired = intOrUndefined(p, 'DesiredCapacity') ?? minSize;
  checkSizes(minSize, maxSize, desired);
  const vzi = p.str('VPCZoneIdentifier');
  const azs = p.members('AvailabilityZones');
  if (!vzi && !azs.length) throw validationError('At least one Availability Zone or VPC Subnet is required.');
  const placement = vzi ? resolveSubnets(ctx, vzi) : defaultVpcSubnets(ctx, azs);
  const sources = optionalTrafficSources(p);
  const targetGroupARNs = [...p.members('TargetGroupARNs'), ...sources.elbv2];
  checkTargetGroups(ctx, targetGroupARNs);
  const loadBalancerNames = [...p.members('LoadBalancerNames'), ...sources.elb];
  checkLoadBalancerNames(ctx, loadBalancerNames);
  const tags = readTags(p, name);
  const group: AutoScalingGroup = {
    name,
    arn: ctx.world.asgArn(name),
    minSize,
    maxSize,
    desiredCapacity: desired,
    defaultCooldown: intOrUndefined(p, 'DefaultCooldown') ?? 300,
    availabilityZones: placement.zones,
    subnetIds: placement.subnetIds,
    healthCheckType: healthCheckType(p) ?? 'EC2',
    // The API's default is 0 (the console's is 300): AWS-BEHAVIOUR.md, "HealthCheckGracePeriod".
    healthCheckGracePeriod: intOrUndefined(p, 'HealthCheckGracePeriod') ?? 0,
    targetGroupARNs: [...new Set(targetGroupARNs)],
    ...(loadBalancerNames.length ? { loadBalancerNames: [...new Set(loadBalancerNames)] } : {}),
    createdTime: new Date(ctx.world.now()),
    suspendedProcesses: new Map(),
    terminationPolicies: p.members('TerminationPolicies').length ? p.members('TerminationPolicies') : ['Default'],
    launchTemplate: { launchTemplateId: lt.launchTemplateId, launchTemplateName: lt.launchTemplateName, version: lt.version },
    imageId: lt.imageId,
    instanceType: lt.instanceType,
    tags: new Map(tags.map((t) => [t.key, { value: t.value, propagateAtLaunch: t.propagateAtLaunch }])),
  };
  ctx.world.asgs.set(name, group);
  ctx.autoscaling.nudge();
  return '';
};

const update: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const minIn = intOrUndefined(p, 'MinSize');
  const maxIn = intOrUndefined(p, 'MaxSize');
  const desiredIn = intOrUndefined(p, 'DesiredCapacity');
  const min = minIn ?? g.minSize;
  const max = maxIn ?? g.maxSize;
  // AWS: a new MinSize above the current desired (or MaxSize below it) moves desired along, unless
  // DesiredCapacity is given too (UpdateAutoScalingGroup API reference).
  const desired = desiredIn ?? Math.min(max, Math.max(min, g.desiredCapacity));
  checkSizes(min, max, desired);
  const vzi = p.str('VPCZoneIdentifier');
  const placement = vzi ? resolveSubnets(ctx, vzi) : undefined;
  const lt = p.struct('LaunchTemplate') ? resolveLaunchTemplate(ctx, p) : undefined;
  const hct = healthCheckType(p);
  const grace = intOrUndefined(p, 'HealthCheckGracePeriod');
  const cooldown = intOrUndefined(p, 'DefaultCooldown');
  const policies = p.members('TerminationPolicies');

  g.minSize = min;
  g.maxSize = max;
  g.desiredCapacity = desired;
  if (placement) {
    g.subnetIds = placement.subnetIds;
    g.availabilityZones = placement.zones;
  }
  if (lt) {
    g.launchTemplate = { launchTemplateId: lt.launchTemplateId, launchTemplateName: lt.launchTemplateName, version: lt.version };
    g.imageId = lt.imageId;
    g.instanceType = lt.instanceType;
  }
  if (hct) g.healthCheckType = hct;
  if (grace !== undefined) g.healthCheckGracePeriod = grace;
  if (cooldown !== undefined) g.defaultCooldown = cooldown;
  if (policies.length) g.terminationPolicies = policies;
  ctx.autoscaling.nudge();
  return '';
};

const remove: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const force = p.bool('ForceDelete') ?? false;
  const members = ctx.world.membersOf(g.name).filter((m) => m.lifecycleState !== 'Terminated');
  if (!force) {
    if (members.length || g.warmPool?.instances.size) {
      throw new ApiError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
    }
    if (ctx.world.activities.some((a) => a.asgName === g.name && a.statusCode === 'InProgress')) {
      throw new ApiError('ScalingActivityInProgress', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.');
    }
  }
  // The group disappears at once; its members are deregistered and terminated, and their memberships
  // dropped so the reconciler has nothing left to manage for this group. (AWS keeps the group visible
  // with Status "Delete in progress" until the instances are gone; the sandbox does not model that.)
  ctx.world.asgs.delete(g.name);
  // "If the group has a warm pool, the force delete option also deletes the warm pool" (DeleteAutoScalingGroup).
  ctx.autoscaling.actions.warmPools.remove(g, true);
  for (const member of members) {
    deregisterEverywhere(ctx, g.targetGroupARNs, member.instanceId);
    deregisterFromClassic(ctx.world, classicNames(g), member.instanceId);
    ctx.world.setLifecycle(member, 'Terminating');
    ctx.lifecycle.terminate(member.instanceId, 'User initiated');
    ctx.world.asgInstances.delete(member.instanceId);
  }
  ctx.autoscaling.nudge();
  return '';
};

const setDesired: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const desired = intOrUndefined(p, 'DesiredCapacity');
  if (desired === undefined) throw missingParameter('DesiredCapacity');
  if (desired > g.maxSize) throw validationError(`New SetDesiredCapacity value ${desired} is above max value ${g.maxSize} for the AutoScalingGroup.`);
  if (desired < g.minSize) throw validationError(`New SetDesiredCapacity value ${desired} is below min value ${g.minSize} for the AutoScalingGroup.`);
  g.desiredCapacity = desired;
  ctx.autoscaling.nudge();
  return '';
};

/** DescribeAutoScalingGroups filters: tag:<key>, tag-key, tag-value (values OR'ed, filters AND'ed). */
function matchesFilters(g: AutoScalingGroup, filters: { name: string; values: string[] }[]): boolean {
  return filters.every(({ name, values }) => {
    const tags = [...g.tags.entries()];
    if (name === 'tag-key') return tags.some(([k]) => values.includes(k));
    if (name === 'tag-value') return tags.some(([, t]) => values.includes(t.value));
    if (name.startsWith('tag:')) {
      const t = g.tags.get(name.slice(4));
      return t !== undefined && values.includes(t.value);
    }
    throw validationError(`Filter type ${name} is not correct. Allowed Filter types are: tag-key tag-value tag:<key>`);
  });
}

const describe: Handler = (p, ctx) => {
  const names = p.members('AutoScalingGroupNames');
  if (names.length > 50) throw constraintError(`[${names.join(', ')}]`, 'autoScalingGroupNames', 'Member must have length less than or equal to 50');
  const filters = p.structs('Filters.member').map((f) => ({ name: f.required('Name'), values: f.members('Values') }));
  const pageSize = maxRecords(p, 100, 50);
  const wanted = names.length ? new Set(names) : undefined;
  const groups = [...ctx.world.asgs.values()]
    .filter((g) => (wanted ? wanted.has(g.name) : true))
    .filter((g) => matchesFilters(g, filters))
    .sort((a, b) => a.name.localeCompare(b.name));
  const { page, next } = paginate(groups, p.str('NextToken'), pageSize, (g) => [g.name]);
  // IncludeInstances=false leaves the (possibly long) instance lists out.
  const includeInstances = p.bool('IncludeInstances') ?? true;
  return list('AutoScalingGroups', page, (g) => groupXml(ctx.world, g, includeInstances), 'member') + (next ? `<NextToken>${next}</NextToken>` : '');
};

export const GROUP_HANDLERS: Record<string, Handler> = {
  CreateAutoScalingGroup: create,
  UpdateAutoScalingGroup: update,
  DeleteAutoScalingGroup: remove,
  SetDesiredCapacity: setDesired,
  DescribeAutoScalingGroups: describe,
};
