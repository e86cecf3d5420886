/**
 * The Auto Scaling engine: every asgTickMs it looks at each group and moves it toward its desired state —
 * health checks, replacement of unhealthy members, and capacity — skipping what suspended processes forbid.
 *
 * AWS behaviour followed (AWS-BEHAVIOUR.md, Auto Scaling user guide):
 * - EC2 health check: an instance that left `running` (stopping, stopped, shutting-down, terminated) is
 *   Unhealthy (after an undocumented detection delay, asgDetectMs), even inside the grace period; a stopped
 *   member is then terminated and replaced like a terminated one. Started again before that, it stays.
 *   ELB health check (HealthCheckType ELB): an unhealthy target in
 *   any of the group's target groups marks it Unhealthy once past HealthCheckGracePeriod.
 * - Replacement terminates first, then launches; at most ~10 % of desired (at least 1) at a time.
 * - New instances go to the enabled AZ with the fewest instances — even one a NACL has blackholed, since a
 *   NACL does not make launches fail.
 * - Capacity is counted in units: each member's WeightedCapacity (1 without weights), launches and scale-in
 *   planned by autoscaling/capacity-units.ts. Each pass first runs due scheduled actions, then steps an
 *   instance refresh (autoscaling/scheduled-actions.ts, instance-refresh.ts).
 */
import { ApiError } from './api/errors.js';
import { AsgActions, isTerminating } from './autoscaling/actions.js';
import { causes, groupCauses } from './autoscaling/causes.js';
import { planLaunches, planScaleIn, unitsOf } from './autoscaling/capacity-units.js';
import { classicHealthProblem } from './autoscaling/classic-attach.js';
import { recordDesiredChange } from './autoscaling/desired.js';
import { tickRefresh } from './autoscaling/instance-refresh.js';
import { runDueActions } from './autoscaling/scheduled-actions.js';
import type { AutoScalingApi, SandboxContext } from './context.js';
import type { AsgInstance, AutoScalingGroup, ScalingActivity } from './world/types.js';

export class Reconciler implements AutoScalingApi {
  readonly actions: AsgActions;
  /** instanceId → when it was first seen out of `running` (for the EC2 health check's detection delay). */
  private readonly leftRunningAt = new Map<string, number>();
  /** Per group: launches still owed to replacements (they get the replacement Cause). */
  private readonly replacementsOwed = new Map<string, number>();
  /** Per group: launches still owed to members an instance refresh took out (they get the refresh's Cause). */
  private readonly refreshOwed = new Map<string, number>();
  /**
   * Per group: the Cause sentence of the last desired change (a scheduled action), which AWS puts before the
   * cause of each launch or termination that follows from it; dropped once capacity has been acted on.
   */
  private readonly desiredCause = new Map<string, string>();
  private unsubscribe: (() => void) | undefined;
  private nudged = false;
  private stopped = false;

