/**
 * Warm pools ("Warm pools for Amazon EC2 Auto Scaling", https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-warm-pools.html;
 * "Use lifecycle hooks with a warm pool", warm-pool-instance-lifecycle; PutWarmPool API reference):
 * - the pool holds pre-initialised instances of the group: real EC2 instances, launched from the group's
 *   template into its subnets and tagged with its name, that are NOT members and do not count toward desired;
 * - its size is MaxGroupPreparedCapacity (the group's MaxSize when not set, or -1) minus the desired capacity,
 *   and never below MinSize;
 * - a new one goes Warmed:Pending, and once it runs Auto Scaling stops it ("As soon as an instance finishes
 *   launching into the warm pool, Amazon EC2 Auto Scaling stops or hibernates the instance"): Warmed:Stopped,
 *   Warmed:Hibernated (modelled as a stop) or, with PoolState Running, Warmed:Running;
 * - with a launch hook it "first pauses at Warmed:Pending:Wait …, then again at Pending:Wait when it restarts"
 *   (the instance leaving the pool goes through AsgActions.completeLaunch like any launch); ABANDON there
 *   terminates it and the pool launches another;
 * - a launch of the group takes a warmed instance first (AsgActions.launch); the pool then refills.
 * Not modelled: the reuse of scaled-in instances (InstanceReusePolicy is stored and described only).
 */
import type { SandboxContext } from '../context.js';
import type { AutoScalingGroup, InstanceStateName, ScalingActivity, WarmedState, WarmInstance } from '../world/types.js';
import { awsTime } from './causes.js';
import { type LifecycleHooks, type LifecycleResult, waitingMessage } from './hooks.js';
import { launchRequestFor } from './launch-request.js';
import type { WarmPoolApi } from './lifecycle-api.js';

/** States from which a warmed instance can join the group. */
const READY = new Set<WarmedState>(['Warmed:Stopped', 'Warmed:Running', 'Warmed:Hibernated']);
const LEAVING = new Set<WarmedState>(['Warmed:Terminating', 'Warmed:Terminated']);
/** Launched into the pool, not warmed yet: the next step (stop, or keep running) is still to come. */
const PREPARING = new Set<WarmedState>(['Warmed:Pending', 'Warmed:Pending:Proceed']);

export class WarmPools implements WarmPoolApi {
  private started = false;
  /** Launches into a pool, until the instance is warmed (activity Successful). */
  private readonly fillActivity = new Map<string, ScalingActivity>();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** The pool's size now: what it fills to (PutWarmPool API reference, MaxGroupPreparedCapacity and MinSize). */
  static sizeOf(asg: AutoScalingGroup): number {
    const pool = asg.warmPool;
    if (!pool) return 0;
    const prepared = pool.maxGroupPreparedCapacity === undefined || pool.maxGroupPreparedCapacity < 0 ? asg.maxSize : pool.maxGroupPreparedCapacity;
    return Math.max(pool.minSize, prepared - asg.desiredCapacity);
  }

  changed(asg: AutoScalingGroup): void {
    this.start();
    this.fill(asg);
  }

  /**
   * DeleteWarmPool: the pool is PendingDelete while its instances terminate and goes when they are gone;
   * ForceDelete drops it at once ("deleted along with all of its associated instances, without waiting for
   * all instances to be terminated", DeleteWarmPool API reference).
   */
  remove(asg: AutoScalingGroup, force: boolean): void {
    const pool = asg.warmPool;
    if (!pool) return;
    pool.status = 'PendingDelete';
    for (const w of pool.instances.values()) {
      if (LEAVING.has(w.lifecycleState)) continue;
      this.hooks.cancel(w.instanceId);
      this.setState(w, 'Warmed:Terminating');
      this.ctx.lifecycle.terminate(w.instanceId, 'Warm pool deleted');
    }
    if (force || pool.instances.size === 0) delete asg.warmPool;
  }

  /** Takes a warmed instance out of the pool for a launch into `subnetId` (one in that subnet if it can). */
  take(asg: AutoScalingGroup, subnetId: string): WarmInstance | undefined {
    const pool = asg.warmPool;
    if (!pool || pool.status) return undefined;
    const ready = [...pool.instances.values()].filter((w) => READY.has(w.lifecycleState));
    const warm = ready.find((w) => w.subnetId === subnetId) ?? ready[0];
    if (warm) pool.instances.delete(warm.instanceId);
    return warm;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const { world, timers, timings } = this.ctx;
    world.subscribe((e) => {
      if (e.type === 'instance-state' && !timers.isClosed) this.onInstanceState(e.instanceId, e.to);
    });
    timers.every(timings.asgTickMs, () => {
      for (const asg of world.asgs.values()) this.fill(asg);
    });
  }

  /** Launches into the pool until it holds its size, spread over the group's subnets (fewest first). */
  private fill(asg: AutoScalingGroup): void {
    const pool = asg.warmPool;
    if (!pool || pool.status || asg.suspendedProcesses.has('Launch')) return;
    const kept = [...pool.instances.values()].filter((w) => !LEAVING.has(w.lifecycleState));
    const size = WarmPools.sizeOf(asg);
    const perSubnet = new Map<string, number>(asg.subnetIds.map((s) => [s, 0]));
    for (const w of kept) if (perSubnet.has(w.subnetId)) perSubnet.set(w.subnetId, perSubnet.get(w.subnetId)! + 1);
    for (let n = kept.length; n < size; n++) {
      const [subnetId] = [...perSubnet].sort((a, b) => a[1] - b[1])[0] ?? [];
      if (subnetId === undefined) return;
      perSubnet.set(subnetId, perSubnet.get(subnetId)! + 1);
      this.launchInto(asg, subnetId, size);
    }
  }

