/**
 * A group's processes and its load-balancer attachments: SuspendProcesses, ResumeProcesses,
 * Attach/DetachLoadBalancerTargetGroups, Attach/DetachTrafficSources, DescribeLoadBalancerTargetGroups,
 * DescribeTrafficSources. Target groups are the only traffic source type the sandbox models (elbv2).
 */
import type { ApiContext } from '../context.js';
import type { AutoScalingGroup } from '../world/types.js';
import { maxRecords, requireGroup, SCALING_PROCESSES, suspensionReason } from './autoscaling-common.js';
import { deregisterEverywhere } from './elbv2-draining.js';
import { missingParameter, validationError } from './errors.js';
import { paginate, type Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';

function processNames(p: Params): string[] {
  const names = p.members('ScalingProcesses');
  const bad = names.filter((n) => !(SCALING_PROCESSES as readonly string[]).includes(n));
  if (bad.length) throw validationError(`Invalid processes: [${bad.join(', ')}]`);
  // None given means every process (SuspendProcesses / ResumeProcesses API reference).
  return names.length ? names : [...SCALING_PROCESSES];
}

const suspend: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const reason = suspensionReason(ctx.world.now());
  // Already-suspended processes keep their original reason.
  for (const name of processNames(p)) if (!g.suspendedProcesses.has(name)) g.suspendedProcesses.set(name, reason);
  ctx.autoscaling.nudge();
  return '';
};

const resume: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  for (const name of processNames(p)) g.suspendedProcesses.delete(name);
  ctx.autoscaling.nudge();
  return '';
};

function checkArns(ctx: ApiContext, arns: string[]): void {
  const bad = arns.filter((a) => !ctx.world.targetGroups.has(a));
  if (bad.length) throw validationError(`Provided Target Groups may not be valid. Please ensure they exist and try again. [${bad.join(', ')}]`);
}

function attach(ctx: ApiContext, g: AutoScalingGroup, arns: string[]): void {
  checkArns(ctx, arns);
  const added = arns.filter((a) => !g.targetGroupARNs.includes(a));
  g.targetGroupARNs.push(...new Set(added));
  // Instances already in service are registered now; later launches are registered by the reconciler
  // before they go InService. A suspended AddToLoadBalancer process skips this, as in AWS.
  if (g.suspendedProcesses.has('AddToLoadBalancer')) return;
  for (const arn of new Set(added)) {
    const tg = ctx.world.targetGroups.get(arn)!;
    for (const m of ctx.world.membersOf(g.name)) {
      if (m.lifecycleState === 'InService') ctx.world.registerTarget(arn, m.instanceId, tg.port, m.availabilityZone);
    }
  }
}

function detach(ctx: ApiContext, g: AutoScalingGroup, arns: string[]): void {
  const removed = arns.filter((a) => g.targetGroupARNs.includes(a));
  g.targetGroupARNs = g.targetGroupARNs.filter((a) => !removed.includes(a));
  for (const m of ctx.world.membersOf(g.name)) deregisterEverywhere(ctx, removed, m.instanceId);
}

function targetGroupArnsParam(p: Params): string[] {
  const arns = p.members('TargetGroupARNs');
  if (!arns.length) throw missingParameter('TargetGroupARNs');
  return arns;
}

/** elbv2 traffic sources are target-group ARNs; other types (vpc-lattice, elb) are not modelled. */
function trafficSourceArns(p: Params): string[] {
  const sources = p.structs('TrafficSources.member');
  if (!sources.length) throw missingParameter('TrafficSources');
  return sources.map((s) => {
    const type = s.str('Type') ?? 'elbv2';
    if (type !== 'elbv2') throw validationError(`Traffic source type ${type} is not supported by this sandbox; use elbv2.`);
    return s.required('Identifier');
  });
}

/**
 * Added: every instance is registered. InService: with ELB health checks, at least one instance passed
 * one (LoadBalancerTargetGroupState API reference).
 */
function attachmentState(ctx: ApiContext, g: AutoScalingGroup, arn: string): 'Added' | 'InService' {
  if (g.healthCheckType !== 'ELB') return 'Added';
  const regs = ctx.world.targets.get(arn);
  const healthy = ctx.world.membersOf(g.name).some((m) => regs?.get(m.instanceId)?.state === 'healthy');
  return healthy ? 'InService' : 'Added';
}

const nextTokenXml = (next: string | undefined): string => (next ? `<NextToken>${next}</NextToken>` : '');

const describeTargetGroups: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const { page, next } = paginate(g.targetGroupARNs, p.str('NextToken'), maxRecords(p, 100, 100), (arn) => [ctx.world.ordinal(arn), arn]);
  return list('LoadBalancerTargetGroups', page, (arn) => el('LoadBalancerTargetGroupARN', arn) + el('State', attachmentState(ctx, g, arn)), 'member') + nextTokenXml(next);
};

const describeTrafficSources: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const type = p.str('TrafficSourceType');
  const arns = type && type !== 'elbv2' ? [] : g.targetGroupARNs;
  const { page, next } = paginate(arns, p.str('NextToken'), maxRecords(p, 50, 50), (arn) => [ctx.world.ordinal(arn), arn]);
  return (
    list('TrafficSources', page, (arn) => el('TrafficSource', arn) + el('State', attachmentState(ctx, g, arn)) + el('Identifier', arn) + el('Type', 'elbv2'), 'member') + nextTokenXml(next)
  );
};

const withGroup =
  (fn: (ctx: ApiContext, g: AutoScalingGroup, arns: string[]) => void, read: (p: Params) => string[]): Handler =>
  (p, ctx) => {
    const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
    fn(ctx, g, read(p));
    ctx.autoscaling.nudge();
    return '';
  };

// For the Classic Load Balancer handlers (classic-autoscaling.ts), which take over the traffic-source actions.
export { attach as attachTargetGroups, detach as detachTargetGroups, attachmentState };

export const TRAFFIC_HANDLERS: Record<string, Handler> = {
  SuspendProcesses: suspend,
  ResumeProcesses: resume,
  AttachLoadBalancerTargetGroups: withGroup(attach, targetGroupArnsParam),
  DetachLoadBalancerTargetGroups: withGroup(detach, targetGroupArnsParam),
  AttachTrafficSources: withGroup(attach, trafficSourceArns),
  DetachTrafficSources: withGroup(detach, trafficSourceArns),
  DescribeLoadBalancerTargetGroups: describeTargetGroups,
  DescribeTrafficSources: describeTrafficSources,
};
