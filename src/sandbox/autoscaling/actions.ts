/**
 * The two things Auto Scaling does to an instance — launch one, terminate one — as activities, with their
 * lifecycle steps. The reconciler decides WHEN; this file knows HOW, in AWS's order:
 * - launch: activity WaitingForInstanceId → InProgress (instance pending, member Pending) → when the instance
 *   runs: registered with every target group (AddToLoadBalancer), then InService, activity Successful.
 * - terminate: activity InProgress, member Terminating, deregistered from the target groups (draining); a
 *   still-running instance waits out the deregistration delay (WaitingForELBConnectionDraining) before EC2
 *   terminates it; once it is terminated the member is Terminated and leaves the group.
 * Lifecycle hooks (hooks.ts) hold a launch in Pending:Wait before it is registered and a terminate in
 * Terminating:Wait after it is deregistered; a warm pool (warm-pool.ts) gives a launch a warmed instance first.
 */
import { classicNames, deregisterFromClassic, registerWithClassic } from './classic-attach.js';
import type { SandboxContext } from '../context.js';
import type { AsgInstance, AutoScalingGroup, LifecycleState, ScalingActivity, WarmInstance } from '../world/types.js';
import { insufficientCapacity } from './causes.js';
import { LifecycleHooks, waitingMessage, type LifecycleResult } from './hooks.js';
import { launchRequestFor } from './launch-request.js';
import type { AsgLifecycleApi } from './lifecycle-api.js';
import { WarmPools } from './warm-pool.js';

const TERMINATING = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed']);

export const isTerminating = (m: AsgInstance): boolean => TERMINATING.has(m.lifecycleState) || m.lifecycleState === 'Terminated';

export class AsgActions implements AsgLifecycleApi {
  readonly hooks: LifecycleHooks;
  readonly warmPools: WarmPools;
  /** Launches waiting for their instance id, per group (they count toward capacity and AZ balance). */
  readonly waiting = new Map<string, { subnetId: string; activity: ScalingActivity }[]>();
  private readonly launchActivity = new Map<string, ScalingActivity>();
  readonly terminateActivity = new Map<string, ScalingActivity>();

  constructor(private readonly ctx: SandboxContext) {
    this.hooks = new LifecycleHooks(ctx);
    this.warmPools = new WarmPools(ctx, this.hooks);
  }

  waitingIn(asgName: string): { subnetId: string; activity: ScalingActivity }[] {
    return this.waiting.get(asgName) ?? [];
  }

  launch(asg: AutoScalingGroup, subnetId: string, cause: string): ScalingActivity {
    const { world, timings, timers, knobs, lifecycle } = this.ctx;
    // "Whenever your application needs to scale out, the Auto Scaling group can draw on the warm pool"
    // (PutWarmPool API reference): a warmed instance goes first, and skips the wait for a new instance id.
    const warm = this.warmPools.take(asg, subnetId);
    if (warm) return this.launchFromPool(asg, warm, cause);
    const subnet = world.subnets.get(subnetId);
    const zone = subnet?.availabilityZone ?? '';
    const activity = world.startActivity(asg, {
      description: 'Launching a new EC2 instance',
      cause,
      details: { 'Subnet ID': subnetId, 'Availability Zone': zone },
      statusCode: 'WaitingForInstanceId',
    });
    const entry = { subnetId, activity };
    const list = this.waiting.get(asg.name) ?? [];
    list.push(entry);
    this.waiting.set(asg.name, list);
    timers.after(timings.launchLatencyMs, () => {
      const rest = this.waitingIn(asg.name).filter((w) => w !== entry);
      this.waiting.set(asg.name, rest);
      if (world.asgs.get(asg.name) !== asg || !subnet) {
        world.updateActivity(activity, 'Cancelled', 'The Auto Scaling group was deleted.');
        return;
      }
      if (knobs.replacementLaunchFails) {
        const reason = insufficientCapacity(asg.instanceType, zone);
        activity.description = `Launching a new EC2 instance.  Status Reason: ${reason}`;
        world.updateActivity(activity, 'Failed', reason);
        return;
      }
      const inst = lifecycle.launch({ ...launchRequestFor(asg, subnetId), ...lifecycle.replacementOptions() });
      activity.description = `Launching a new EC2 instance: ${inst.instanceId}`;
      world.updateActivity(activity, 'InProgress');
      this.join(asg, inst.instanceId, inst.availabilityZone, null, activity);
    });
    return activity;
  }

