/**
 * The capacity watcher: polls the Auto Scaling group and its target groups and turns what changed between two
 * polls into events (instance lost, replacement launched, InService, target healthy, capacity lost/restored,
 * fail-open). It never prints; subscribers render. API cost per poll is constant as the group grows: one
 * DescribeAutoScalingGroups plus one DescribeTargetHealth per target group and one DescribeInstanceHealth per
 * Classic Load Balancer (the group's LoadBalancerNames), never one call per instance.
 */
import { EventEmitter } from 'node:events';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeGroup, type GroupInstance } from '../aws/autoscaling.js';
import { CLASSIC_HEALTHY, classicArn, describeInstanceHealth, isClassicArn } from '../aws/elb-classic.js';
import { describeTargetHealth } from '../aws/elbv2.js';
import type { CapacityEventKind } from './timeline.js';

export type { CapacityEventKind };

export interface CapacitySnapshot {
  /** Epoch ms when the poll completed. */
  atMs: number;
  desired: number;
  inService: number;
  /** Group members that are healthy in every one of the group's target groups. */
  healthy: number;
  healthyByAz: Record<string, number>;
  instances: Map<string, GroupInstance>;
  /**
   * targetGroupArn → instanceId → state; Classic Load Balancers too, under their ARN (`…:loadbalancer/<name>`)
   * with DescribeInstanceHealth's states (InService, OutOfService, Unknown).
   */
  targets: Map<string, Map<string, string>>;
  /** Target groups in which every registered, non-draining target is unhealthy (the ALB fails open). */
  failOpen: string[];
}

export interface CapacityEvent {
  atMs: number;
  event: CapacityEventKind;
  instanceId?: string;
  availabilityZone?: string;
  targetGroupArn?: string;
  detail?: string;
}

export interface CapacityWatchOptions {
  asgName: string;
  targetGroupArns: string[];
  pollMs: number;
  now?: () => number;
}

const LIVE = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

/** Healthy in a target group (`healthy`) or, for a Classic Load Balancer, InService in DescribeInstanceHealth. */
export function isHealthyState(state: string | undefined): boolean {
  return state === 'healthy' || state === CLASSIC_HEALTHY;
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
  const failOpen = failOpenGroups(targets);
  let inService = 0;
  let healthy = 0;
  const healthyByAz: Record<string, number> = {};
  for (const i of group.instances) {
    if (i.lifecycleState !== 'InService') continue;
    inService++;
    const ok = [...targets.values()].every((m) => isHealthyState(m.get(i.instanceId)));
    if (ok) {
      healthy++;
      healthyByAz[i.availabilityZone] = (healthyByAz[i.availabilityZone] ?? 0) + 1;
    }
  }
  return { atMs: (opts.now ?? Date.now)(), desired: group.desired, inService, healthy, healthyByAz, instances, targets, failOpen };
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

/** The events that explain how `cur` differs from `prev`. Pure; `baselineHealthy` defines "restored". */
export function diffCapacity(prev: CapacitySnapshot, cur: CapacitySnapshot, state: { lost: boolean; baselineHealthy: number }): CapacityEvent[] {
  const out: CapacityEvent[] = [];
  const at = cur.atMs;
  for (const [id, p] of prev.instances) {
    const c = cur.instances.get(id);
    const wasLive = LIVE.has(p.lifecycleState) && p.healthStatus === 'Healthy';
    const isLive = c !== undefined && LIVE.has(c.lifecycleState) && c.healthStatus === 'Healthy';
    if (wasLive && !isLive) {
      out.push({ atMs: at, event: 'instance-lost', instanceId: id, availabilityZone: p.availabilityZone, detail: c ? `${c.lifecycleState}/${c.healthStatus}` : 'left the group' });
    }
  }
  for (const [id, c] of cur.instances) {
    const p = prev.instances.get(id);
    if (!p) out.push({ atMs: at, event: 'replacement-launched', instanceId: id, availabilityZone: c.availabilityZone, detail: c.lifecycleState });
    if (c.lifecycleState === 'InService' && p?.lifecycleState !== 'InService') {
      out.push({ atMs: at, event: 'instance-inservice', instanceId: id, availabilityZone: c.availabilityZone });
    }
  }
  for (const [arn, states] of cur.targets) {
    const before = prev.targets.get(arn) ?? new Map<string, string>();
    for (const [id, s] of states) {
      const was = before.get(id);
      if (was === s) continue;
      const az = cur.instances.get(id)?.availabilityZone;
      out.push({
        atMs: at,
        event: isHealthyState(s) ? 'target-healthy' : 'target-state',
        instanceId: id,
        targetGroupArn: arn,
        ...(az ? { availabilityZone: az } : {}),
        detail: `${was ?? 'unregistered'} → ${s}`,
      });
    }
    for (const [id, was] of before) {
      if (!states.has(id)) out.push({ atMs: at, event: 'target-state', instanceId: id, targetGroupArn: arn, detail: `${was} → deregistered` });
    }
  }
  for (const arn of cur.failOpen)
    if (!prev.failOpen.includes(arn)) out.push({ atMs: at, event: 'fail-open', targetGroupArn: arn, detail: 'every target unhealthy: the load balancer routes to all of them' });
  for (const arn of prev.failOpen) if (!cur.failOpen.includes(arn)) out.push({ atMs: at, event: 'fail-open-ended', targetGroupArn: arn });

  // An instance seen lost counts as a loss even if the group refilled before this poll noticed a gap.
  const short = cur.inService < cur.desired || cur.healthy < state.baselineHealthy || out.some((e) => e.event === 'instance-lost');
  if (!state.lost && short) {
    state.lost = true;
    out.push({ atMs: at, event: 'capacity-lost', detail: `InService ${cur.inService}/${cur.desired}, healthy ${cur.healthy}/${state.baselineHealthy}` });
  } else if (state.lost && cur.inService === cur.desired && cur.healthy >= state.baselineHealthy) {
    state.lost = false;
    out.push({ atMs: at, event: 'capacity-restored', detail: `InService ${cur.inService}/${cur.desired}, healthy ${cur.healthy}` });
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
  private readonly state: { lost: boolean; baselineHealthy: number };
  /** Polls made, for the API-cost benchmark and tests. */
  polls = 0;

  constructor(
    private readonly clients: CapacityClients,
    private readonly opts: CapacityWatchOptions,
    baseline: CapacitySnapshot,
  ) {
    super();
    this.prev = baseline;
    this.state = { lost: false, baselineHealthy: baseline.healthy };
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
