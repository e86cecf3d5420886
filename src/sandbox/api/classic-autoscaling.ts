/**
 * Auto Scaling's Classic Load Balancer attachments: AttachLoadBalancers, DetachLoadBalancers,
 * DescribeLoadBalancers (the group's LoadBalancerNames), and traffic sources of type `elb` in
 * Attach/DetachTrafficSources and DescribeTrafficSources (Auto Scaling API reference; TrafficSourceIdentifier:
 * "for a Classic Load Balancer, the identifier is the name"). elbv2 traffic sources go on to the target-group
 * handlers in autoscaling-traffic.ts.
 */
import { classicNames, deregisterFromClassic, registerWithClassic } from '../autoscaling/classic-attach.js';
import type { ApiContext } from '../context.js';
import type { AutoScalingGroup } from '../world/types.js';
import { maxRecords, requireGroup } from './autoscaling-common.js';
import { attachmentState, attachTargetGroups, detachTargetGroups } from './autoscaling-traffic.js';
import { missingParameter, validationError } from './errors.js';
import { paginate, type Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';

/** CreateAutoScalingGroup / AttachLoadBalancers refuse names that are not Classic Load Balancers. */
export function checkLoadBalancerNames(ctx: ApiContext, names: string[]): void {
  if (names.some((n) => !ctx.world.classicLoadBalancers.has(n))) {
    throw validationError('Provided Load Balancers may not be valid. Please ensure they exist and try again.');
  }
}

export function attachClassic(ctx: ApiContext, g: AutoScalingGroup, names: string[]): void {
  checkLoadBalancerNames(ctx, names);
  const added = [...new Set(names)].filter((n) => !classicNames(g).includes(n));
  g.loadBalancerNames = [...classicNames(g), ...added];
  // Members already in service are registered now; later launches by the reconciler (classic-attach.ts).
  if (g.suspendedProcesses.has('AddToLoadBalancer')) return;
  for (const m of ctx.world.membersOf(g.name)) if (m.lifecycleState === 'InService') registerWithClassic(ctx.world, added, m.instanceId);
}

export function detachClassic(ctx: ApiContext, g: AutoScalingGroup, names: string[]): void {
  const removed = names.filter((n) => classicNames(g).includes(n));
  g.loadBalancerNames = classicNames(g).filter((n) => !removed.includes(n));
  for (const m of ctx.world.membersOf(g.name)) deregisterFromClassic(ctx.world, removed, m.instanceId);
}

/** Added, or InService once an instance passed the load balancer's health check (LoadBalancerState API reference). */
function classicState(ctx: ApiContext, g: AutoScalingGroup, name: string): 'Added' | 'InService' {
  const lb = ctx.world.classicLoadBalancers.get(name);
  return ctx.world.membersOf(g.name).some((m) => lb?.instances.get(m.instanceId)?.state === 'InService') ? 'InService' : 'Added';
}

function namesParam(p: Params): string[] {
  const names = p.members('LoadBalancerNames');
  if (!names.length) throw missingParameter('LoadBalancerNames');
  return names;
}

/** Traffic sources split by type; types other than elbv2 and elb are not modelled. */
function sourcesParam(p: Params): { elbv2: string[]; elb: string[] } {
  if (!p.structs('TrafficSources.member').length) throw missingParameter('TrafficSources');
  return optionalTrafficSources(p);
}

/** CreateAutoScalingGroup's optional TrafficSources, split by type (none given: both empty). */
export function optionalTrafficSources(p: Params): { elbv2: string[]; elb: string[] } {
  const sources = p.structs('TrafficSources.member');
  const out = { elbv2: [] as string[], elb: [] as string[] };
  for (const s of sources) {
    const type = s.str('Type') ?? 'elbv2';
    if (type !== 'elbv2' && type !== 'elb') throw validationError(`Traffic source type ${type} is not supported by this sandbox; use elbv2 or elb.`);
    out[type].push(s.required('Identifier'));
  }
  return out;
}

const withGroup =
  (fn: (ctx: ApiContext, g: AutoScalingGroup, p: Params) => void): Handler =>
  (p, ctx) => {
    fn(ctx, requireGroup(ctx, p.required('AutoScalingGroupName')), p);
    ctx.autoscaling.nudge();
    return '';
  };

const describeLoadBalancers: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const { page, next } = paginate(classicNames(g), p.str('NextToken'), maxRecords(p, 100, 100), (n) => [n]);
  return list('LoadBalancers', page, (n) => el('LoadBalancerName', n) + el('State', classicState(ctx, g, n)), 'member') + el('NextToken', next);
};

const describeTrafficSources: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const type = p.str('TrafficSourceType');
  const all = [
    ...(type && type !== 'elbv2' ? [] : g.targetGroupARNs.map((id) => ({ id, type: 'elbv2', state: attachmentState(ctx, g, id) }))),
    ...(type && type !== 'elb' ? [] : classicNames(g).map((id) => ({ id, type: 'elb', state: classicState(ctx, g, id) }))),
  ];
  const { page, next } = paginate(all, p.str('NextToken'), maxRecords(p, 50, 50), (s) => [s.type, ctx.world.ordinal(s.id), s.id]);
  return list('TrafficSources', page, (s) => el('TrafficSource', s.id) + el('State', s.state) + el('Identifier', s.id) + el('Type', s.type), 'member') + el('NextToken', next);
};

export const CLASSIC_ASG_HANDLERS: Record<string, Handler> = {
  AttachLoadBalancers: withGroup((ctx, g, p) => attachClassic(ctx, g, namesParam(p))),
  DetachLoadBalancers: withGroup((ctx, g, p) => detachClassic(ctx, g, namesParam(p))),
  DescribeLoadBalancers: describeLoadBalancers,
  AttachTrafficSources: withGroup((ctx, g, p) => {
    const s = sourcesParam(p);
    if (s.elbv2.length) attachTargetGroups(ctx, g, s.elbv2);
    if (s.elb.length) attachClassic(ctx, g, s.elb);
  }),
  DetachTrafficSources: withGroup((ctx, g, p) => {
    const s = sourcesParam(p);
    if (s.elbv2.length) detachTargetGroups(ctx, g, s.elbv2);
    if (s.elb.length) detachClassic(ctx, g, s.elb);
  }),
  DescribeTrafficSources: describeTrafficSources,
};
