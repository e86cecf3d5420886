/**
 * EC2 instances: DescribeInstances and RunInstances (the state changes Terminate/Stop/StartInstances live in
 * ec2-instance-state.ts). Launches go through the lifecycle engine, so they carry timings and ground-truth
 * events.
 */
import type { ApiContext } from '../context.js';
import type { Instance, InstanceStateName } from '../world/types.js';
import { INSTANCE_STATE_CODE } from '../world/types.js';
import type { World } from '../world/world.js';
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import { applyFilters, byCreation, dryRunGate, isEc2Id, nextToken, notFound, page, readTagSpecifications, tagSet, type FilterFields } from './ec2-common.js';
import type { Handler } from './router.js';
import { el, list, node } from './xml.js';

/** EC2 groups instances launched together in a reservation; kept beside the world, keyed by the record. */
const reservations = new WeakMap<Instance, string>();

function reservationOf(world: World, inst: Instance): string {
  let r = reservations.get(inst);
  if (!r) reservations.set(inst, (r = world.newId('r')));
  return r;
}

/**
 * Looks up every id first and reports all unknown ones at once, as EC2 does; ids that are not shaped like
 * instance ids are InvalidInstanceID.Malformed instead.
 */
export function resolveInstances(world: World, ids: string[]): Instance[] {
  const bad = ids.find((id) => !isEc2Id('i', id));
  if (bad !== undefined) throw new ApiError('InvalidInstanceID.Malformed', `Invalid id: "${bad}" (expecting "i-...")`);
  const missing = ids.filter((id) => !world.instances.has(id));
  if (missing.length) throw notFound('InvalidInstanceID.NotFound', 'instance', missing);
  return [...new Set(ids)].map((id) => world.instances.get(id)!);
}

const INSTANCE_FILTERS: FilterFields<Instance> = {
  'instance-id': (i) => i.instanceId,
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => String(INSTANCE_STATE_CODE[i.state]),
  'availability-zone': (i) => i.availabilityZone,
  'subnet-id': (i) => i.subnetId,
  'vpc-id': (i) => i.vpcId,
  'image-id': (i) => i.imageId,
  'instance-type': (i) => i.instanceType,
  'private-ip-address': (i) => i.privateIpAddress,
  'launch-template.launch-template-id': (i) => i.launchTemplate?.launchTemplateId,
  // DescribeInstances filters (EC2 API Reference): instance-lifecycle (spot | scheduled | capacity-block),
  // root-device-type (ebs | instance-store).
  'instance-lifecycle': (i) => i.instanceLifecycle,
  'root-device-type': (i) => i.rootDeviceType ?? 'ebs',
};

export function stateXml(name: string, state: InstanceStateName): string {
  return node(name, el('code', INSTANCE_STATE_CODE[state]), el('name', state));
}

export function privateDnsName(world: World, ip: string): string {
  const suffix = world.region === 'us-east-1' ? 'ec2.internal' : `${world.region}.compute.internal`;
  return `ip-${ip.replaceAll('.', '-')}.${suffix}`;
}

export function instanceXml(world: World, i: Instance): string {
  const zoneId = world.zone(i.availabilityZone)?.zoneId;
  return (
    el('instanceId', i.instanceId) +
    el('imageId', i.imageId) +
    stateXml('instanceState', i.state) +
    el('privateDnsName', privateDnsName(world, i.privateIpAddress)) +
    el('dnsName', '') +
    el('reason', i.stateTransitionReason) +
    el('amiLaunchIndex', 0) +
    '<productCodes/>' +
    el('instanceType', i.instanceType) +
    // Absent for On-Demand instances, 'spot' for Spot Instances (what a tool reads to skip un-stoppable ones).
    el('instanceLifecycle', i.instanceLifecycle) +
    el('launchTime', i.launchTime) +
    node('placement', el('availabilityZone', i.availabilityZone), el('availabilityZoneId', zoneId), el('groupName', ''), el('tenancy', 'default')) +
    node('monitoring', el('state', 'disabled')) +
    el('subnetId', i.subnetId) +
    el('vpcId', i.vpcId) +
    el('privateIpAddress', i.privateIpAddress) +
    '<groupSet/>' +
    (i.stateReason ? node('stateReason', el('code', i.stateReason.code), el('message', i.stateReason.message)) : '') +
    el('architecture', 'x86_64') +
    el('rootDeviceType', i.rootDeviceType ?? 'ebs') +
    el('rootDeviceName', '/dev/xvda') +
    el('virtualizationType', 'hvm') +
    el('hypervisor', 'xen') +
    tagSet(world, i.instanceId)
  );
}

