/**
 * The capacity watcher: polls the Auto Scaling group and its target groups and turns what changed between two
 * polls into events (capacity-diff.ts: members lost, replacements launched, lifecycle changes, desired changes,
 * target health, capacity lost/restored in units, fail-open). It never prints; subscribers render. API cost per
 * poll is constant as the group grows: one DescribeAutoScalingGroups plus one DescribeTargetHealth per target
 * group, one DescribeInstanceHealth per Classic Load Balancer (the group's LoadBalancerNames), and one
 * DescribeWarmPool for a group with a warm pool — never one call per instance.
 */
import { EventEmitter } from 'node:events';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeGroup } from '../aws/autoscaling.js';
import { describeWarmPool } from '../aws/autoscaling-reads.js';
import { classicArn, describeInstanceHealth, isClassicArn } from '../aws/elb-classic.js';
import { describeTargetHealth } from '../aws/elbv2.js';
import { diffCapacity, type DiffState } from './capacity-diff.js';
import { isWeighted, unitWord, unitsOf } from './capacity-model.js';
import { isHealthyState, type CapacityEvent, type CapacityEventKind, type CapacitySnapshot } from './capacity-types.js';

export { diffCapacity, isHealthyState };
export type { CapacityEvent, CapacityEventKind, CapacitySnapshot, DiffState };

export interface CapacityWatchOptions {
  asgName: string;
  targetGroupArns: string[];
  pollMs: number;
  now?: () => number;
  /** The plan's victims (terminate, stop): each counts as capacity lost once seen gone (capacity-diff.ts). */
  victims?: string[];
}

export interface CapacityClients {
  asg: AutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
  /** Needed only for groups with Classic Load Balancers. */
  elbClassic?: ElasticLoadBalancingClient;
}

export async function snapshotCapacity(clients: CapacityClients, opts: Pick<CapacityWatchOptions, 'asgName' | 'targetGroupArns' | 'now'>): Promise<CapacitySnapshot> {
  const [group, ...health] = await Promise.all([
    describeGroup(clients.asg, opts.asgName, 'observe'),
    ...opts.targetGroupArns.map((arn) => describeTargetHealth(clients.elb, arn, 'observe')),
  ]);
  const instances = new Map(group.instances.map((i) => [i.instanceId, i]));
  const targets = new Map<string, Map<string, string>>();
  opts.targetGroupArns.forEach((arn, idx) => {
    targets.set(arn, new Map((health[idx] ?? []).map((t) => [t.id, t.state])));
  });
  // Classic Load Balancers come from this poll's own reading of the group (its LoadBalancerNames), so one
  // attached or detached mid-run is followed, at the cost of one round trip after DescribeAutoScalingGroups.
  if (group.loadBalancerNames.length) {
    // Without the Classic client their health would silently not count: a wiring bug, not a user error.
    const classic = clients.elbClassic;
    if (!classic) throw new Error(`group ${group.name} has Classic Load Balancers but no Classic ELB client was given`);
    const states = await Promise.all(group.loadBalancerNames.map((name) => describeInstanceHealth(classic, name, 'observe')));
    group.loadBalancerNames.forEach((name, idx) => targets.set(classicArn(group.arn, name), new Map((states[idx] ?? []).map((s) => [s.id, s.state]))));
  }
  // Warm-pool groups only (one more call per poll): a replacement that was warm is shown as from the pool.
  const pool = group.warmPool ? await describeWarmPool(clients.asg, group.name, 'observe') : undefined;
  const failOpen = failOpenGroups(targets);
  let inService = 0;
  let capacity = 0;
  let healthy = 0;
  const healthyByAz: Record<string, number> = {};
  for (const i of group.instances) {
    if (i.lifecycleState !== 'InService') continue;
    inService++;
    // Capacity, healthy and the per-AZ floor all count units: a weight-2 member is two of desired's units.
    const units = unitsOf(i);
    capacity += units;
    const ok = [...targets.values()].every((m) => isHealthyState(m.get(i.instanceId)));
    if (ok) {
      healthy += units;
      healthyByAz[i.availabilityZone] = (healthyByAz[i.availabilityZone] ?? 0) + units;
    }
  }
  return {
    atMs: (opts.now ?? Date.now)(),
    desired: group.desired,
    inService,
    capacity,
    healthy,
    healthyByAz,
    instances,
    targets,
    failOpen,
    ...(isWeighted(group.desiredCapacityType, group.instances) ? { unit: unitWord(group.desiredCapacityType) } : {}),
    suspendedProcesses: group.suspendedProcesses,
    ...(pool ? { warm: new Map(pool.instances.map((w) => [w.instanceId, { availabilityZone: w.availabilityZone, lifecycleState: w.lifecycleState }])) } : {}),
  };
}

/**
 * Target groups in which no registered, serving target is healthy. An ALB then routes to all of them
 * (fail-open), so a probe that keeps passing hides a real loss of health: the report must say so. A Classic
 * Load Balancer never fails open (it answers 503), so its entries are left out.
 */
export function failOpenGroups(targets: Map<string, Map<string, string>>): string[] {
  const out: string[] = [];
  for (const [arn, states] of targets) {
    if (isClassicArn(arn)) continue;
    const serving = [...states.values()].filter((s) => s !== 'draining' && s !== 'unused');
    if (serving.length > 0 && serving.every((s) => s !== 'healthy')) out.push(arn);
  }
  return out;
}

/**
 * Polls until stopped. Emits 'snapshot' (CapacitySnapshot), 'event' (CapacityEvent) and 'error' (a poll that
 * failed after the SDK's retries; the watcher keeps polling, a transient API problem must not end the run).
 */
export class CapacityWatcher extends EventEmitter {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private prev: CapacitySnapshot | undefined;
  private readonly state: DiffState;
  /** Polls made, for the API-cost benchmark and tests. */
  polls = 0;

  constructor(
    private readonly clients: CapacityClients,
    private readonly opts: CapacityWatchOptions,
    baseline: CapacitySnapshot,
  ) {
    super();
    this.prev = baseline;
    this.state = { lost: false, baselineHealthy: baseline.healthy, victims: new Set(opts.victims ?? []), victimsLost: new Set() };
  }

  get latest(): CapacitySnapshot | undefined {
    return this.prev;
  }

  get capacityLost(): boolean {
    return this.state.lost;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One poll now (also used by the runner for a final reading). */
  async pollOnce(): Promise<CapacitySnapshot> {
    const cur = await snapshotCapacity(this.clients, this.opts);
    this.polls++;
    const events = this.prev ? diffCapacity(this.prev, cur, this.state) : [];
    this.prev = cur;
    this.emit('snapshot', cur);
    for (const e of events) this.emit('event', e);
    return cur;
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const now = this.opts.now ?? Date.now;
    const started = now();
    try {
      await this.pollOnce();
    } catch (err) {
      this.emit('error', err);
    }
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.opts.pollMs - (now() - started)));
  }
}