  /**
   * One instance into the pool. The activity reads "Launching a new EC2 instance into warm pool: i-…" as
   * Auto Scaling's activity history shows it (AWS's warm-pool workshop, aws-samples); AWS documents no Cause
   * wording for it, so the sandbox states the pool size it keeps.
   */
  private launchInto(asg: AutoScalingGroup, subnetId: string, size: number): void {
    const { world, lifecycle } = this.ctx;
    const inst = lifecycle.launch(launchRequestFor(asg, subnetId));
    const warm: WarmInstance = {
      instanceId: inst.instanceId,
      asgName: asg.name,
      subnetId,
      availabilityZone: inst.availabilityZone,
      instanceType: inst.instanceType,
      lifecycleState: 'Warmed:Pending',
      healthStatus: 'Healthy',
      ...(asg.launchTemplate ? { launchTemplate: asg.launchTemplate } : {}),
    };
    asg.warmPool!.instances.set(warm.instanceId, warm);
    world.emit({ type: 'asg-lifecycle', asgName: asg.name, instanceId: warm.instanceId, from: null, to: warm.lifecycleState, availabilityZone: warm.availabilityZone });
    const activity = world.startActivity(asg, {
      description: `Launching a new EC2 instance into warm pool: ${warm.instanceId}`,
      cause: `At ${awsTime(world.now())} an instance was launched into the warm pool to keep its size at ${size}.`,
      details: { 'Subnet ID': subnetId, 'Availability Zone': warm.availabilityZone },
    });
    this.fillActivity.set(warm.instanceId, activity);
  }

  /** Follows a pool instance's EC2 state: running → stopped (or kept running) → warmed; terminated → gone. */
  private onInstanceState(instanceId: string, to: InstanceStateName): void {
    const found = this.find(instanceId);
    if (!found) return;
    const { asg, warm } = found;
    const pool = asg.warmPool!;
    if (to === 'running' && warm.lifecycleState === 'Warmed:Pending') {
      const hooks = this.hooks.begin(asg, instanceId, 'autoscaling:EC2_INSTANCE_LAUNCHING', (result) => this.entryHookDone(asg, warm, result));
      if (!hooks.length) return this.prepare(asg, warm);
      this.setState(warm, 'Warmed:Pending:Wait');
      const activity = this.fillActivity.get(instanceId);
      if (activity) this.ctx.world.updateActivity(activity, 'MidLifecycleAction', waitingMessage(hooks));
    } else if (to === 'stopped' && PREPARING.has(warm.lifecycleState)) {
      this.warmed(warm, pool.poolState === 'Hibernated' ? 'Warmed:Hibernated' : 'Warmed:Stopped');
    } else if (to === 'shutting-down') {
      this.hooks.cancel(instanceId);
      this.setState(warm, 'Warmed:Terminating');
    } else if (to === 'terminated') {
      this.hooks.cancel(instanceId);
      this.setState(warm, 'Warmed:Terminated');
      pool.instances.delete(instanceId);
      const activity = this.fillActivity.get(instanceId);
      this.fillActivity.delete(instanceId);
      if (activity) this.ctx.world.updateActivity(activity, 'Cancelled', 'The instance was terminated before it was warmed.');
      if (pool.status === 'PendingDelete' && pool.instances.size === 0) delete asg.warmPool;
    }
  }

  /** CONTINUE: Warmed:Pending:Proceed, then stopped (or kept running). ABANDON: terminated; the pool refills. */
  private entryHookDone(asg: AutoScalingGroup, warm: WarmInstance, result: LifecycleResult): void {
    if (asg.warmPool?.instances.get(warm.instanceId) !== warm) return;
    if (result === 'ABANDON') {
      this.ctx.lifecycle.terminate(warm.instanceId, 'Lifecycle action abandoned');
      return;
    }
    this.setState(warm, 'Warmed:Pending:Proceed');
    const activity = this.fillActivity.get(warm.instanceId);
    if (activity) this.ctx.world.updateActivity(activity, 'InProgress');
    this.prepare(asg, warm);
  }

  /** Stops the running instance for the pool, or with PoolState Running keeps it running: warmed now. */
  private prepare(asg: AutoScalingGroup, warm: WarmInstance): void {
    if (asg.warmPool?.poolState === 'Running') this.warmed(warm, 'Warmed:Running');
    else this.ctx.lifecycle.stop(warm.instanceId, 'Warm pool instance');
  }

  private warmed(warm: WarmInstance, to: WarmedState): void {
    this.setState(warm, to);
    const activity = this.fillActivity.get(warm.instanceId);
    this.fillActivity.delete(warm.instanceId);
    if (activity) this.ctx.world.updateActivity(activity, 'Successful');
  }

  private setState(warm: WarmInstance, to: WarmedState): void {
    const from = warm.lifecycleState;
    if (from === to) return;
    warm.lifecycleState = to;
    this.ctx.world.emit({ type: 'asg-lifecycle', asgName: warm.asgName, instanceId: warm.instanceId, from, to, availabilityZone: warm.availabilityZone });
  }

  private find(instanceId: string): { asg: AutoScalingGroup; warm: WarmInstance } | undefined {
    for (const asg of this.ctx.world.asgs.values()) {
      const warm = asg.warmPool?.instances.get(instanceId);
      if (warm) return { asg, warm };
    }
    return undefined;
  }
}