function reservationXml(world: World, reservationId: string, instances: Instance[]): string {
  return el('reservationId', reservationId) + el('ownerId', world.accountId) + '<groupSet/>' + list('instancesSet', instances, (i) => instanceXml(world, i), 'item');
}

const describeInstances: Handler = (p, ctx) => {
  const { world } = ctx;
  const ids = p.list('InstanceId');
  if (ids.length && (p.str('MaxResults') !== undefined || p.str('NextToken') !== undefined)) {
    throw new ApiError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const base = ids.length ? resolveInstances(world, ids) : [...world.instances.values()];
  const matched = applyFilters(base, p, INSTANCE_FILTERS, (i) => world.tagsOf(i.instanceId));
  const { page: items, next } = page(matched, p, (i) => byCreation(world, i.instanceId));
  dryRunGate(p);
  // One reservation per launch: group the page's instances by their reservation, in page order.
  const byReservation = new Map<string, Instance[]>();
  for (const i of items) {
    const r = reservationOf(world, i);
    byReservation.set(r, [...(byReservation.get(r) ?? []), i]);
  }
  return list('reservationSet', byReservation, ([r, insts]) => reservationXml(world, r, insts), 'item') + nextToken(next);
};

/**
 * RunInstances in a subnet (the sandbox has no default VPC, so SubnetId or a launch template is needed).
 * Launches MaxCount instances; capacity never runs out here, so MinCount only has to be valid.
 */
const runInstances: Handler = (p, ctx: ApiContext) => {
  const { world } = ctx;
  const minCount = p.int('MinCount', { min: 1 });
  const maxCount = p.int('MaxCount', { min: 1, max: 100 });
  if (minCount === undefined) throw missingParameter('MinCount');
  if (maxCount === undefined) throw missingParameter('MaxCount');
  if (minCount > maxCount) {
    throw new ApiError('InvalidParameterValue', 'Value for parameter MinCount must be less than or equal to MaxCount');
  }
  const ltSpec = p.struct('LaunchTemplate');
  const ltId = ltSpec?.str('LaunchTemplateId');
  const ltName = ltSpec?.str('LaunchTemplateName');
  const lt = ltSpec ? [...world.launchTemplates.values()].find((t) => t.launchTemplateId === ltId || t.launchTemplateName === ltName) : undefined;
  if (ltSpec && !lt) {
    throw ltId
      ? new ApiError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${ltId}, does not exist.`)
      : new ApiError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${ltName}, does not exist.`);
  }
  const imageId = p.str('ImageId') ?? lt?.imageId;
  if (!imageId) throw missingParameter('ImageId');
  const instanceType = p.str('InstanceType') ?? lt?.instanceType ?? 'm1.small';
  const subnetId = p.str('SubnetId');
  if (!subnetId) throw new ApiError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  if (!world.subnets.has(subnetId)) throw notFound('InvalidSubnetID.NotFound', 'subnet', [subnetId]);
  const tags = readTagSpecifications(p, 'instance');
  const marketType = p.struct('InstanceMarketOptions')?.str('MarketType');
  // AWS also knows capacity-block; the sandbox models Spot only and says so rather than launching On-Demand.
  if (marketType !== undefined && marketType !== 'spot') {
    throw invalidParameterValue('InstanceMarketOptions.MarketType', marketType, 'is not supported by the sandbox (spot only)');
  }
  dryRunGate(p);

  const launched: Instance[] = [];
  const reservationId = world.newId('r');
  for (let n = 0; n < maxCount; n++) {
    const inst = ctx.lifecycle.launch({
      subnetId,
      imageId,
      instanceType,
      tags: Object.fromEntries(tags),
      ...(marketType === 'spot' ? { instanceLifecycle: 'spot' as const } : {}),
      ...(lt ? { launchTemplate: { launchTemplateId: lt.launchTemplateId, launchTemplateName: lt.launchTemplateName, version: String(lt.defaultVersionNumber) } } : {}),
    });
    reservations.set(inst, reservationId);
    launched.push(inst);
  }
  return reservationXml(world, reservationId, launched);
};

export const INSTANCE_HANDLERS: Record<string, Handler> = {
  DescribeInstances: describeInstances,
  RunInstances: runInstances,
};
