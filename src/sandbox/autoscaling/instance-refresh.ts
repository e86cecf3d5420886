/**
 * Instance refresh (StartInstanceRefresh / DescribeInstanceRefreshes / CancelInstanceRefresh): replaces the
 * group's members in batches while keeping MinHealthyPercentage of desired healthy and warmed up.
 *
 * AWS behaviour followed (Auto Scaling user guide, "Use an instance refresh to update instances in an Auto
 * Scaling group" and "Understand the default values for an instance refresh",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/understand-instance-refresh-default-values.html;
 * API reference RefreshPreferences / InstanceRefresh):
 * - MinHealthyPercentage defaults to 90 (no instance maintenance policy), MaxHealthyPercentage to 100: an
 *   old instance is terminated first, then its replacement launched (the group's capacity refill does that);
 *   at 100 % instances are replaced one at a time;
 * - InstanceWarmup defaults to the group's DefaultInstanceWarmup, else its HealthCheckGracePeriod: a new
 *   instance counts as healthy for the refresh only once it has been InService that long;
 * - SkipMatching (default false) leaves members that already have the desired configuration alone;
 * - statuses Pending → InProgress → Successful; CancelInstanceRefresh: Cancelling → Cancelled, replacements
 *   already made stay; one refresh at a time per group;
 * - a suspended InstanceRefresh process pauses it (understand-how-suspending-processes-affects-other-processes).
 * - each member it takes out is "taken out of service in response to an instance refresh", and the launch
 *   refilling it is "launched in response to an instance refresh" (the causes of the activity history).
 * Not modelled: DesiredConfiguration, checkpoints, alarms, bake time, rollback, MaxHealthyPercentage > 100.
 */
import type { SandboxContext } from '../context.js';
import type { AsgInstance, AutoScalingGroup } from '../world/types.js';
import type { World } from '../world/world.js';
import { type AsgActions, isTerminating } from './actions.js';
import { unitsOf } from './capacity-units.js';
import { groupCauses } from './causes.js';

export type RefreshStatus = 'Pending' | 'InProgress' | 'Successful' | 'Failed' | 'Cancelling' | 'Cancelled' | 'RollbackInProgress' | 'RollbackFailed' | 'RollbackSuccessful' | 'Baking';

export interface InstanceRefresh {
  instanceRefreshId: string;
  asgName: string;
  status: RefreshStatus;
  statusReason?: string;
  startTime: Date;
  endTime?: Date;
  percentageComplete: number;
  instancesToUpdate: number;
  minHealthyPercentage: number;
  /** Seconds; undefined = the group's HealthCheckGracePeriod at the time of each check. */
  instanceWarmup?: number;
  skipMatching: boolean;
  /** Preferences members as sent (name → value), echoed back by DescribeInstanceRefreshes. */
  preferences: Map<string, string>;
  /** Members still to be replaced, and how many there were to begin with. */
  toReplace: Set<string>;
  total: number;
}

/** Statuses during which the refresh still acts (another StartInstanceRefresh is refused). */
export const ACTIVE_REFRESH: ReadonlySet<RefreshStatus> = new Set(['Pending', 'InProgress', 'Cancelling', 'Baking', 'RollbackInProgress']);

const stores = new WeakMap<World, InstanceRefresh[]>();

/** Every refresh of every group in this world, oldest first. */
export function refreshesOf(world: World): InstanceRefresh[] {
  let list = stores.get(world);
  if (!list) stores.set(world, (list = []));
  return list;
}

export function activeRefresh(world: World, asgName: string): InstanceRefresh | undefined {
  return refreshesOf(world).find((r) => r.asgName === asgName && ACTIVE_REFRESH.has(r.status));
}

/** A member already launched from the group's current launch template and an instance type it allows. */
function matchesGroup(asg: AutoScalingGroup, m: AsgInstance): boolean {
  const lt = asg.launchTemplate;
  const sameTemplate = m.launchTemplate?.launchTemplateId === lt?.launchTemplateId && m.launchTemplate?.version === lt?.version;
  const types = asg.mixedInstancesPolicy?.overrides.map((o) => o.instanceType) ?? [asg.instanceType];
  return sameTemplate && types.includes(m.instanceType);
}

