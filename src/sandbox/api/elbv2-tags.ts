/**
 * ELBv2 tags on load balancers, target groups and listeners: AddTags, RemoveTags, DescribeTags. They
 * live in the World's shared tag store, keyed by ARN.
 */
import type { ApiContext } from '../context.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';
import { lbNotFound, listenerNotFound, ruleNotFound, tgNotFound } from './elbv2-common.js';

/** `Tags.member.N.Key/Value`, as CreateLoadBalancer, CreateTargetGroup and AddTags take them. */
export function readTagList(p: Params): { key: string; value: string }[] {
  const tags = p.structs('Tags.member').map((t) => ({ key: t.required('Key'), value: t.str('Value') ?? '' }));
  const keys = new Set(tags.map((t) => t.key));
  if (keys.size !== tags.length) throw new ApiError('DuplicateTagKeys', 'Tag keys must be unique');
  return tags;
}

function requireResource(ctx: ApiContext, arn: string): void {
  const w = ctx.world;
  if (arn.includes(':loadbalancer/')) {
    if (!w.loadBalancers.has(arn)) throw lbNotFound();
  } else if (arn.includes(':targetgroup/')) {
    if (!w.targetGroups.has(arn)) throw tgNotFound();
  } else if (arn.includes(':listener/')) {
    if (!w.listeners.has(arn)) throw listenerNotFound();
  } else if (arn.includes(':listener-rule/')) {
    if (!w.rules.has(arn) && ![...w.listeners.values()].some((l) => l.defaultRuleArn === arn)) throw ruleNotFound();
  } else {
    throw validationError(`'${arn}' is not a valid load balancer, target group or listener ARN`);
  }
}

function resourceArns(p: Params, ctx: ApiContext): string[] {
  const arns = p.members('ResourceArns');
  if (!arns.length) throw missingParameter('ResourceArns');
  for (const a of arns) requireResource(ctx, a);
  return arns;
}

const add: Handler = (p, ctx) => {
  const arns = resourceArns(p, ctx);
  const tags = readTagList(p);
  if (!tags.length) throw missingParameter('Tags');
  for (const a of arns) for (const t of tags) ctx.world.setTag(a, t.key, t.value);
  return '';
};

const remove: Handler = (p, ctx) => {
  const arns = resourceArns(p, ctx);
  const keys = p.members('TagKeys');
  if (!keys.length) throw missingParameter('TagKeys');
  for (const a of arns) for (const k of keys) ctx.world.deleteTag(a, k);
  return '';
};

const describe: Handler = (p, ctx) => {
  const arns = resourceArns(p, ctx);
  return list('TagDescriptions', arns, (a) => el('ResourceArn', a) + list('Tags', [...ctx.world.tagsOf(a).entries()], ([k, v]) => el('Key', k) + el('Value', v), 'member'), 'member');
};

export const ELBV2_TAG_HANDLERS: Record<string, Handler> = {
  AddTags: add,
  RemoveTags: remove,
  DescribeTags: describe,
};
