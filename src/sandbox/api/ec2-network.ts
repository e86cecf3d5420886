/**
 * VPCs, subnets and Availability Zones: what the sample stack builds and what chaos-ec2 reads to map an
 * AZ to the subnets it blackholes. CreateVpc makes the VPC's default NACL and CreateSubnet associates it,
 * so every subnet has its one NACL association from birth, as on AWS.
 */
import type { AvailabilityZone, Subnet, Vpc } from '../world/types.js';
import type { World } from '../world/world.js';
import { ApiError, missingParameter } from './errors.js';
import {
  applyFilters,
  applyTags,
  byCreation,
  cidrInside,
  cidrOverlap,
  dryRunGate,
  isEc2Id,
  nextToken,
  notFound,
  page,
  parseCidr,
  readTagSpecifications,
  tagSet,
  type FilterFields,
} from './ec2-common.js';
import { createNacl, defaultNaclOf } from './ec2-nacls.js';
import type { Handler } from './router.js';
import { el, list, node } from './xml.js';

// ── VPCs ─────────────────────────────────────────────────────────────────────────────────────────

function vpcXml(world: World, v: Vpc, state = 'available'): string {
  return (
    el('vpcId', v.vpcId) +
    el('ownerId', world.accountId) +
    el('state', state) +
    el('cidrBlock', v.cidrBlock) +
    list(
      'cidrBlockAssociationSet',
      [v],
      (x) => el('cidrBlock', x.cidrBlock) + el('associationId', `vpc-cidr-assoc-${x.vpcId.slice(4)}`) + node('cidrBlockState', el('state', 'associated')),
      'item',
    ) +
    '<ipv6CidrBlockAssociationSet/>' +
    el('dhcpOptionsId', 'dopt-00000000000000000') +
    el('instanceTenancy', 'default') +
    el('isDefault', v.isDefault) +
    tagSet(world, v.vpcId)
  );
}

const VPC_FILTERS = (world: World): FilterFields<Vpc> => ({
  'vpc-id': (v) => v.vpcId,
  cidr: (v) => v.cidrBlock,
  'cidr-block-association.cidr-block': (v) => v.cidrBlock,
  'is-default': (v) => String(v.isDefault),
  state: () => 'available',
  'owner-id': () => world.accountId,
});

/** AWS accepts VPC (and subnet) blocks from /16 to /28. */
function checkBlock(cidr: string, code: string): { base: number; prefix: number } {
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.prefix < 16 || parsed.prefix > 28) throw new ApiError(code, `The CIDR '${cidr}' is invalid.`);
  return parsed;
}

const createVpc: Handler = (p, { world }) => {
  const cidr = p.str('CidrBlock');
  if (!cidr) throw missingParameter('CidrBlock');
  checkBlock(cidr, 'InvalidVpc.Range');
  const tags = readTagSpecifications(p, 'vpc');
  dryRunGate(p);
  const vpc: Vpc = { vpcId: world.newId('vpc'), cidrBlock: cidr, isDefault: false };
  world.vpcs.set(vpc.vpcId, vpc);
  applyTags(world, vpc.vpcId, tags);
  createNacl(world, vpc.vpcId, true);
  // AWS answers CreateVpc while the VPC is still `pending`; Describe shows it available.
  return node('vpc', vpcXml(world, vpc, 'pending'));
};

const describeVpcs: Handler = (p, { world }) => {
  const ids = p.list('VpcId');
  const bad = ids.find((id) => !isEc2Id('vpc', id));
  if (bad !== undefined) throw new ApiError('InvalidVpcID.Malformed', `Invalid id: "${bad}" (expecting "vpc-...")`);
  const missing = ids.filter((id) => !world.vpcs.has(id));
  if (missing.length) throw notFound('InvalidVpcID.NotFound', 'vpc', missing);
  const base = ids.length ? [...new Set(ids)].map((id) => world.vpcs.get(id)!) : [...world.vpcs.values()];
  const matched = applyFilters(base, p, VPC_FILTERS(world), (v) => world.tagsOf(v.vpcId));
  const { page: items, next } = page(matched, p, (v) => byCreation(world, v.vpcId));
  dryRunGate(p);
  return list('vpcSet', items, (v) => vpcXml(world, v), 'item') + nextToken(next);
};

// ── Subnets ──────────────────────────────────────────────────────────────────────────────────────

/** AWS reserves the first four addresses and the last one of every subnet. */
const RESERVED_HOSTS = 5;

function subnetXml(world: World, s: Subnet): string {
  const size = 2 ** (32 - (parseCidr(s.cidrBlock)?.prefix ?? 24));
  const used = [...world.instances.values()].filter((i) => i.subnetId === s.subnetId && i.state !== 'terminated').length;
  return (
    el('subnetId', s.subnetId) +
    el('subnetArn', `arn:aws:ec2:${world.region}:${world.accountId}:subnet/${s.subnetId}`) +
    el('state', 'available') +
    el('ownerId', world.accountId) +
    el('vpcId', s.vpcId) +
    el('cidrBlock', s.cidrBlock) +
    '<ipv6CidrBlockAssociationSet/>' +
    el('availableIpAddressCount', Math.max(0, size - RESERVED_HOSTS - used)) +
    el('availabilityZone', s.availabilityZone) +
    el('availabilityZoneId', s.availabilityZoneId) +
    el('defaultForAz', false) +
    el('mapPublicIpOnLaunch', false) +
    el('assignIpv6AddressOnCreation', false) +
    tagSet(world, s.subnetId)
  );
}

