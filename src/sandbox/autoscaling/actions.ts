/**
 * The two things Auto Scaling does to an instance — launch one, terminate one — as activities, with their
 * lifecycle steps. The reconciler decides WHEN; this file knows HOW, in AWS's order:
 * - launch: activity WaitingForInstanceId → InProgress (instance pending, member Pending) → when the instance
 *   runs: registered with every target group (AddToLoadBalancer), then InService, activity Successful.
 * - terminate: activity InProgress, member Terminating, deregistered from the target groups (draining); a
 *   still-running instance waits out the deregistration delay (WaitingForELBConnectionDraining) before EC2
 *   terminates it; once it is terminated the member is Terminated and leaves the group.
 */
import { classicNames, deregisterFromClassic, registerWithClassic } from './classic-attach.js';
import type { SandboxContext } from '../context.js';
import type { AsgInstance, AutoScalingGroup, ScalingActivity } from '../world/types.js';
import { insufficientCapacity } from './causes.js';

/** A launch waiting for its instance id; `weightedCapacity` is what it will count (weighted groups only). */
export interface WaitingLaunch {
  subnetId: string;
  activity: ScalingActivity;
  weightedCapacity?: number;
}

export interface LaunchType {
  instanceType: string;
  weightedCapacity?: number;
}

const TERMINATING = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed']);

export const isTerminating = (m: AsgInstance): boolean => TERMINATING.has(m.lifecycleState) || m.lifecycleState === 'Terminated';

export class AsgActions {
  /** Launches waiting for their instance id, per group (they count toward capacity and AZ balance). */
  readonly waiting = new Map<string, WaitingLaunch[]>();
  private readonly launchActivity = new Map<string, ScalingActivity>();
  readonly terminateActivity = new Map<string, ScalingActivity>();

  constructor(private readonly ctx: SandboxContext) {}

  waitingIn(asgName: string): WaitingLaunch[] {
    return this.waiting.get(asgName) ?? [];
  }

  /** `type`: the instance type (and weight) a mixed instances policy chose; default the group's one type. */
  launch(asg: AutoScalingGroup, subnetId: string, cause: string, type?: LaunchType): ScalingActivity {
    const instanceType = type?.instanceType ?? asg.instanceType;
    const { world, timings, timers, knobs, lifecycle } = this.ctx;
    const subnet = world.subnets.get(subnetId);
    const zone = subnet?.availabilityZone ?? '';
    const activity = world.startActivity(asg, {
      description: 'Launching a new EC2 instance',
      cause,
      details: { 'Subnet ID': subnetId, 'Availability Zone': zone },
      statusCode: 'WaitingForInstanceId',
    });
    const entry: WaitingLaunch = { subnetId, activity, ...(type?.weightedCapacity !== undefined ? { weightedCapacity: type.weightedCapacity } : {}) };
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
        const reason = insufficientCapacity(instanceType, zone);
        activity.description = `Launching a new EC2 instance.  Status Reason: ${reason}`;
        world.updateActivity(activity, 'Failed', reason);
        return;
      }
      const tags: Record<string, string> = {};
      for (const [k, t] of asg.tags) if (t.propagateAtLaunch) tags[k] = t.value;
      const inst = lifecycle.launch({
        subnetId,
        imageId: asg.imageId,
        instanceType,
        asgName: asg.name,
        ...(asg.launchTemplate ? { launchTemplate: asg.launchTemplate } : {}),
        tags,
        ...lifecycle.replacementOptions(),
      });
      activity.description = `Launching a new EC2 instance: ${inst.instanceId}`;
      world.updateActivity(activity, 'InProgress');
      const member: AsgInstance = {
        instanceId: inst.instanceId,
        asgName: asg.name,
        availabilityZone: inst.availabilityZone,
        lifecycleState: 'Pending',
        healthStatus: 'Healthy',
        instanceType: inst.instanceType,
        protectedFromScaleIn: false,
        launchedAt: world.now(),
        ...(asg.launchTemplate ? { launchTemplate: asg.launchTemplate } : {}),
        ...(entry.weightedCapacity !== undefined ? { weightedCapacity: entry.weightedCapacity } : {}),
      };
      world.asgInstances.set(inst.instanceId, member);
      world.emit({ type: 'asg-lifecycle', asgName: asg.name, instanceId: inst.instanceId, from: null, to: 'Pending', availabilityZone: inst.availabilityZone });
      this.launchActivity.set(inst.instanceId, activity);
    });
    return activity;
  }

  /** A Pending member whose instance now runs: register it (unless AddToLoadBalancer is suspended), InService. */
  completeLaunch(asg: AutoScalingGroup, member: AsgInstance): void {
    const { world } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    if (!inst || inst.state !== 'running') return;
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
    const { world, timers, timings, lifecycle } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    const activity = world.startActivity(asg, {
      description: `Terminating EC2 instance: ${member.instanceId}`,
      cause,
      details: { 'Subnet ID': inst?.subnetId ?? '', 'Availability Zone': member.availabilityZone },
    });
    this.terminateActivity.set(member.instanceId, activity);
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
        lifecycle.terminate(member.instanceId);
      });
    } else {
      lifecycle.terminate(member.instanceId);
    }
    return activity;
  }

  /** A Terminating member whose instance is gone: Terminated, out of the group, activity Successful. */
  completeTerminate(member: AsgInstance): void {
    const { world } = this.ctx;
    const inst = world.instances.get(member.instanceId);
    if (inst && inst.state !== 'terminated') return;
    world.setLifecycle(member, 'Terminated');
    world.asgInstances.delete(member.instanceId);
    const activity = this.terminateActivity.get(member.instanceId);
    this.terminateActivity.delete(member.instanceId);
    if (activity) world.updateActivity(activity, 'Successful');
  }
}
