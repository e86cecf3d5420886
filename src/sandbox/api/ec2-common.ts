/**
 * What every EC2 handler shares: DryRun, filters, MaxResults/NextToken pages, id checks, tag sets and
 * TagSpecification parsing. EC2 answers these the same way across actions, so they live in one place.
 */
import { ipToInt } from '../world/ipv4.js';
import type { World } from '../world/world.js';
import { ApiError, dryRunOperation, invalidParameterValue, missingParameter } from './errors.js';
import { filterMatch, paginate, type PageKey, type Params } from './query.js';
import { el, list } from './xml.js';

/**
 * DryRun=true: AWS answers only after the request validated (unknown ids still fail first) and before
 * anything changes, so callers run this between validation and their first mutation.
 */
export function dryRunGate(p: Params): void {
  if (p.bool('DryRun')) throw dryRunOperation();
}

/** EC2 ids: a prefix and 8 (old style) or 17 lowercase hex digits. */
export function isEc2Id(prefix: string, id: string): boolean {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

/** "The instance ID 'i-…' does not exist" / "The instance IDs 'i-1, i-2' do not exist", as EC2 words it. */
export function notFound(code: string, noun: string, ids: string[]): ApiError {
  return ids.length === 1 ? new ApiError(code, `The ${noun} ID '${ids[0]}' does not exist`) : new ApiError(code, `The ${noun} IDs '${ids.join(', ')}' do not exist`);
}

/** Field accessors for one resource type: filter name → the value(s) that filter compares. */
export type FilterFields<T> = Record<string, (item: T) => string | string[] | undefined>;

/**
 * Applies EC2 filters: values of one filter are ORed, filters are ANDed, `*`/`?` wildcards allowed.
 * `tag:<key>`, `tag-key` and `tag-value` work on every resource with tags. An unknown filter name is a
 * client error (EC2: InvalidParameterValue "The filter 'x' is invalid").
 */
export function applyFilters<T>(items: T[], p: Params, fields: FilterFields<T>, tagsOf?: (item: T) => Map<string, string>): T[] {
  const filters = p.filters();
  for (const f of filters) {
    const tagFilter = tagsOf && (f.name.startsWith('tag:') || f.name === 'tag-key' || f.name === 'tag-value');
    if (!tagFilter && !Object.hasOwn(fields, f.name)) {
      throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
  }
  return items.filter((item) =>
    filters.every((f) => {
      let got: (string | undefined)[];
      if (tagsOf && f.name.startsWith('tag:')) got = [tagsOf(item).get(f.name.slice(4))];
      else if (tagsOf && f.name === 'tag-key') got = [...tagsOf(item).keys()];
      else if (tagsOf && f.name === 'tag-value') got = [...tagsOf(item).values()];
      else {
        const v = fields[f.name]!(item);
        got = Array.isArray(v) ? v : [v];
      }
      return f.values.some((pattern) => got.some((g) => filterMatch(pattern, g)));
    }),
  );
}

/**
 * One page of a Describe* result, in `keyOf` order. MaxResults is optional (no limit without it); its
 * range is per action (5–1000 for most). EC2 calls an unreadable token InvalidPaginationToken.
 */
export function page<T>(items: T[], p: Params, keyOf: (item: T) => PageKey, range = { min: 5, max: 1000 }): { page: T[]; next?: string } {
  const max = p.int('MaxResults', range);
  try {
    return paginate(items, p.str('NextToken'), max ?? (items.length || 1), keyOf);
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError('InvalidPaginationToken', `Invalid pagination token: ${p.str('NextToken')}`);
    throw err;
  }
}

/** Page key of an EC2 resource: its creation order, then its id. */
export function byCreation(world: World, id: string): PageKey {
  return [world.ordinal(id), id];
}

export function tagSet(world: World, resourceId: string): string {
  return list('tagSet', world.tagsOf(resourceId), ([k, v]) => el('key', k) + el('value', v), 'item');
}

/** Validates a user-supplied tag as EC2 does: the `aws:` prefix is reserved, keys ≤ 128, values ≤ 256. */
export function checkTag(key: string | undefined, value: string): string {
  if (!key) throw missingParameter('Tag.Key');
  if (key.toLowerCase().startsWith('aws:')) {
    throw new ApiError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
  }
  if (key.length > 128) throw invalidParameterValue('Tag.Key', key, 'is too long (at most 128 characters)');
  if (value.length > 256) throw invalidParameterValue('Tag.Value', value, 'is too long (at most 256 characters)');
  return key;
}

/** `Tag.N.Key` / `Tag.N.Value` under `prefix` (Value defaults to '', as EC2 stores it). */
export function readTags(p: Params, prefix = 'Tag'): [string, string][] {
  return p.structs(prefix).map((t) => {
    const value = t.str('Value') ?? '';
    return [checkTag(t.str('Key'), value), value];
  });
}

/**
 * TagSpecification.N.ResourceType + TagSpecification.N.Tag.M.*: tags applied atomically with the create.
 * A spec for another resource type is rejected, as EC2 does.
 */
export function readTagSpecifications(p: Params, resourceType: string): [string, string][] {
  const out: [string, string][] = [];
  for (const spec of p.structs('TagSpecification')) {
    const type = spec.str('ResourceType');
    if (!type) throw missingParameter('TagSpecification.ResourceType');
    if (type !== resourceType) {
      throw new ApiError('InvalidParameterValue', `'${type}' is not a valid taggable resource type for this operation.`);
    }
    out.push(...readTags(spec));
  }
  return out;
}

export function applyTags(world: World, resourceId: string, tags: [string, string][]): void {
  for (const [k, v] of tags) world.setTag(resourceId, k, v);
}

/** `<nextToken>` when there is a next page. */
export function nextToken(next: string | undefined): string {
  return el('nextToken', next);
}

/** Parses `a.b.c.d/n` into a network number and prefix length; undefined when it is not an IPv4 CIDR. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const addr = ipToInt(m.slice(1, 5).join('.'));
  const prefix = Number(m[5]);
  if (Number.isNaN(addr) || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (addr & mask) >>> 0, prefix };
}

/** True when CIDR `inner` lies entirely inside `outer`. */
export function cidrInside(inner: { base: number; prefix: number }, outer: { base: number; prefix: number }): boolean {
  if (inner.prefix < outer.prefix) return false;
  const mask = outer.prefix === 0 ? 0 : (~0 << (32 - outer.prefix)) >>> 0;
  return (inner.base & mask) >>> 0 === outer.base;
}

export function cidrOverlap(a: { base: number; prefix: number }, b: { base: number; prefix: number }): boolean {
  return cidrInside(a, b) || cidrInside(b, a);
}
