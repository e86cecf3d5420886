/**
 * Auto Scaling group tags: CreateOrUpdateTags, DeleteTags, DescribeTags. Tags live on the group record
 * (with PropagateAtLaunch), which is what the reconciler copies onto the instances it launches.
 */
import { ApiError, validationError } from './errors.js';
import { paginate, type Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { tagDescriptionXml } from './autoscaling-render.js';
import { maxRecords, requireGroup } from './autoscaling-common.js';

export interface TagInput {
  resourceId: string;
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

/** `Tags.member.N.*`; on CreateAutoScalingGroup the ResourceId defaults to the new group's name. */
export function readTags(p: Params, defaultResourceId?: string): TagInput[] {
  return p.structs('Tags.member').map((t) => {
    const key = t.str('Key');
    if (!key) throw validationError('Tag key must not be empty.');
    const resourceType = t.str('ResourceType');
    if (resourceType && resourceType !== 'auto-scaling-group') {
      throw validationError(`Invalid resource type: ${resourceType}. Valid values are: auto-scaling-group`);
    }
    const resourceId = t.str('ResourceId') || defaultResourceId;
    if (!resourceId) throw validationError('ResourceId must be specified for each tag.');
    return { resourceId, key, value: t.str('Value') ?? '', propagateAtLaunch: t.bool('PropagateAtLaunch') ?? false };
  });
}

/**
 * "You can add up to 50 tags to each Auto Scaling group" (Auto Scaling user guide, "Tag Auto Scaling groups
 * and instances"); beyond it CreateOrUpdateTags answers LimitExceeded, 400 (API reference, CreateOrUpdateTags).
 * Overwriting an existing key does not count as a new tag.
 */
export const MAX_GROUP_TAGS = 50;

const createOrUpdate: Handler = (p, ctx) => {
  const tags = readTags(p);
  // Validate every group first, so a bad id (or a full group) changes nothing.
  for (const t of tags) requireGroup(ctx, t.resourceId);
  for (const name of new Set(tags.map((t) => t.resourceId))) {
    const g = requireGroup(ctx, name);
    const keys = new Set([...g.tags.keys(), ...tags.filter((t) => t.resourceId === name).map((t) => t.key)]);
    if (keys.size > MAX_GROUP_TAGS) throw new ApiError('LimitExceeded', `The Auto Scaling group ${name} would have ${keys.size} tags; the maximum is ${MAX_GROUP_TAGS}.`);
  }
  for (const t of tags) requireGroup(ctx, t.resourceId).tags.set(t.key, { value: t.value, propagateAtLaunch: t.propagateAtLaunch });
  return '';
};

const remove: Handler = (p, ctx) => {
  const tags = readTags(p);
  for (const t of tags) requireGroup(ctx, t.resourceId);
  for (const t of tags) requireGroup(ctx, t.resourceId).tags.delete(t.key);
  return '';
};

const FILTERS = ['auto-scaling-group', 'key', 'value', 'propagate-at-launch'];

const describe: Handler = (p, ctx) => {
  const filters = p.structs('Filters.member').map((f) => ({ name: f.required('Name'), values: f.members('Values') }));
  for (const f of filters) {
    if (!FILTERS.includes(f.name)) throw validationError(`Filter type ${f.name} is not correct. Allowed Filter types are: ${FILTERS.join(' ')}`);
  }
  const rows: { group: string; key: string; value: string; propagateAtLaunch: boolean }[] = [];
  for (const g of [...ctx.world.asgs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const [key, t] of [...g.tags.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      rows.push({ group: g.name, key, value: t.value, propagateAtLaunch: t.propagateAtLaunch });
    }
  }
  const field = { 'auto-scaling-group': 'group', key: 'key', value: 'value', 'propagate-at-launch': 'propagateAtLaunch' } as const;
  const matching = rows.filter((r) => filters.every((f) => f.values.includes(String(r[field[f.name as keyof typeof field]]))));
  const { page, next } = paginate(matching, p.str('NextToken'), maxRecords(p, 100, 50), (r) => [r.group, r.key]);
  return list('Tags', page, (r) => tagDescriptionXml(r.group, r.key, r), 'member') + (next ? `<NextToken>${next}</NextToken>` : '');
};

export const TAG_HANDLERS: Record<string, Handler> = {
  CreateOrUpdateTags: createOrUpdate,
  DeleteTags: remove,
  DescribeTags: describe,
};
