/**
 * CreateTags / DeleteTags / DescribeTags on any EC2 resource of the world. chaos-ec2 tags the NACLs it
 * creates with its undo record, so these must work on NACLs exactly as on instances.
 */
import type { World } from '../world/world.js';
import { ApiError, missingParameter } from './errors.js';
import { applyFilters, checkTag, dryRunGate, nextToken, notFound, page } from './ec2-common.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';

/** Resource id prefix → how to find it, its DescribeTags type, and EC2's not-found code and noun. */
const RESOURCE_KINDS: { prefix: string; type: string; code: string; noun: string; exists: (w: World, id: string) => boolean }[] = [
  { prefix: 'i-', type: 'instance', code: 'InvalidInstanceID.NotFound', noun: 'instance', exists: (w, id) => w.instances.has(id) },
  { prefix: 'subnet-', type: 'subnet', code: 'InvalidSubnetID.NotFound', noun: 'subnet', exists: (w, id) => w.subnets.has(id) },
  { prefix: 'vpc-', type: 'vpc', code: 'InvalidVpcID.NotFound', noun: 'vpc', exists: (w, id) => w.vpcs.has(id) },
  { prefix: 'acl-', type: 'network-acl', code: 'InvalidNetworkAclID.NotFound', noun: 'networkAcl', exists: (w, id) => w.networkAcls.has(id) },
  {
    prefix: 'lt-',
    type: 'launch-template',
    code: 'InvalidLaunchTemplateId.NotFound',
    noun: 'launch template',
    exists: (w, id) => w.launchTemplates.has(id),
  },
];

function kindOf(id: string) {
  return RESOURCE_KINDS.find((k) => id.startsWith(k.prefix));
}

/** Every id must name an existing resource; the first unknown one fails the whole call, before any change. */
function resolveResources(world: World, p: Params): string[] {
  const ids = p.list('ResourceId');
  if (!ids.length) throw missingParameter('ResourceId');
  for (const id of ids) {
    const kind = kindOf(id);
    if (!kind) throw new ApiError('InvalidID', `The ID '${id}' is not valid`);
    if (!kind.exists(world, id)) throw notFound(kind.code, kind.noun, [id]);
  }
  return ids;
}

/** EC2 allows 50 user tags per resource; `aws:` tags don't count. */
const MAX_TAGS = 50;

const createTags: Handler = (p, { world }) => {
  const ids = resolveResources(world, p);
  const tags = p.structs('Tag').map((t) => [checkTag(t.str('Key'), t.str('Value') ?? ''), t.str('Value') ?? ''] as const);
  if (!tags.length) throw missingParameter('Tag');
  for (const id of ids) {
    const keys = new Set([...world.tagsOf(id).keys()].filter((k) => !k.startsWith('aws:')));
    for (const [k] of tags) keys.add(k);
    if (keys.size > MAX_TAGS) throw new ApiError('TagLimitExceeded', `The maximum number of tags (${MAX_TAGS}) for resource '${id}' has been reached.`);
  }
  dryRunGate(p);
  for (const id of ids) for (const [k, v] of tags) world.setTag(id, k, v);
  return el('return', true);
};

/**
 * Without Tag.N every user tag goes; a Tag.N without Value deletes the key whatever its value, with a
 * Value (even '') only when it matches. `aws:` tags can't be deleted by users.
 */
const deleteTags: Handler = (p, { world }) => {
  const ids = resolveResources(world, p);
  const tags = p.structs('Tag').map((t) => {
    const key = t.str('Key');
    if (!key) throw missingParameter('Tag.Key');
    if (key.toLowerCase().startsWith('aws:')) {
      throw new ApiError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    }
    return { key, value: t.str('Value') };
  });
  dryRunGate(p);
  for (const id of ids) {
    const targets = tags.length ? tags : [...world.tagsOf(id).keys()].filter((k) => !k.startsWith('aws:')).map((key) => ({ key, value: undefined }));
    for (const t of targets) world.deleteTag(id, t.key, t.value);
  }
  return el('return', true);
};

interface TagRow {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
}

const describeTags: Handler = (p, { world }) => {
  const rows: TagRow[] = [];
  for (const [resourceId, tags] of world.tags) {
    const kind = kindOf(resourceId);
    if (!kind || !kind.exists(world, resourceId)) continue; // ELBv2 ARNs share the store; not EC2 resources
    for (const [key, value] of tags) rows.push({ resourceId, resourceType: kind.type, key, value });
  }
  rows.sort((a, b) => a.resourceId.localeCompare(b.resourceId) || a.key.localeCompare(b.key));
  const matched = applyFilters(rows, p, {
    'resource-id': (r) => r.resourceId,
    'resource-type': (r) => r.resourceType,
    key: (r) => r.key,
    value: (r) => r.value,
  });
  const { page: items, next } = page(matched, p, (r) => [r.resourceId, r.key]);
  dryRunGate(p);
  return list('tagSet', items, (r) => el('resourceId', r.resourceId) + el('resourceType', r.resourceType) + el('key', r.key) + el('value', r.value), 'item') + nextToken(next);
};

export const TAG_HANDLERS: Record<string, Handler> = {
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};
