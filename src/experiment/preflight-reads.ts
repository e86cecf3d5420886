/**
 * Preflight's AWS reads (read-only): lifecycle hooks, instance refreshes, scaling activities in progress, and
 * the health-check settings of every target group (or Classic Load Balancer) the group registers with.
 *
 * An endpoint that does not implement one of these calls (an emulator answering InvalidAction) leaves that
 * check undone with a warning in the plan, instead of refusing every run there: AWS implements them all, so
 * against AWS nothing is ever skipped. Any other failure (permissions, throttling) is an AWS error, exit 5.
 */
import {
  FINISHED_ACTIVITY,
  describeInstanceRefreshes,
  describeLifecycleHooks,
  describeScalingActivities,
  type InstanceRefresh,
  type LifecycleHook,
  type ScalingActivity,
} from '../aws/autoscaling-reads.js';
import type { AwsClients } from '../aws/clients.js';
import { describeClassicLoadBalancers } from '../aws/elb-classic.js';
import { describeTargetGroups } from '../aws/elbv2.js';
import { awsCode } from '../aws/errors.js';
import { ChaosError } from '../core/errors.js';
import type { HealthCheckTiming } from '../faults/types.js';
import type { Discovery } from './discover.js';

export interface PreflightReads {
  hooks?: LifecycleHook[];
  refreshes?: InstanceRefresh[];
  /** Activities still in progress (any status but Successful, Failed, Cancelled). */
  activities?: ScalingActivity[];
  checks: HealthCheckTiming[];
  /** Calls the endpoint does not implement: their checks were not made. */
  unsupported: string[];
}

/** What an endpoint answers for an action it does not implement (AWS query APIs; some emulators). */
const UNSUPPORTED = new Set(['InvalidAction', 'UnknownOperationException', 'NotImplemented', 'NotImplementedException']);

async function unlessUnsupported<T>(action: string, unsupported: string[], read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    const code = awsCode(err instanceof ChaosError ? err.cause : err);
    if (!UNSUPPORTED.has(code)) throw err;
    unsupported.push(action);
    return undefined;
  }
}

export async function readPreflight(clients: AwsClients, d: Discovery, now: number): Promise<PreflightReads> {
  const group = d.group.name;
  const unsupported: string[] = [];
  const hooks = await unlessUnsupported('DescribeLifecycleHooks', unsupported, () => describeLifecycleHooks(clients.asg, group, 'plan'));
  const refreshes = await unlessUnsupported('DescribeInstanceRefreshes', unsupported, () => describeInstanceRefreshes(clients.asg, group, 'plan'));
  // In-progress activities come first (AWS sorts them ahead of the finished ones): one page holds them.
  const activities = await unlessUnsupported('DescribeScalingActivities', unsupported, () => describeScalingActivities(clients.asg, group, { sinceMs: now, maxPages: 1 }, 'plan'));
  return {
    ...(hooks ? { hooks } : {}),
    ...(refreshes ? { refreshes } : {}),
    ...(activities ? { activities: activities.filter((a) => !FINISHED_ACTIVITY.has(a.statusCode)) } : {}),
    checks: await healthCheckTimings(clients, d),
    unsupported,
  };
}

async function healthCheckTimings(clients: AwsClients, d: Discovery): Promise<HealthCheckTiming[]> {
  const typeOf = new Map(d.loadBalancers.map((l) => [l.arn, l.type]));
  const tgs = await describeTargetGroups(
    clients.elb,
    d.targetGroups.map((t) => t.arn),
    'plan',
  );
  const out: HealthCheckTiming[] = tgs.map((t) => ({
    name: t.TargetGroupName ?? t.TargetGroupArn ?? '',
    intervalMs: (t.HealthCheckIntervalSeconds ?? 30) * 1000,
    healthyThreshold: t.HealthyThresholdCount ?? 5,
    unhealthyThreshold: t.UnhealthyThresholdCount ?? 2,
    nlb: (t.LoadBalancerArns ?? []).some((arn) => typeOf.get(arn) === 'network') || ['TCP', 'UDP', 'TLS', 'TCP_UDP'].includes(t.Protocol ?? ''),
  }));
  const classic = d.loadBalancers.filter((l) => l.type === 'classic').map((l) => l.name);
  if (classic.length) {
    for (const lb of await describeClassicLoadBalancers(clients.elbClassic, classic, 'plan')) {
      const h = lb.HealthCheck;
      out.push({
        name: lb.LoadBalancerName ?? '',
        intervalMs: (h?.Interval ?? 30) * 1000,
        healthyThreshold: h?.HealthyThreshold ?? 10,
        unhealthyThreshold: h?.UnhealthyThreshold ?? 2,
        nlb: false,
      });
    }
  }
  return out;
}
