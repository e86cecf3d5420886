/**
 * ELBv2 listener rules: CreateRule, DescribeRules, ModifyRule, DeleteRule, SetRulePriorities.
 *
 * AWS facts modelled ("Listener rules for your Application Load Balancer":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html, and the API
 * Reference pages of each action):
 * - Rules are evaluated in priority order, lowest first (1–50000, unique per listener: PriorityInUse); the
 *   default rule, made from the listener's DefaultActions, comes last with Priority `default`,
 *   IsDefault true. It cannot be deleted, re-prioritised or modified through ModifyRule
 *   (OperationNotPermitted; its actions change through ModifyListener).
 * - Rules per listener, excluding the default one: 100 by default (TooManyRules).
 * - SetRulePriorities is all-or-nothing; rules not named keep their priority.
 */
import type { ApiContext } from '../context.js';
import type { Listener, ListenerRule } from '../world/types.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { readActions, readConditions } from './elbv2-actions.js';
import { constraintError, hex16, intParam, relinkTargetGroups, requireLb, requireListener, ruleNotFound } from './elbv2-common.js';
import { ruleXml } from './elbv2-render.js';
import { readTagList } from './elbv2-tags.js';

/** "Rules per Application Load Balancer (excluding default rules)" is 100 per listener by default. */
export const MAX_RULES_PER_LISTENER = 100;

type ShownRule = Parameters<typeof ruleXml>[0];

function priorityOf(raw: string | undefined, field = 'priority'): number {
  if (raw === undefined || raw === '') throw missingParameter('Priority');
  if (!/^\d+$/.test(raw)) throw constraintError(raw, field, 'Member must be an integer');
  const n = Number(raw);
  if (n < 1 || n > 50000) throw constraintError(raw, field, 'Member must have value between 1 and 50000');
  return n;
}

const priorityInUse = (n: number): ApiError => new ApiError('PriorityInUse', `Priority '${n}' is currently in use`);

function defaultRule(l: Listener): ShownRule {
  return { ruleArn: l.defaultRuleArn, priority: 'default', conditions: [], actions: l.defaultActions };
}

/** A listener's rules as DescribeRules lists them: by priority, the default rule last. */
export function rulesOf(ctx: ApiContext, l: Listener): ShownRule[] {
  const rules = [...ctx.world.rules.values()].filter((r) => r.listenerArn === l.listenerArn).sort((a, b) => a.priority - b.priority);
  return [...rules, defaultRule(l)];
}

function findRule(ctx: ApiContext, arn: string): { rule?: ListenerRule; listener: Listener } {
  const rule = ctx.world.rules.get(arn);
  if (rule) return { rule, listener: requireListener(ctx, rule.listenerArn) };
  const listener = [...ctx.world.listeners.values()].find((l) => l.defaultRuleArn === arn);
  if (!listener) throw ruleNotFound();
  return { listener };
}

const create: Handler = (p, ctx) => {
  const listener = requireListener(ctx, p.required('ListenerArn'));
  const lb = requireLb(ctx, listener.loadBalancerArn);
  const priority = priorityOf(p.str('Priority'));
  const conditions = readConditions(p);
  if (!conditions.length) throw validationError('A rule must have at least one condition');
  const actions = readActions(p, 'Actions.member', lb, ctx, listener.protocol === 'HTTPS');
  const tags = readTagList(p);
  const existing = [...ctx.world.rules.values()].filter((r) => r.listenerArn === listener.listenerArn);
  if (existing.some((r) => r.priority === priority)) throw priorityInUse(priority);
  if (existing.length >= MAX_RULES_PER_LISTENER) throw new ApiError('TooManyRules', `A listener can have at most ${MAX_RULES_PER_LISTENER} rules`);
  const rule: ListenerRule = {
    ruleArn: `${listener.listenerArn.replace(':listener/', ':listener-rule/')}/${hex16()}`,
    listenerArn: listener.listenerArn,
    priority,
    conditions,
    actions,
  };
  ctx.world.rules.set(rule.ruleArn, rule);
  ctx.world.ordinal(rule.ruleArn);
  for (const t of tags) ctx.world.setTag(rule.ruleArn, t.key, t.value);
  relinkTargetGroups(ctx);
  return list('Rules', [rule], ruleXml, 'member');
};

