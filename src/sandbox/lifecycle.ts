/**
 * EC2 instance lifecycle with timing: pending → running → shutting-down → terminated, and running →
 * stopping → stopped → pending → running (EC2 User Guide, "Stop and start Amazon EC2 instances"). The API
 * layer and the Auto Scaling reconciler call launch/terminate/stop/start; the state changes land in the World
 * as events, which the data plane follows to start and stop the instances' HTTP servers.
 */
import type { Knobs } from './knobs.js';
import type { Timings } from './profiles.js';
import type { Timers } from './timers.js';
import type { Instance } from './world/types.js';
import type { World } from './world/world.js';

export interface LaunchRequest {
  subnetId: string;
  imageId: string;
  instanceType: string;
  asgName?: string;
  launchTemplate?: Instance['launchTemplate'];
  /** Tags applied at launch (the group's propagated tags; aws:autoscaling:groupName is added here). */
  tags?: Record<string, string>;
  /** Extra boot time (fault knob: slow replacements). */
  extraBootMs?: number;
  /** Fault knob: the application never reports healthy. */
  appBroken?: boolean;
  /** 'spot' for a Spot Instance (also implied by a launch template whose MarketType is spot). */
  instanceLifecycle?: 'spot';
  /** Default 'ebs'. On AWS the AMI decides; the sandbox has no AMIs, so the launch (or a control knob) says. */
  rootDeviceType?: 'ebs' | 'instance-store';
}

export class Lifecycle {
  constructor(
    private readonly world: World,
    private readonly timings: Timings,
    private readonly knobs: Knobs,
    private readonly timers: Timers,
  ) {}

  launch(req: LaunchRequest): Instance {
    const subnet = this.world.subnets.get(req.subnetId);
    if (!subnet) throw new Error(`unknown subnet ${req.subnetId}`);
    // Auto Scaling launches from the template too, so a spot template makes Spot members either way.
    const spot = req.instanceLifecycle === 'spot' || (req.launchTemplate && this.world.launchTemplates.get(req.launchTemplate.launchTemplateId)?.marketType === 'spot');
    const inst: Instance = {
      instanceId: this.world.newId('i'),
      imageId: req.imageId,
      instanceType: req.instanceType,
      state: 'pending',
      stateTransitionReason: '',
      launchTime: new Date(this.world.now()),
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIpAddress: this.world.allocateIp(subnet),
      ...(req.asgName ? { asgName: req.asgName } : {}),
      ...(req.launchTemplate ? { launchTemplate: req.launchTemplate } : {}),
      ...(req.appBroken ? { appBroken: true } : {}),
      ...(spot ? { instanceLifecycle: 'spot' as const } : {}),
      rootDeviceType: req.rootDeviceType ?? 'ebs',
    };
    this.world.instances.set(inst.instanceId, inst);
    for (const [k, v] of Object.entries(req.tags ?? {})) this.world.setTag(inst.instanceId, k, v);
    if (req.asgName) this.world.setTag(inst.instanceId, 'aws:autoscaling:groupName', req.asgName);
    this.world.emit({
      type: 'instance-state',
      instanceId: inst.instanceId,
      from: null,
      to: 'pending',
      availabilityZone: inst.availabilityZone,
      subnetId: inst.subnetId,
      ...(req.asgName ? { asgName: req.asgName } : {}),
    });
    this.bootAfter(inst, this.timings.bootMs + (req.extraBootMs ?? 0));
    return inst;
  }

  /** pending → running after `ms`, unless something else (a terminate) happened first. */
  private bootAfter(inst: Instance, ms: number): void {
    this.timers.after(ms, () => {
      if (inst.state === 'pending') this.world.setInstanceState(inst, 'running');
    });
  }

  /** Idempotent, as EC2 is: terminating a terminated instance is a no-op that still succeeds. */
  terminate(instanceId: string, reason = 'User initiated'): Instance | undefined {
    const inst = this.world.instances.get(instanceId);
    if (!inst || inst.state === 'shutting-down' || inst.state === 'terminated') return inst;
    const at = new Date(this.world.now())
      .toISOString()
      .replace(/\.\d+Z$/, ' GMT')
      .replace('T', ' ');
    inst.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    this.world.setInstanceState(inst, 'shutting-down', `${reason} (${at})`);
    this.timers.after(this.timings.shutdownMs, () => {
      this.world.setInstanceState(inst, 'terminated');
      this.timers.after(this.timings.terminatedVisibleMs, () => {
        if (this.world.instances.get(inst.instanceId) === inst) this.world.instances.delete(inst.instanceId);
      });
    });
    return inst;
  }

  /**
   * running → stopping → stopped (stopMs). Only a running instance changes; callers check the other states
   * first (StopInstances answers them). The stopped instance keeps its id, private IP and network interface.
   */
  stop(instanceId: string, reason = 'User initiated'): Instance | undefined {
    const inst = this.world.instances.get(instanceId);
    if (!inst || inst.state !== 'running') return inst;
    const at = new Date(this.world.now())
      .toISOString()
      .replace(/\.\d+Z$/, ' GMT')
      .replace('T', ' ');
    inst.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    this.world.setInstanceState(inst, 'stopping', `${reason} (${at})`);
    this.timers.after(this.timings.stopMs, () => {
      if (inst.state === 'stopping') this.world.setInstanceState(inst, 'stopped');
    });
    return inst;
  }

  /**
   * stopped → pending → running, booting like a launch (bootMs). EC2 clears the stop's reasons and sets
   * LaunchTime to this start ("The time that the instance was last launched", EC2 API Reference, Instance).
   */
  start(instanceId: string): Instance | undefined {
    const inst = this.world.instances.get(instanceId);
    if (!inst || inst.state !== 'stopped') return inst;
    delete inst.stateReason;
    inst.launchTime = new Date(this.world.now());
    this.world.setInstanceState(inst, 'pending', '');
    this.bootAfter(inst, this.timings.bootMs);
    return inst;
  }

  /** Knob-aware defaults for a launch made by Auto Scaling. */
  replacementOptions(): Pick<LaunchRequest, 'extraBootMs' | 'appBroken'> {
    return {
      ...(this.knobs.replacementBootDelayMs ? { extraBootMs: this.knobs.replacementBootDelayMs } : {}),
      ...(this.knobs.replacementUnhealthy ? { appBroken: true } : {}),
    };
  }
}