  /**
   * A warmed instance leaves the pool and joins the group as Pending, started again if it was stopped, and
   * goes on like any launch. The activity reads "Launching a new EC2 instance from warm pool: i-…", as
   * Auto Scaling's activity history shows it (AWS's warm-pool workshop, aws-samples); AWS documents no
   * separate Cause for it, so the launch's own cause (replacement, capacity increase) is kept.
   */
  private launchFromPool(asg: AutoScalingGroup, warm: WarmInstance, cause: string): ScalingActivity {
    const { world, lifecycle } = this.ctx;
    const activity = world.startActivity(asg, {
      description: `Launching a new EC2 instance from warm pool: ${warm.instanceId}`,
      cause,
      details: { 'Subnet ID': warm.subnetId, 'Availability Zone': warm.availabilityZone },
    });
    this.join(asg, warm.instanceId, warm.availabilityZone, warm.lifecycleState, activity);
    if (world.instances.get(warm.instanceId)?.state === 'stopped') lifecycle.start(warm.instanceId);
    this.ctx.autoscaling.nudge();
    return activity;
  }

  /** The instance becomes a Pending member of the group (from nothing, or from the warm pool). */
  private join(asg: AutoScalingGroup, instanceId: string, availabilityZone: string, from: LifecycleState | null, activity: ScalingActivity): void {
    const { world } = this.ctx;
    const member: AsgInstance = {
      instanceId,
      asgName: asg.name,
      availabilityZone,
      lifecycleState: 'Pending',
      healthStatus: 'Healthy',
      instanceType: world.instances.get(instanceId)?.instanceType ?? asg.instanceType,
      protectedFromScaleIn: false,
      launchedAt: world.now(),
      ...(asg.launchTemplate ? { launchTemplate: asg.launchTemplate } : {}),
    };
    world.asgInstances.set(instanceId, member);
    world.emit({ type: 'asg-lifecycle', asgName: asg.name, instanceId, from, to: 'Pending', availabilityZone });
    this.launchActivity.set(instanceId, activity);
  }

  /**
   * A Pending member whose instance now runs. With launch hooks it waits in Pending:Wait, running but not
   * registered ("a popular use of lifecycle hooks is to control when instances are registered with Elastic
   * Load Balancing", lifecycle-hooks user guide); otherwise it goes in service at once.
   */
  completeLaunch(asg: AutoScalingGroup, member: AsgInstance): void {
    const { world } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    if (!inst || inst.state !== 'running') return;
    const hooks = this.hooks.begin(asg, member.instanceId, 'autoscaling:EC2_INSTANCE_LAUNCHING', (result, why) => this.launchHookDone(asg, member, result, why));
    if (!hooks.length) return this.putInService(asg, member);
    world.setLifecycle(member, 'Pending:Wait');
    const activity = this.launchActivity.get(member.instanceId);
    if (activity) world.updateActivity(activity, 'MidLifecycleAction', waitingMessage(hooks));
  }

  /**
   * CONTINUE: Pending:Proceed, then registered and InService. ABANDON: "Amazon EC2 Auto Scaling terminates the
   * instance and launches a new one" (CompleteLifecycleAction API reference, LifecycleActionResult); the
   * activity ends Cancelled with AWS's message "Instance failed to complete user's Lifecycle Action: …".
   * The abandoned instance is terminated directly, without terminate hooks (it never was in service).
   */
  private launchHookDone(asg: AutoScalingGroup, member: AsgInstance, result: LifecycleResult, why: string): void {
    const { world, lifecycle } = this.ctx;
    if (world.asgInstances.get(member.instanceId) !== member || world.asgs.get(asg.name) !== asg) return;
    if (result === 'CONTINUE') {
      world.setLifecycle(member, 'Pending:Proceed');
      const activity = this.launchActivity.get(member.instanceId);
      if (activity) world.updateActivity(activity, 'InProgress');
      this.putInService(asg, member);
      return;
    }
    const activity = this.launchActivity.get(member.instanceId);
    this.launchActivity.delete(member.instanceId);
    if (activity) world.updateActivity(activity, 'Cancelled', `Instance failed to complete user's Lifecycle Action: ${why}`);
    world.setLifecycle(member, 'Terminating');
    lifecycle.terminate(member.instanceId, 'Lifecycle action abandoned');
    this.ctx.autoscaling.nudge();
  }

