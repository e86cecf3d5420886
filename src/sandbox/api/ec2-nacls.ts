/**
 * Network ACLs — the blackhole-az fault's whole mechanism: create a deny-all NACL, swap a subnet's
 * association to it, swap back, delete it. Association ids change on every swap (AWS never reuses one), and
 * every change is a ground-truth event so tests can line up the measured outage with the real one.
 */
import type { NetworkAcl, NetworkAclEntry } from '../world/types.js';
import type { World } from '../world/world.js';
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import { applyFilters, applyTags, byCreation, dryRunGate, nextToken, notFound, page, parseCidr, readTagSpecifications, tagSet, type FilterFields } from './ec2-common.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { el, list, node } from './xml.js';

/** The `*` rule: matches everything the numbered rules did not, denies it. It can't be changed. */
const CATCH_ALL = 32767;

const everything = (ruleAction: 'allow' | 'deny', ruleNumber: number, egress: boolean): NetworkAclEntry => ({
  ruleNumber,
  protocol: '-1',
  ruleAction,
  egress,
  cidrBlock: '0.0.0.0/0',
});

/**
 * Creates a NACL. A VPC's default NACL allows all traffic (rule 100) in and out; a custom one starts with
 * only the deny-all `*` rules, so a fresh custom NACL blackholes every subnet associated with it.
 */
export function createNacl(world: World, vpcId: string, isDefault: boolean, tags: [string, string][] = []): NetworkAcl {
  const entries = isDefault
    ? [everything('allow', 100, false), everything('allow', 100, true), everything('deny', CATCH_ALL, false), everything('deny', CATCH_ALL, true)]
    : [everything('deny', CATCH_ALL, false), everything('deny', CATCH_ALL, true)];
  const acl: NetworkAcl = { networkAclId: world.newId('acl'), vpcId, isDefault, entries };
  world.networkAcls.set(acl.networkAclId, acl);
  applyTags(world, acl.networkAclId, tags);
  world.emit({ type: 'nacl-created', networkAclId: acl.networkAclId, vpcId });
  return acl;
}

export function defaultNaclOf(world: World, vpcId: string): NetworkAcl | undefined {
  return [...world.networkAcls.values()].find((a) => a.vpcId === vpcId && a.isDefault);
}

function findNacl(world: World, id: string): NetworkAcl {
  const acl = world.networkAcls.get(id);
  if (!acl) throw notFound('InvalidNetworkAclID.NotFound', 'networkAcl', [id]);
  return acl;
}

const associationsOf = (world: World, aclId: string) => [...world.naclAssociations.values()].filter((a) => a.networkAclId === aclId);

function entryXml(e: NetworkAclEntry): string {
  return (
    el('ruleNumber', e.ruleNumber) +
    el('protocol', e.protocol) +
    el('ruleAction', e.ruleAction) +
    el('egress', e.egress) +
    el('cidrBlock', e.cidrBlock) +
    el('ipv6CidrBlock', e.ipv6CidrBlock) +
    (e.portRange ? node('portRange', el('from', e.portRange.from), el('to', e.portRange.to)) : '')
  );
}

/** EC2 lists egress rules first, each direction by rule number. */
function sortedEntries(acl: NetworkAcl): NetworkAclEntry[] {
  return [...acl.entries].sort((a, b) => Number(b.egress) - Number(a.egress) || a.ruleNumber - b.ruleNumber);
}

export function naclXml(world: World, acl: NetworkAcl): string {
  return (
    el('networkAclId', acl.networkAclId) +
    el('vpcId', acl.vpcId) +
    el('default', acl.isDefault) +
    list('entrySet', sortedEntries(acl), entryXml, 'item') +
    list(
      'associationSet',
      associationsOf(world, acl.networkAclId),
      (a) => el('networkAclAssociationId', a.associationId) + el('networkAclId', a.networkAclId) + el('subnetId', a.subnetId),
      'item',
    ) +
    tagSet(world, acl.networkAclId) +
    el('ownerId', world.accountId)
  );
}