export function startRefresh(
  world: World,
  asg: AutoScalingGroup,
  prefs: { minHealthyPercentage: number; instanceWarmup?: number; skipMatching: boolean; raw: Map<string, string> },
): InstanceRefresh {
  const members = world.membersOf(asg.name).filter((m) => !isTerminating(m) && m.lifecycleState !== 'Standby');
  const toReplace = new Set(members.filter((m) => !(prefs.skipMatching && matchesGroup(asg, m))).map((m) => m.instanceId));
  const refresh: InstanceRefresh = {
    instanceRefreshId: world.newRequestId(),
    asgName: asg.name,
    status: 'Pending',
    startTime: new Date(world.now()),
    percentageComplete: 0,
    instancesToUpdate: toReplace.size,
    minHealthyPercentage: prefs.minHealthyPercentage,
    ...(prefs.instanceWarmup !== undefined ? { instanceWarmup: prefs.instanceWarmup } : {}),
    skipMatching: prefs.skipMatching,
    preferences: prefs.raw,
    toReplace,
    total: toReplace.size,
  };
  world.ordinal(refresh.instanceRefreshId);
  refreshesOf(world).push(refresh);
  return refresh;
}

function finish(world: World, r: InstanceRefresh, status: RefreshStatus, reason?: string): void {
  r.status = status;
  r.endTime = new Date(world.now());
  if (reason) r.statusReason = reason;
  else delete r.statusReason;
}

/**
 * One step of the group's active refresh (called from every reconcile pass, before capacity is fixed).
 * Returns how many members it took out of service: the launches that refill them are the refresh's own.
 */
export function tickRefresh(ctx: SandboxContext, actions: AsgActions, asg: AutoScalingGroup): number {
  const { world } = ctx;
  const r = activeRefresh(world, asg.name);
  if (!r || asg.suspendedProcesses.has('InstanceRefresh')) return 0;
  if (r.status === 'Cancelling') {
    finish(world, r, 'Cancelled', 'Cancelled due to user request.');
    return 0;
  }
  if (r.status === 'Pending') r.status = 'InProgress';
  const now = world.now();
  const warmupMs = (r.instanceWarmup ?? asg.healthCheckGracePeriod) * 1000;
  const members = world.membersOf(asg.name);
  // Members lost to something else (a health replacement, a scale-in) no longer need replacing.
  for (const id of r.toReplace) if (!members.some((m) => m.instanceId === id && !isTerminating(m))) r.toReplace.delete(id);
  const startMs = r.startTime.getTime();
  const warming = members.filter((m) => m.lifecycleState === 'InService' && m.launchedAt >= startMs && now - m.launchedAt < warmupMs);
  const ready = members.filter((m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy' && !warming.includes(m));
  const inFlight = members.filter((m) => isTerminating(m) || m.lifecycleState.startsWith('Pending')).length + warming.length + actions.waitingIn(asg.name).length;
  // Desired is in units (weighted groups), so is the healthy floor.
  const minHealthy = Math.ceil((asg.desiredCapacity * r.minHealthyPercentage) / 100);
  // Replace as many as keeps MinHealthyPercentage of desired ready; with nothing in flight, at least one
  // (at 100 % the refresh goes one instance at a time).
  let room = ready.reduce((sum, m) => sum + unitsOf(m), 0) - minHealthy;
  let terminated = 0;
  for (const m of members) {
    if (!r.toReplace.has(m.instanceId) || m.lifecycleState !== 'InService') continue;
    const firstOfIdleRefresh = inFlight === 0 && terminated === 0;
    if (unitsOf(m) > room && !firstOfIdleRefresh) continue;
    r.toReplace.delete(m.instanceId);
    actions.terminate(asg, m, groupCauses.refreshTerminate(now, m.instanceId));
    room -= unitsOf(m);
    terminated++;
  }
  r.instancesToUpdate = r.toReplace.size;
  const started = r.total - r.toReplace.size;
  r.percentageComplete = r.total ? Math.floor((100 * Math.max(0, started - inFlight)) / r.total) : 100;
  if (warming[0]) r.statusReason = `Waiting for instances to warm up before continuing. For example: ${warming[0].instanceId} is warming up.`;
  else delete r.statusReason;
  if (r.toReplace.size === 0 && inFlight === 0 && terminated === 0) {
    r.percentageComplete = 100;
    finish(world, r, 'Successful');
  }
  return terminated;
}