  /** Registered with every target group (unless AddToLoadBalancer is suspended), then InService. */
  private putInService(asg: AutoScalingGroup, member: AsgInstance): void {
    const { world } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    if (!inst) return;
    if (!asg.suspendedProcesses.has('AddToLoadBalancer')) {
      for (const tgArn of asg.targetGroupARNs) {
        const tg = world.targetGroups.get(tgArn);
        if (tg) world.registerTarget(tgArn, member.instanceId, tg.port, inst.availabilityZone);
      }
      registerWithClassic(world, classicNames(asg), member.instanceId);
    }
    // The grace period runs from the moment the instance comes into service (HealthCheckGracePeriod, API reference).
    member.launchedAt = world.now();
    world.setLifecycle(member, 'InService');
    const activity = this.launchActivity.get(member.instanceId);
    this.launchActivity.delete(member.instanceId);
    if (activity) world.updateActivity(activity, 'Successful');
  }

  terminate(asg: AutoScalingGroup, member: AsgInstance, cause: string): ScalingActivity {
    const { world, timers, timings } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    const activity = world.startActivity(asg, {
      description: `Terminating EC2 instance: ${member.instanceId}`,
      cause,
      details: { 'Subnet ID': inst?.subnetId ?? '', 'Availability Zone': member.availabilityZone },
    });
    this.terminateActivity.set(member.instanceId, activity);
    this.hooks.cancel(member.instanceId);
    const launch = this.launchActivity.get(member.instanceId);
    if (launch) {
      this.launchActivity.delete(member.instanceId);
      world.updateActivity(launch, 'Cancelled', 'The instance was terminated before it came into service.');
    }
    world.setLifecycle(member, 'Terminating');
    deregisterFromClassic(world, classicNames(asg), member.instanceId);
    let drainMs = 0;
    for (const tgArn of asg.targetGroupARNs) {
      const reg = world.targets.get(tgArn)?.get(member.instanceId);
      if (!reg || reg.state === 'draining' || reg.state === 'unhealthy.draining') continue;
      const attr = world.targetGroups.get(tgArn)?.attributes.get('deregistration_delay.timeout_seconds');
      const delayMs = Number(attr ?? timings.deregistrationDelaySeconds) * 1000;
      reg.drainingUntil = world.now() + delayMs;
      world.setTargetState(reg, 'draining', 'Target.DeregistrationInProgress');
      drainMs = Math.max(drainMs, delayMs);
    }
    if (inst?.state === 'running' && drainMs > 0) {
      // In-flight requests get the deregistration delay to finish before EC2 terminates the instance.
      world.updateActivity(activity, 'WaitingForELBConnectionDraining');
      timers.after(drainMs, () => {
        world.updateActivity(activity, 'InProgress');
        this.terminateAfterHooks(asg, member, activity);
      });
    } else {
      this.terminateAfterHooks(asg, member, activity);
    }
    return activity;
  }

  /**
   * "The terminating instance is first deregistered from the load balancer … The lifecycle hook puts the
   * instance into a wait state (Terminating:Wait)", then Terminating:Proceed and EC2 terminates it
   * (lifecycle-hooks-overview). Either result terminates it. An instance EC2 already shut down has nothing
   * left to wait for, so it goes on at once.
   */
  private terminateAfterHooks(asg: AutoScalingGroup, member: AsgInstance, activity: ScalingActivity): void {
    const { world, lifecycle } = this.ctx;
    const state = world.instances.get(member.instanceId)?.state;
    const gone = state === undefined || state === 'shutting-down' || state === 'terminated';
    const proceed = () => {
      if (world.asgInstances.get(member.instanceId) !== member) return;
      world.setLifecycle(member, 'Terminating:Proceed');
      world.updateActivity(activity, 'InProgress');
      lifecycle.terminate(member.instanceId);
    };
    const hooks = gone ? [] : this.hooks.begin(asg, member.instanceId, 'autoscaling:EC2_INSTANCE_TERMINATING', proceed);
    if (!hooks.length) return void lifecycle.terminate(member.instanceId);
    world.setLifecycle(member, 'Terminating:Wait');
    world.updateActivity(activity, 'MidLifecycleAction', waitingMessage(hooks));
  }

  /** A Terminating member whose instance is gone: Terminated, out of the group, activity Successful. */
  completeTerminate(member: AsgInstance): void {
    const { world } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    if (inst && inst.state !== 'terminated') return;
    this.hooks.cancel(member.instanceId);
    world.setLifecycle(member, 'Terminated');
    world.asgInstances.delete(member.instanceId);
    const activity = this.terminateActivity.get(member.instanceId);
    this.terminateActivity.delete(member.instanceId);
    if (activity) world.updateActivity(activity, 'Successful');
  }
}