const naclFilters = (world: World): FilterFields<NetworkAcl> => ({
  'network-acl-id': (a) => a.networkAclId,
  'vpc-id': (a) => a.vpcId,
  default: (a) => String(a.isDefault),
  'owner-id': () => world.accountId,
  'association.subnet-id': (a) => associationsOf(world, a.networkAclId).map((x) => x.subnetId),
  'association.association-id': (a) => associationsOf(world, a.networkAclId).map((x) => x.associationId),
  'association.network-acl-id': (a) => (associationsOf(world, a.networkAclId).length ? a.networkAclId : undefined),
  'entry.rule-number': (a) => a.entries.map((e) => String(e.ruleNumber)),
  'entry.rule-action': (a) => a.entries.map((e) => e.ruleAction),
  'entry.egress': (a) => a.entries.map((e) => String(e.egress)),
  'entry.protocol': (a) => a.entries.map((e) => e.protocol),
  'entry.cidr': (a) => a.entries.map((e) => e.cidrBlock ?? ''),
});

const describeNetworkAcls: Handler = (p, { world }) => {
  const ids = p.list('NetworkAclId');
  const missing = ids.filter((id) => !world.networkAcls.has(id));
  if (missing.length) throw notFound('InvalidNetworkAclID.NotFound', 'networkAcl', missing);
  const base = ids.length ? [...new Set(ids)].map((id) => world.networkAcls.get(id)!) : [...world.networkAcls.values()];
  const matched = applyFilters(base, p, naclFilters(world), (a) => world.tagsOf(a.networkAclId));
  const { page: items, next } = page(matched, p, (a) => byCreation(world, a.networkAclId));
  dryRunGate(p);
  return list('networkAclSet', items, (a) => naclXml(world, a), 'item') + nextToken(next);
};

const createNetworkAcl: Handler = (p, { world }) => {
  const vpcId = p.required('VpcId');
  if (!world.vpcs.has(vpcId)) throw notFound('InvalidVpcID.NotFound', 'vpc', [vpcId]);
  const tags = readTagSpecifications(p, 'network-acl');
  dryRunGate(p);
  const acl = createNacl(world, vpcId, false, tags);
  return node('networkAcl', naclXml(world, acl)) + el('clientToken', p.str('ClientToken'));
};

/** Protocol names EC2 accepts besides numbers; it stores and reports the number. */
const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1' };

function ruleNumber(p: Params): number {
  const raw = p.required('RuleNumber');
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 32766)) {
    throw invalidParameterValue('ruleNumber', raw, 'is invalid. The rule number must be between 1 and 32766');
  }
  return n;
}

function egressOf(p: Params): boolean {
  const egress = p.bool('Egress');
  if (egress === undefined) throw missingParameter('Egress');
  return egress;
}

/** Reads and validates a full entry (Create/ReplaceNetworkAclEntry take the same fields). */
function readEntry(p: Params): NetworkAclEntry {
  const number = ruleNumber(p);
  const egress = egressOf(p);
  const rawProtocol = p.required('Protocol').toLowerCase();
  const protocol = PROTOCOL_NUMBERS[rawProtocol] ?? rawProtocol;
  if (!(protocol === '-1' || (/^\d+$/.test(protocol) && Number(protocol) <= 255))) {
    throw invalidParameterValue('protocol', rawProtocol, 'is invalid');
  }
  const ruleAction = p.required('RuleAction');
  if (ruleAction !== 'allow' && ruleAction !== 'deny') throw invalidParameterValue('ruleAction', ruleAction, 'is invalid');
  const cidrBlock = p.str('CidrBlock');
  const ipv6CidrBlock = p.str('Ipv6CidrBlock');
  if (!cidrBlock && !ipv6CidrBlock) throw missingParameter('cidrBlock or ipv6CidrBlock');
  if (cidrBlock && !parseCidr(cidrBlock)) throw invalidParameterValue('cidrBlock', cidrBlock, 'is invalid. This is not a valid CIDR block');
  const entry: NetworkAclEntry = {
    ruleNumber: number,
    protocol,
    ruleAction,
    egress,
    ...(cidrBlock ? { cidrBlock } : {}),
    ...(ipv6CidrBlock ? { ipv6CidrBlock } : {}),
  };
  // TCP and UDP rules need a port range; EC2 ignores one given for other protocols.
  if (protocol === '6' || protocol === '17') {
    const from = p.int('PortRange.From', { min: 0, max: 65535 });
    const to = p.int('PortRange.To', { min: 0, max: 65535 });
    if (from === undefined || to === undefined) throw missingParameter('portRange');
    if (from > to) throw invalidParameterValue('portRange', `${from}-${to}`, 'is invalid: From must not exceed To');
    entry.portRange = { from, to };
  }
  return entry;
}

