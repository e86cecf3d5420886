/**
 * What the ELBv2 handlers share: AWS's not-found errors, ARN shapes, and Marker/PageSize paging
 * (DescribeLoadBalancers, DescribeTargetGroups, DescribeListeners: PageSize 1–400, NextMarker).
 */
import { randomBytes } from 'node:crypto';
import type { ApiContext } from '../context.js';
import type { Listener, LoadBalancer, TargetGroup } from '../world/types.js';
import { ApiError, validationError } from './errors.js';
import { paginate, type PageKey, type Params } from './query.js';

export const lbNotFound = (): ApiError => new ApiError('LoadBalancerNotFound', 'One or more load balancers not found');
export const tgNotFound = (): ApiError => new ApiError('TargetGroupNotFound', 'One or more target groups not found');
export const listenerNotFound = (): ApiError => new ApiError('ListenerNotFound', 'One or more listeners not found');
export const ruleNotFound = (): ApiError => new ApiError('RuleNotFound', 'One or more rules not found');

/**
 * Keeps every target group's LoadBalancerArns true to the listeners: a load balancer is listed while one of
 * its listeners' default actions or rules forwards there (weight 0 included).
 */
export function relinkTargetGroups(ctx: ApiContext): void {
  const lbsOf = new Map<string, Set<string>>();
  const add = (tg: string, lb: string) => (lbsOf.get(tg) ?? lbsOf.set(tg, new Set()).get(tg)!).add(lb);
  for (const l of ctx.world.listeners.values()) {
    for (const a of l.defaultActions) if (a.type === 'forward') for (const g of a.targetGroups) add(g.targetGroupArn, l.loadBalancerArn);
  }
  for (const r of ctx.world.rules.values()) {
    const l = ctx.world.listeners.get(r.listenerArn);
    if (!l) continue;
    for (const a of r.actions) if (a.type === 'forward') for (const g of a.targetGroups) add(g.targetGroupArn, l.loadBalancerArn);
  }
  for (const tg of ctx.world.targetGroups.values()) tg.loadBalancerArns = [...(lbsOf.get(tg.targetGroupArn) ?? [])];
}

export function hex16(): string {
  return randomBytes(8).toString('hex');
}

export function arnPrefix(ctx: ApiContext): string {
  return `arn:aws:elasticloadbalancing:${ctx.world.region}:${ctx.world.accountId}`;
}

export function requireLb(ctx: ApiContext, arn: string): LoadBalancer {
  const lb = ctx.world.loadBalancers.get(arn);
  if (!lb) throw lbNotFound();
  return lb;
}

export function requireTg(ctx: ApiContext, arn: string): TargetGroup {
  const tg = ctx.world.targetGroups.get(arn);
  if (!tg) throw tgNotFound();
  return tg;
}

export function requireListener(ctx: ApiContext, arn: string): Listener {
  const l = ctx.world.listeners.get(arn);
  if (!l) throw listenerNotFound();
  return l;
}

/** ELBv2 reports model-constraint violations in this sentence. */
export function constraintError(value: string, field: string, constraint: string): ApiError {
  return validationError(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function intParam(p: Params, name: string, min: number, max: number): number | undefined {
  const raw = p.str(name);
  if (raw === undefined || raw === '') return undefined;
  const field = name.charAt(0).toLowerCase() + name.slice(1);
  if (!/^-?\d+$/.test(raw)) throw constraintError(raw, field, 'Member must be an integer');
  const n = Number(raw);
  if (n < min) throw constraintError(raw, field, `Member must have value greater than or equal to ${min}`);
  if (n > max) throw constraintError(raw, field, `Member must have value less than or equal to ${max}`);
  return n;
}

/** Page key of an ELBv2 resource: its creation order (create handlers number the ARN), then the ARN. */
export function byCreation(ctx: ApiContext, arn: string): PageKey {
  return [ctx.world.ordinal(arn), arn];
}

/**
 * One page by Marker/PageSize, in creation order; the result's NextMarker element when more remain.
 * The ELBv2 model declares no marker-specific error for these actions, so an unreadable Marker is the
 * service's generic input error, ValidationError (HTTP 400).
 */
export function page<T>(p: Params, ctx: ApiContext, items: T[], arnOf: (item: T) => string): { items: T[]; nextMarkerXml: string } {
  const size = intParam(p, 'PageSize', 1, 400) ?? 400;
  try {
    const { page: out, next } = paginate(items, p.str('Marker'), size, (item) => byCreation(ctx, arnOf(item)));
    return { items: out, nextMarkerXml: next ? `<NextMarker>${next}</NextMarker>` : '' };
  } catch (err) {
    if (err instanceof ApiError) throw validationError(`Invalid value '${p.str('Marker')}' for parameter Marker`);
    throw err;
  }
}

/** Names of LBs and TGs: 1–32 alphanumerics or hyphens, not starting or ending with a hyphen. */
export function checkName(kind: 'load balancer' | 'target group', name: string): void {
  if (name.length > 32) throw validationError(`The ${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw validationError(`The ${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw validationError(`The ${kind} name '${name}' cannot begin or end with a hyphen`);
  if (kind === 'load balancer' && name.startsWith('internal-')) throw validationError(`The load balancer name '${name}' cannot begin with 'internal-'`);
}