const describe: Handler = (p, ctx) => {
  const listenerArn = p.str('ListenerArn');
  const arns = p.members('RuleArns');
  if (listenerArn && arns.length) throw validationError('Rule ARNs and a listener ARN cannot be specified at the same time');
  if (!listenerArn && !arns.length) throw validationError('You must specify either listener rule ARNs or a listener ARN');
  let rules: ShownRule[];
  if (listenerArn) rules = rulesOf(ctx, requireListener(ctx, listenerArn));
  else {
    rules = arns.map((arn) => {
      const { rule, listener } = findRule(ctx, arn);
      return rule ?? defaultRule(listener);
    });
  }
  // Paged in the listed order (priority order for a listener); the Marker is the position reached.
  const size = intParam(p, 'PageSize', 1, 400) ?? 400;
  const marker = p.str('Marker');
  if (marker !== undefined && !/^r\d+$/.test(marker)) throw validationError(`Invalid value '${marker}' for parameter Marker`);
  const from = marker ? Number(marker.slice(1)) : 0;
  const items = rules.slice(from, from + size);
  const next = from + size < rules.length ? `<NextMarker>r${from + size}</NextMarker>` : '';
  return list('Rules', items, ruleXml, 'member') + next;
};

const modify: Handler = (p, ctx) => {
  const { rule, listener } = findRule(ctx, p.required('RuleArn'));
  if (!rule) throw new ApiError('OperationNotPermitted', 'The default rule cannot be modified; use ModifyListener to change its actions');
  const lb = requireLb(ctx, listener.loadBalancerArn);
  // Unspecified properties are unchanged (ModifyRule API reference).
  if (p.structs('Conditions.member').length) rule.conditions = readConditions(p);
  if (p.structs('Actions.member').length) rule.actions = readActions(p, 'Actions.member', lb, ctx, listener.protocol === 'HTTPS');
  relinkTargetGroups(ctx);
  return list('Rules', [rule], ruleXml, 'member');
};

const remove: Handler = (p, ctx) => {
  const { rule } = findRule(ctx, p.required('RuleArn'));
  if (!rule) throw new ApiError('OperationNotPermitted', 'The default rule cannot be deleted');
  ctx.world.rules.delete(rule.ruleArn);
  ctx.world.tags.delete(rule.ruleArn);
  relinkTargetGroups(ctx);
  return '';
};

function readPairs(p: Params, ctx: ApiContext): { rule: ListenerRule; priority: number }[] {
  const raw = p.structs('RulePriorities.member');
  if (!raw.length) throw missingParameter('RulePriorities');
  return raw.map((x, i) => {
    const { rule } = findRule(ctx, x.required('RuleArn'));
    if (!rule) throw new ApiError('OperationNotPermitted', 'The priority of the default rule cannot be changed');
    return { rule, priority: priorityOf(x.str('Priority'), `rulePriorities.${i + 1}.member.priority`) };
  });
}
const setPriorities: Handler = (p, ctx) => {
  const pairs = readPairs(p, ctx);
  // All or nothing: the new order is checked whole, against the rules not named (which keep theirs).
  const moved = new Map(pairs.map((x) => [x.rule.ruleArn, x.priority]));
  const byListener = new Map<string, Map<number, string>>();
  for (const r of ctx.world.rules.values()) {
    const prio = moved.get(r.ruleArn) ?? r.priority;
    const taken = byListener.get(r.listenerArn) ?? byListener.set(r.listenerArn, new Map()).get(r.listenerArn)!;
    if (taken.has(prio)) throw priorityInUse(prio);
    taken.set(prio, r.ruleArn);
  }
  for (const x of pairs) x.rule.priority = x.priority;
  return list(
    'Rules',
    pairs.map((x) => x.rule),
    ruleXml,
    'member',
  );
};

export const RULE_HANDLERS: Record<string, Handler> = {
  CreateRule: create,
  DescribeRules: describe,
  ModifyRule: modify,
  DeleteRule: remove,
  SetRulePriorities: setPriorities,
};
