/**
 * Network ACL calls for the network fault and `recover`. AWS facts these follow (VPC user guide, EC2 API):
 * - a custom NACL denies everything in both directions until rules are added, so a fresh one IS the blackhole;
 * - every subnet always has exactly one association; ReplaceNetworkAclAssociation takes the subnet's CURRENT
 *   association id and returns a new one, so the id is looked up fresh (`association.subnet-id`) right
 *   before every swap — a cached id goes stale the moment anything else swaps the subnet;
 * - DeleteNetworkAcl fails with DependencyViolation while any subnet is still associated.
 */
import {
  CreateNetworkAclCommand,
  DeleteNetworkAclCommand,
  DescribeSubnetsCommand,
  ReplaceNetworkAclAssociationCommand,
  paginateDescribeNetworkAcls,
  type EC2Client,
  type Filter,
  type NetworkAcl,
} from '@aws-sdk/client-ec2';
import type { Phase } from '../core/errors.js';
import { awsCode, awsError, call } from './errors.js';

export const TAG_EXPERIMENT = 'chaos-ec2:experiment-id';
export const TAG_EXPIRES = 'chaos-ec2:expires-at';
export const TAG_RESTORE_PREFIX = 'chaos-ec2:restore:';

export interface NaclInfo {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  tags: Record<string, string>;
  associations: { associationId: string; subnetId: string }[];
}

function toInfo(a: NetworkAcl): NaclInfo {
  return {
    networkAclId: a.NetworkAclId ?? '',
    vpcId: a.VpcId ?? '',
    isDefault: a.IsDefault === true,
    tags: Object.fromEntries((a.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    associations: (a.Associations ?? []).map((x) => ({ associationId: x.NetworkAclAssociationId ?? '', subnetId: x.SubnetId ?? '' })),
  };
}

/** Every NACL matching the filters, all pages (MaxResults 5–1000). */
export async function describeNacls(ec2: EC2Client, filters: Filter[], phase: Phase): Promise<NaclInfo[]> {
  return call('DescribeNetworkAcls', { phase }, async () => {
    const out: NaclInfo[] = [];
    for await (const page of paginateDescribeNetworkAcls({ client: ec2, pageSize: 1000 }, { Filters: filters, MaxResults: 1000 })) {
      out.push(...(page.NetworkAcls ?? []).map(toInfo));
    }
    return out;
  });
}

export interface SubnetAssociation {
  subnetId: string;
  networkAclId: string;
  associationId: string;
  /** The NACL's tags, from the same describe (no second read: some emulators lack the network-acl-id filter). */
  naclTags: Record<string, string>;
}

/** The subnets' current associations, read fresh (never cached: association ids change on every swap). */
export async function currentAssociations(ec2: EC2Client, subnetIds: string[], phase: Phase): Promise<Map<string, SubnetAssociation>> {
  const out = new Map<string, SubnetAssociation>();
  if (subnetIds.length === 0) return out;
  const acls = await describeNacls(ec2, [{ Name: 'association.subnet-id', Values: subnetIds }], phase);
  const wanted = new Set(subnetIds);
  for (const acl of acls) {
    for (const a of acl.associations)
      if (wanted.has(a.subnetId)) out.set(a.subnetId, { subnetId: a.subnetId, networkAclId: acl.networkAclId, associationId: a.associationId, naclTags: acl.tags });
  }
  return out;
}

export interface SubnetInfo {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
}

export async function describeSubnets(ec2: EC2Client, subnetIds: string[], phase: Phase): Promise<SubnetInfo[]> {
  if (subnetIds.length === 0) return [];
  const out = await call('DescribeSubnets', { phase }, () => ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds })));
  return (out.Subnets ?? []).map((s) => ({ subnetId: s.SubnetId ?? '', vpcId: s.VpcId ?? '', availabilityZone: s.AvailabilityZone ?? '' }));
}

/**
 * Creates the chaos NACL with its undo record already on it: TagSpecifications are applied atomically with
 * the create, so there is no moment at which the NACL exists untagged (a crash can never orphan it).
 */
export async function createTaggedNacl(ec2: EC2Client, vpcId: string, tags: Record<string, string>, phase: Phase): Promise<string> {
  const out = await call('CreateNetworkAcl', { phase, target: vpcId }, () =>
    ec2.send(
      new CreateNetworkAclCommand({
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'network-acl', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
      }),
    ),
  );
  return out.NetworkAcl?.NetworkAclId ?? '';
}

export async function replaceAssociation(ec2: EC2Client, associationId: string, networkAclId: string, subnetId: string, phase: Phase): Promise<string> {
  const out = await call('ReplaceNetworkAclAssociation', { phase, target: subnetId }, () =>
    ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: associationId, NetworkAclId: networkAclId })),
  );
  return out.NewAssociationId ?? '';
}

/** Deletes a NACL; an already-deleted one counts as done (recover must be idempotent). */
export async function deleteNacl(ec2: EC2Client, networkAclId: string, phase: Phase): Promise<void> {
  try {
    await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: networkAclId }));
  } catch (err) {
    if (awsCode(err) === 'InvalidNetworkAclID.NotFound') return;
    throw awsError(err, 'DeleteNetworkAcl', { phase, target: networkAclId });
  }
}

/** The undo record on a chaos NACL: subnet id → the NACL it must go back to. */
export function restoreMapFromTags(tags: Record<string, string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(tags)) if (k.startsWith(TAG_RESTORE_PREFIX) && v) m.set(k.slice(TAG_RESTORE_PREFIX.length), v);
  return m;
}
