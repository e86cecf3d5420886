/**
 * The Auto Scaling reads that describe what a real group is doing besides serving: its lifecycle hooks, its
 * instance refreshes, its scaling activities and its warm pool. Read-only; every list is read to its last page.
 * Preflight reads them to refuse runs that cannot succeed; the watcher reads activities to say why a member
 * left or why recovery is blocked.
 */
import {
  DescribeInstanceRefreshesCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import type { Phase } from '../core/errors.js';
import { call } from './errors.js';

export interface LifecycleHook {
  name: string;
  /** `autoscaling:EC2_INSTANCE_LAUNCHING` or `autoscaling:EC2_INSTANCE_TERMINATING`. */
  transition: string;
  /** Seconds an instance may wait in Pending:Wait / Terminating:Wait without a heartbeat (AWS default 3600). */
  heartbeatTimeoutSeconds: number;
  /** Seconds the whole wait may last: min(48 h, 100 × heartbeat). */
  globalTimeoutSeconds: number | undefined;
  /** CONTINUE or ABANDON: what Auto Scaling does when the heartbeat times out (AWS default ABANDON). */
  defaultResult: string;
}

export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

/** DescribeLifecycleHooks is not paginated: it returns every hook of the group (at most 50 per group). */
export async function describeLifecycleHooks(asg: AutoScalingClient, group: string, phase: Phase): Promise<LifecycleHook[]> {
  const out = await call('DescribeLifecycleHooks', { phase, target: group }, () => asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: group })));
  return (out.LifecycleHooks ?? []).map((h) => ({
    name: h.LifecycleHookName ?? '',
    transition: h.LifecycleTransition ?? '',
    heartbeatTimeoutSeconds: h.HeartbeatTimeout ?? 3600,
    globalTimeoutSeconds: h.GlobalTimeout,
    defaultResult: h.DefaultResult ?? 'ABANDON',
  }));
}

export interface InstanceRefresh {
  id: string;
  /** Pending, InProgress, Baking, Successful, Failed, Cancelling, Cancelled, RollbackInProgress, RollbackFailed, RollbackSuccessful. */
  status: string;
  statusReason?: string;
  startTime?: Date;
  percentageComplete?: number;
}

/** Statuses in which a refresh is still replacing (or about to replace, or rolling back) instances on its own. */
export const ACTIVE_REFRESH = new Set(['Pending', 'InProgress', 'Baking', 'Cancelling', 'RollbackInProgress']);

export async function describeInstanceRefreshes(asg: AutoScalingClient, group: string, phase: Phase): Promise<InstanceRefresh[]> {
  const out: InstanceRefresh[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call('DescribeInstanceRefreshes', { phase, target: group }, () =>
      asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: group, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) })),
    );
    for (const r of page.InstanceRefreshes ?? []) {
      out.push({
        id: r.InstanceRefreshId ?? '',
        status: r.Status ?? '',
        ...(r.StatusReason ? { statusReason: r.StatusReason } : {}),
        ...(r.StartTime ? { startTime: r.StartTime } : {}),
        ...(r.PercentageComplete !== undefined ? { percentageComplete: r.PercentageComplete } : {}),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

export interface ScalingActivity {
  id: string;
  description: string;
  cause: string;
  /** PendingSpotBidPlacement … PreInService, InProgress, WaitingForELBConnectionDraining, MidLifecycleAction, WaitingForInstanceWarmup, Successful, Failed, Cancelled. */
  statusCode: string;
  statusMessage?: string;
  /** Epoch ms. */
  startMs: number;
  endMs?: number;
  /** The instance the activity launched or terminated, from its Description ("…EC2 instance: i-…"). */
  instanceId?: string;
}

/** An activity in any status but these is still in progress (the group is changing on its own). */
export const FINISHED_ACTIVITY = new Set(['Successful', 'Failed', 'Cancelled']);

/**
 * Activities newest first (AWS: in-progress first, then by start time), reading pages only while they can
 * hold activities that started at or after `sinceMs` (or are still in progress); MaxRecords ≤ 100.
 */
export async function describeScalingActivities(asg: AutoScalingClient, group: string, o: { sinceMs?: number; maxPages?: number }, phase: Phase): Promise<ScalingActivity[]> {
  const out: ScalingActivity[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const page = await call('DescribeScalingActivities', { phase, target: group }, () =>
      asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) })),
    );
    pages++;
    let older = false;
    for (const a of page.Activities ?? []) {
      const startMs = a.StartTime?.getTime() ?? 0;
      const inProgress = !FINISHED_ACTIVITY.has(a.StatusCode ?? '');
      if (o.sinceMs !== undefined && startMs < o.sinceMs && !inProgress) {
        older = true;
        continue;
      }
      const instanceId = /\b(i-[0-9a-f]+)\b/.exec(a.Description ?? '')?.[1];
      out.push({
        id: a.ActivityId ?? '',
        description: a.Description ?? '',
        cause: a.Cause ?? '',
        statusCode: a.StatusCode ?? '',
        ...(a.StatusMessage ? { statusMessage: a.StatusMessage } : {}),
        startMs,
        ...(a.EndTime ? { endMs: a.EndTime.getTime() } : {}),
        ...(instanceId ? { instanceId } : {}),
      });
    }
    // Newest first: once a page reaches activities older than `sinceMs`, later pages hold only older ones.
    NextToken = older ? undefined : page.NextToken;
  } while (NextToken && pages < (o.maxPages ?? 10));
  return out;
}

export interface WarmPool {
  minSize: number;
  maxGroupPreparedCapacity?: number;
  poolState: string;
  /** Warmed instances (Warmed:Pending, Warmed:Stopped, Warmed:Running, …): not members, but the group's own. */
  instances: { instanceId: string; availabilityZone: string; lifecycleState: string }[];
}

/** The group's warm pool, or undefined when it has none. Pages through Instances (MaxRecords ≤ 50). */
export async function describeWarmPool(asg: AutoScalingClient, group: string, phase: Phase): Promise<WarmPool | undefined> {
  let pool: WarmPool | undefined;
  let NextToken: string | undefined;
  do {
    const page = await call('DescribeWarmPool', { phase, target: group }, () =>
      asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: group, MaxRecords: 50, ...(NextToken ? { NextToken } : {}) })),
    );
    const c = page.WarmPoolConfiguration;
    if (!c) return undefined;
    pool ??= {
      minSize: c.MinSize ?? 0,
      ...(c.MaxGroupPreparedCapacity !== undefined ? { maxGroupPreparedCapacity: c.MaxGroupPreparedCapacity } : {}),
      poolState: c.PoolState ?? 'Stopped',
      instances: [],
    };
    for (const i of page.Instances ?? []) pool.instances.push({ instanceId: i.InstanceId ?? '', availabilityZone: i.AvailabilityZone ?? '', lifecycleState: i.LifecycleState ?? '' });
    NextToken = page.NextToken;
  } while (NextToken);
  return pool;
}