  constructor(readonly ctx: SandboxContext) {
    this.actions = new AsgActions(ctx);
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.ctx.world.subscribe((e) => {
      if (e.type !== 'instance-state') return;
      if (e.from === 'running' || (e.from === 'pending' && e.to !== 'running')) this.leftRunningAt.set(e.instanceId, e.atMs);
      // Started again (StartInstances) before the group acted: the EC2 check passes again and the member
      // stays; only a member already marked Unhealthy is replaced (EC2 health checks, Auto Scaling user guide).
      else if (e.from !== null && (e.to === 'pending' || e.to === 'running')) this.leftRunningAt.delete(e.instanceId);
      if (e.to === 'running' || e.to === 'terminated') this.nudge();
    });
    this.ctx.timers.every(this.ctx.timings.asgTickMs, () => this.pass());
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  nudge(): void {
    if (this.nudged || this.stopped) return;
    this.nudged = true;
    setImmediate(() => {
      this.nudged = false;
      if (!this.stopped && !this.ctx.timers.isClosed) this.pass();
    });
  }

  /** One reconcile pass over every group. */
  pass(): void {
    for (const asg of this.ctx.world.asgs.values()) this.reconcile(asg);
  }

  terminateInGroup(instanceId: string, shouldDecrementDesiredCapacity: boolean): ScalingActivity {
    const { world } = this.ctx;
    const member = world.asgInstances.get(instanceId);
    const asg = member && world.asgs.get(member.asgName);
    if (!member || !asg) {
      throw new ApiError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${instanceId}`);
    }
    const existing = this.actions.terminateActivity.get(instanceId);
    if (existing && isTerminating(member)) return existing;
    const now = world.now();
    let shrink: { from: number; to: number } | undefined;
    if (shouldDecrementDesiredCapacity) {
      if (asg.desiredCapacity - 1 < asg.minSize) {
        throw new ApiError(
          'ValidationError',
          `Currently, desiredSize equals minSize (${asg.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
        );
      }
      shrink = { from: asg.desiredCapacity, to: asg.desiredCapacity - 1 };
      asg.desiredCapacity -= 1;
    }
    const activity = this.actions.terminate(asg, member, causes.userTerminate(now, instanceId, shrink));
    if (shrink) recordDesiredChange(world, asg, shrink.from, activity.cause);
    this.nudge();
    return activity;
  }

  private reconcile(asg: AutoScalingGroup): void {
    const { world } = this.ctx;
    const suspended = (p: string) => asg.suspendedProcesses.has(p);
    const scheduled = runDueActions(this.ctx, asg);
    if (scheduled) this.desiredCause.set(asg.name, scheduled);
    for (const m of world.membersOf(asg.name)) {
      if (isTerminating(m)) this.actions.completeTerminate(m);
      else if (m.lifecycleState === 'Pending') this.actions.completeLaunch(asg, m);
    }
    const members = world.membersOf(asg.name);
    if (!suspended('HealthCheck')) for (const m of members) this.checkHealth(asg, m);
    if (!suspended('ReplaceUnhealthy') && !suspended('Terminate')) this.replaceUnhealthy(asg, members);
    const refreshed = tickRefresh(this.ctx, this.actions, asg);
    if (refreshed) this.refreshOwed.set(asg.name, (this.refreshOwed.get(asg.name) ?? 0) + refreshed);
    this.fixCapacity(asg);
  }

  private checkHealth(asg: AutoScalingGroup, m: AsgInstance): void {
    const { world, timings } = this.ctx;
    if (m.healthStatus === 'Unhealthy' || isTerminating(m) || m.lifecycleState === 'Standby') return;
    const now = world.now();
    const inst = world.instances.get(m.instanceId);
    if (!inst || (inst.state !== 'running' && inst.state !== 'pending')) {
      // The EC2 health check ignores the grace period: a stopped or terminated instance is never healthy.
      let since = this.leftRunningAt.get(m.instanceId);
      if (since === undefined) this.leftRunningAt.set(m.instanceId, (since = now));
      if (now - since >= timings.asgDetectMs) {
        world.setAsgHealth(m, 'Unhealthy', `EC2 health check: instance is ${inst?.state ?? 'gone'}`);
      }
      return;
    }
    if (asg.healthCheckType !== 'ELB' || m.lifecycleState !== 'InService') return;
    if (now - m.launchedAt < asg.healthCheckGracePeriod * 1000) return;
    for (const tgArn of asg.targetGroupARNs) {
      const reg = world.targets.get(tgArn)?.get(m.instanceId);
      if (reg?.state === 'unhealthy') {
        world.setAsgHealth(m, 'Unhealthy', `ELB health check: target is unhealthy (${reg.reason ?? 'unknown'})`);
        return;
      }
    }
    const classic = classicHealthProblem(world, asg, m.instanceId);
    if (classic) world.setAsgHealth(m, 'Unhealthy', classic);
  }

  private replaceUnhealthy(asg: AutoScalingGroup, members: AsgInstance[]): void {
    const { world } = this.ctx;
    const batch = Math.max(1, Math.floor(asg.desiredCapacity * 0.1));
    let room = batch - members.filter((m) => isTerminating(m) && m.healthStatus === 'Unhealthy').length;
    for (const m of members) {
      if (room <= 0) break;
      if (m.healthStatus !== 'Unhealthy' || isTerminating(m) || m.lifecycleState === 'Standby') continue;
      const inst = world.instances.get(m.instanceId);
      const ec2Failure = !inst || (inst.state !== 'running' && inst.state !== 'pending');
      const now = world.now();
      this.actions.terminate(asg, m, ec2Failure ? causes.ec2HealthTerminate(now) : causes.elbHealthTerminate(now));
      this.replacementsOwed.set(asg.name, (this.replacementsOwed.get(asg.name) ?? 0) + 1);
      room--;
    }
  }

  /** Takes one launch owed to `asgName` from `owed`, if any. */
  private takeOwed(owed: Map<string, number>, asgName: string): boolean {
    const n = owed.get(asgName) ?? 0;
    if (n > 0) owed.set(asgName, n - 1);
    return n > 0;
  }

  private fixCapacity(asg: AutoScalingGroup): void {
    const { world } = this.ctx;
    const live = world.membersOf(asg.name).filter((m) => !isTerminating(m) && m.lifecycleState !== 'Standby');
    const waiting = this.actions.waitingIn(asg.name);
    // Units, launches in flight included (1 per member without weights, so an unweighted group counts instances).
    const capacity = [...live, ...waiting].reduce((sum, m) => sum + unitsOf(m), 0);
    const now = world.now();
    const prefix = this.desiredCause.get(asg.name);
    const withPrefix = (cause: string) => (prefix ? `${prefix}  ${cause}` : cause);
    if (capacity < asg.desiredCapacity && !asg.suspendedProcesses.has('Launch')) {
      // Units per subnet, launches in flight included, so one pass spreads evenly.
      const perSubnet = new Map<string, number>(asg.subnetIds.map((s) => [s, 0]));
      const add = (subnetId: string | undefined, units: number) => {
        if (subnetId && perSubnet.has(subnetId)) perSubnet.set(subnetId, perSubnet.get(subnetId)! + units);
      };
      for (const m of live) add(world.instances.get(m.instanceId)?.subnetId, unitsOf(m));
      for (const w of waiting) add(w.subnetId, unitsOf(w));
      for (const launch of planLaunches(asg, capacity, perSubnet)) {
        const cause = this.takeOwed(this.replacementsOwed, asg.name)
          ? causes.replacementLaunch(now)
          : this.takeOwed(this.refreshOwed, asg.name)
            ? groupCauses.refreshLaunch(now)
            : withPrefix(causes.capacityIncrease(now, capacity, asg.desiredCapacity));
        this.actions.launch(asg, launch.subnetId, cause, launch);
      }
      this.desiredCause.delete(asg.name);
    } else if (capacity > asg.desiredCapacity && !asg.suspendedProcesses.has('Terminate')) {
      for (const m of planScaleIn(live, capacity, asg.desiredCapacity)) {
        this.actions.terminate(asg, m, withPrefix(causes.capacityDecrease(now, capacity, asg.desiredCapacity)));
      }
      this.desiredCause.delete(asg.name);
    } else {
      this.desiredCause.delete(asg.name);
    }
  }
}