const entryIndex = (acl: NetworkAcl, number: number, egress: boolean) => acl.entries.findIndex((e) => e.ruleNumber === number && e.egress === egress);

const entryNotFound = (acl: NetworkAcl, number: number, egress: boolean) =>
  new ApiError('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${number} (${egress ? 'egress' : 'ingress'}) does not exist in network acl ${acl.networkAclId}`);

const createNetworkAclEntry: Handler = (p, { world }) => {
  const acl = findNacl(world, p.required('NetworkAclId'));
  const entry = readEntry(p);
  if (entryIndex(acl, entry.ruleNumber, entry.egress) >= 0) {
    throw new ApiError('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.ruleNumber} already exists.`);
  }
  dryRunGate(p);
  acl.entries.push(entry);
  world.emit({ type: 'nacl-entry', networkAclId: acl.networkAclId, change: 'created', ruleNumber: entry.ruleNumber, egress: entry.egress });
  return el('return', true);
};

const replaceNetworkAclEntry: Handler = (p, { world }) => {
  const acl = findNacl(world, p.required('NetworkAclId'));
  const entry = readEntry(p);
  const at = entryIndex(acl, entry.ruleNumber, entry.egress);
  if (at < 0) throw entryNotFound(acl, entry.ruleNumber, entry.egress);
  dryRunGate(p);
  acl.entries[at] = entry;
  world.emit({ type: 'nacl-entry', networkAclId: acl.networkAclId, change: 'replaced', ruleNumber: entry.ruleNumber, egress: entry.egress });
  return el('return', true);
};

const deleteNetworkAclEntry: Handler = (p, { world }) => {
  const acl = findNacl(world, p.required('NetworkAclId'));
  const number = ruleNumber(p);
  const egress = egressOf(p);
  const at = entryIndex(acl, number, egress);
  if (at < 0) throw entryNotFound(acl, number, egress);
  dryRunGate(p);
  acl.entries.splice(at, 1);
  world.emit({ type: 'nacl-entry', networkAclId: acl.networkAclId, change: 'deleted', ruleNumber: number, egress });
  return el('return', true);
};

/**
 * Takes the subnet's CURRENT association id (there is no disassociate: every subnet always has exactly one
 * NACL) and answers with a new one. A stale id — e.g. the one from before an earlier swap — is not found,
 * which is why rollbacks must look the current id up again.
 */
const replaceNetworkAclAssociation: Handler = (p, { world }) => {
  const associationId = p.required('AssociationId');
  const aclId = p.required('NetworkAclId');
  const current = [...world.naclAssociations.values()].find((a) => a.associationId === associationId);
  if (!current) throw new ApiError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  const acl = findNacl(world, aclId);
  const subnet = world.subnets.get(current.subnetId);
  if (subnet && subnet.vpcId !== acl.vpcId) {
    throw new ApiError('InvalidParameterValue', `Network ACL ${acl.networkAclId} and subnet ${subnet.subnetId} belong to different networks`);
  }
  dryRunGate(p);
  const assoc = world.associateNacl(current.subnetId, acl.networkAclId);
  return el('newAssociationId', assoc.associationId);
};

const deleteNetworkAcl: Handler = (p, { world }) => {
  const acl = findNacl(world, p.required('NetworkAclId'));
  if (acl.isDefault) throw new ApiError('InvalidParameterValue', `cannot delete default network ACL ${acl.networkAclId}`);
  if (associationsOf(world, acl.networkAclId).length) {
    throw new ApiError('DependencyViolation', `The networkAcl '${acl.networkAclId}' has dependencies and cannot be deleted.`);
  }
  dryRunGate(p);
  world.networkAcls.delete(acl.networkAclId);
  world.tags.delete(acl.networkAclId);
  world.emit({ type: 'nacl-deleted', networkAclId: acl.networkAclId, vpcId: acl.vpcId });
  return el('return', true);
};

export const NACL_HANDLERS: Record<string, Handler> = {
  DescribeNetworkAcls: describeNetworkAcls,
  CreateNetworkAcl: createNetworkAcl,
  CreateNetworkAclEntry: createNetworkAclEntry,
  ReplaceNetworkAclEntry: replaceNetworkAclEntry,
  DeleteNetworkAclEntry: deleteNetworkAclEntry,
  ReplaceNetworkAclAssociation: replaceNetworkAclAssociation,
  DeleteNetworkAcl: deleteNetworkAcl,
};