const SUBNET_FILTERS: FilterFields<Subnet> = {
  'subnet-id': (s) => s.subnetId,
  'vpc-id': (s) => s.vpcId,
  'availability-zone': (s) => s.availabilityZone,
  'availability-zone-id': (s) => s.availabilityZoneId,
  'cidr-block': (s) => s.cidrBlock,
  cidr: (s) => s.cidrBlock,
  cidrBlock: (s) => s.cidrBlock,
  state: () => 'available',
  'default-for-az': () => 'false',
};

const createSubnet: Handler = (p, { world }) => {
  const vpcId = p.required('VpcId');
  const cidr = p.required('CidrBlock');
  const vpc = world.vpcs.get(vpcId);
  if (!vpc) throw notFound('InvalidVpcID.NotFound', 'vpc', [vpcId]);
  const block = checkBlock(cidr, 'InvalidSubnet.Range');
  if (!cidrInside(block, parseCidr(vpc.cidrBlock)!)) throw new ApiError('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
  const clash = [...world.subnets.values()].find((s) => s.vpcId === vpcId && cidrOverlap(block, parseCidr(s.cidrBlock)!));
  if (clash) throw new ApiError('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);
  const zone = pickZone(world, p.str('AvailabilityZone'), p.str('AvailabilityZoneId'));
  const tags = readTagSpecifications(p, 'subnet');
  const defaultAcl = defaultNaclOf(world, vpcId);
  if (!defaultAcl) throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' has no default network ACL`);
  dryRunGate(p);
  const subnet: Subnet = {
    subnetId: world.newId('subnet'),
    vpcId,
    cidrBlock: cidr,
    availabilityZone: zone.zoneName,
    availabilityZoneId: zone.zoneId,
    nextHost: 4, // .0–.3 are AWS-reserved (network, router, DNS, future use)
  };
  world.subnets.set(subnet.subnetId, subnet);
  applyTags(world, subnet.subnetId, tags);
  world.associateNacl(subnet.subnetId, defaultAcl.networkAclId);
  return node('subnet', subnetXml(world, subnet));
};

/** Without a zone AWS picks one for you; the sandbox takes the first, deterministically. */
function pickZone(world: World, name: string | undefined, id: string | undefined): AvailabilityZone {
  if (!name && !id) return world.zones[0]!;
  const zone = world.zones.find((z) => (name ? z.zoneName === name : z.zoneId === id));
  if (!zone) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${name ?? id}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${world.zones.map((z) => z.zoneName).join(', ')}.`,
    );
  }
  return zone;
}

const describeSubnets: Handler = (p, { world }) => {
  const ids = p.list('SubnetId');
  const bad = ids.find((id) => !isEc2Id('subnet', id));
  if (bad !== undefined) throw new ApiError('InvalidSubnetID.Malformed', `Invalid id: "${bad}" (expecting "subnet-...")`);
  const missing = ids.filter((id) => !world.subnets.has(id));
  if (missing.length) throw notFound('InvalidSubnetID.NotFound', 'subnet', missing);
  const base = ids.length ? [...new Set(ids)].map((id) => world.subnets.get(id)!) : [...world.subnets.values()];
  const matched = applyFilters(base, p, SUBNET_FILTERS, (s) => world.tagsOf(s.subnetId));
  const { page: items, next } = page(matched, p, (s) => byCreation(world, s.subnetId));
  dryRunGate(p);
  return list('subnetSet', items, (s) => subnetXml(world, s), 'item') + nextToken(next);
};

// ── Availability Zones ───────────────────────────────────────────────────────────────────────────

const ZONE_FILTERS: FilterFields<AvailabilityZone> = {
  'zone-name': (z) => z.zoneName,
  'zone-id': (z) => z.zoneId,
  'region-name': (z) => z.regionName,
  state: () => 'available',
  'zone-type': () => 'availability-zone',
  'group-name': (z) => z.regionName,
  'opt-in-status': () => 'opt-in-not-required',
};

const describeAvailabilityZones: Handler = (p, { world }) => {
  const names = p.list('ZoneName');
  const ids = p.list('ZoneId');
  const unknown = [...names.filter((n) => !world.zone(n)), ...ids.filter((i) => !world.zones.some((z) => z.zoneId === i))];
  if (unknown.length) throw new ApiError('InvalidParameterValue', `Invalid availability zone: [${unknown.join(', ')}]`);
  const base = names.length || ids.length ? world.zones.filter((z) => names.includes(z.zoneName) || ids.includes(z.zoneId)) : world.zones;
  const matched = applyFilters(base, p, ZONE_FILTERS);
  dryRunGate(p);
  return list(
    'availabilityZoneInfo',
    matched,
    (z) =>
      el('zoneName', z.zoneName) +
      el('zoneId', z.zoneId) +
      el('zoneState', 'available') +
      el('optInStatus', 'opt-in-not-required') +
      '<messageSet/>' +
      el('regionName', z.regionName) +
      el('groupName', z.regionName) +
      el('networkBorderGroup', z.regionName) +
      el('zoneType', 'availability-zone'),
    'item',
  );
};

export const NETWORK_HANDLERS: Record<string, Handler> = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  DescribeAvailabilityZones: describeAvailabilityZones,
};
