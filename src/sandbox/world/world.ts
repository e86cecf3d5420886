/**
 * The sandbox's whole state, in memory. No sockets and no timers live here: the API layer, the lifecycle
 * engine, the data plane and the reconciler all read this and change it through the mutators below, which
 * record every observable change as a ground-truth event. Keeping the event log the only side effect is
 * what lets tests compare chaos-ec2's measurements with what really happened.
 */
import { randomBytes } from 'node:crypto';
import type { ClassicLoadBalancer } from './classic-types.js';
import { EventLog } from './event-log.js';
import { intToIp, ipToInt } from './ipv4.js';
import { LoopbackAllocator } from './loopback.js';
import type { SandboxEvent, SandboxEventBody } from './events.js';
import type {
  AsgInstance,
  AutoScalingGroup,
  AvailabilityZone,
  Instance,
  InstanceStateName,
  LaunchTemplate,
  LifecycleState,
  Listener,
  ListenerRule,
  LoadBalancer,
  NetworkAcl,
  NetworkAclAssociation,
  NetworkInterface,
  SandboxCertificate,
  ScalingActivity,
  Subnet,
  TargetGroup,
  TargetHealthReason,
  TargetHealthState,
  TargetRegistration,
  Vpc,
} from './types.js';
import { TARGET_HEALTH_DESCRIPTION } from './types.js';
import { regionZones } from './zones.js';

export interface WorldOptions {
  region?: string;
  accountId?: string;
  /** How many AZs the region offers (a–f). */
  zoneCount?: number;
  /** Ground-truth events kept; the oldest are dropped past this (the count dropped is kept). */
  maxEvents?: number;
  now?: () => number;
}

export class World {
  readonly region: string;
  readonly accountId: string;
  readonly now: () => number;
  readonly zones: AvailabilityZone[];

  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly networkAcls = new Map<string, NetworkAcl>();
  /** subnetId → its one association. */
  readonly naclAssociations = new Map<string, NetworkAclAssociation>();
  readonly instances = new Map<string, Instance>();
  readonly launchTemplates = new Map<string, LaunchTemplate>();
  readonly asgs = new Map<string, AutoScalingGroup>();
  /** instanceId → membership; removed when the instance has terminated and left the group. */
  readonly asgInstances = new Map<string, AsgInstance>();
  /** Newest last. */
  readonly activities: ScalingActivity[] = [];
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly targetGroups = new Map<string, TargetGroup>();
  readonly listeners = new Map<string, Listener>();
  /** Non-default listener rules by ARN (a listener's default rule is derived from its default actions). */
  readonly rules = new Map<string, ListenerRule>();
  /** Certificates HTTPS listeners may use, by ACM-style ARN. */
  readonly certificates = new Map<string, SandboxCertificate>();
  /** Hands out the loopback addresses of load balancer nodes (distinct from every other sandbox's). */
  readonly loopback = new LoopbackAllocator();
  /** targetGroupArn → targetId → registration. */
  readonly targets = new Map<string, Map<string, TargetRegistration>>();
  /** networkInterfaceId → interface; derived ones are kept in step by world/network-interfaces.ts. */
  readonly networkInterfaces = new Map<string, NetworkInterface>();
  /** Classic Load Balancers by name (API 2012-06-01; world/classic-state.ts changes their instance health). */
  readonly classicLoadBalancers = new Map<string, ClassicLoadBalancer>();
  /** resourceId → key → value (EC2 resources and ELBv2 ARNs share this store). */
  readonly tags = new Map<string, Map<string, string>>();

  private readonly log: EventLog;
  private readonly ordinals = new Map<string, number>();

  constructor(opts: WorldOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.now = opts.now ?? Date.now;
    this.log = new EventLog(this.now, opts.maxEvents ?? 200_000);
    this.zones = regionZones(this.region, opts.zoneCount ?? 6);
  }

  // ── ids ────────────────────────────────────────────────────────────────────────────────────────
  /** `i-0123456789abcdef0`-style ids: a prefix and 17 hex digits, as EC2 uses. */
  newId(prefix: string): string {
    const id = `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
    this.ordinal(id);
    return id;
  }

  /**
   * A resource's creation order (ids from newId are numbered as they are made; other keys, such as ARNs,
   * on first use). Page tokens carry it, so a listing resumes in the right place even after the last
   * item it returned was deleted.
   */
  ordinal(key: string): number {
    let n = this.ordinals.get(key);
    if (n === undefined) this.ordinals.set(key, (n = this.ordinals.size + 1));
    return n;
  }

  newRequestId(): string {
    const h = randomBytes(16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  // ── events (see event-log.ts) ──────────────────────────────────────────────────────────────────
  emit(body: SandboxEventBody, atMs?: number): SandboxEvent {
    return this.log.emit(body, atMs);
  }

  /** Subscribe to every event as it is emitted; returns the unsubscribe function. */
  subscribe(fn: (e: SandboxEvent) => void): () => void {
    return this.log.subscribe(fn);
  }

  events(sinceSeq = 0): SandboxEvent[] {
    return this.log.since(sinceSeq);
  }

  get eventsDropped(): number {
    return this.log.droppedCount;
  }

  // ── tags ───────────────────────────────────────────────────────────────────────────────────────
  tagsOf(resourceId: string): Map<string, string> {
    return this.tags.get(resourceId) ?? new Map<string, string>();
  }

  setTag(resourceId: string, key: string, value: string): void {
    let m = this.tags.get(resourceId);
    if (!m) this.tags.set(resourceId, (m = new Map<string, string>()));
    m.set(key, value);
  }

  deleteTag(resourceId: string, key: string, value?: string): void {
    const m = this.tags.get(resourceId);
    if (!m) return;
    // EC2 DeleteTags: with a value, only delete when it matches; an empty value matches only ''.
    if (value === undefined || m.get(key) === value) m.delete(key);
    if (m.size === 0) this.tags.delete(resourceId);
  }

  // ── EC2 ────────────────────────────────────────────────────────────────────────────────────────
  zone(zoneName: string): AvailabilityZone | undefined {
    return this.zones.find((z) => z.zoneName === zoneName);
  }

  /** A unique private IP inside the subnet's CIDR (cosmetic: the data plane serves on loopback). */
  allocateIp(subnet: Subnet): string {
    const [base = '10.0.0.0'] = subnet.cidrBlock.split('/');
    return intToIp(ipToInt(base) + subnet.nextHost++);
  }

  setInstanceState(inst: Instance, to: InstanceStateName, reason?: string): void {
    const from = inst.state;
    if (from === to) return;
    inst.state = to;
    if (reason !== undefined) inst.stateTransitionReason = reason;
    if (to === 'terminated') inst.terminatedAt = this.now();
    this.emit({
      type: 'instance-state',
      instanceId: inst.instanceId,
      from,
      to,
      availabilityZone: inst.availabilityZone,
      subnetId: inst.subnetId,
      ...(inst.asgName ? { asgName: inst.asgName } : {}),
      ...(reason ? { reason } : {}),
    });
  }

  naclOfSubnet(subnetId: string): NetworkAcl | undefined {
    const assoc = this.naclAssociations.get(subnetId);
    return assoc ? this.networkAcls.get(assoc.networkAclId) : undefined;
  }

  /** Associates a subnet with a NACL under a fresh association id (AWS never reuses one). */
  associateNacl(subnetId: string, networkAclId: string): NetworkAclAssociation {
    const previous = this.naclAssociations.get(subnetId);
    const assoc = { associationId: this.newId('aclassoc'), networkAclId, subnetId };
    this.naclAssociations.set(subnetId, assoc);
    this.emit({
      type: 'nacl-association',
      subnetId,
      associationId: assoc.associationId,
      fromNetworkAclId: previous?.networkAclId ?? null,
      toNetworkAclId: networkAclId,
    });
    return assoc;
  }

  // ── Auto Scaling ───────────────────────────────────────────────────────────────────────────────
  asgArn(name: string): string {
    const uuid = this.newRequestId();
    return `arn:aws:autoscaling:${this.region}:${this.accountId}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;
  }

  membersOf(asgName: string): AsgInstance[] {
    return [...this.asgInstances.values()].filter((m) => m.asgName === asgName);
  }

  setLifecycle(member: AsgInstance, to: LifecycleState): void {
    const from = member.lifecycleState;
    if (from === to) return;
    member.lifecycleState = to;
    this.emit({
      type: 'asg-lifecycle',
      asgName: member.asgName,
      instanceId: member.instanceId,
      from,
      to,
      availabilityZone: member.availabilityZone,
    });
  }

  setAsgHealth(member: AsgInstance, status: 'Healthy' | 'Unhealthy', reason: string): void {
    if (member.healthStatus === status) return;
    member.healthStatus = status;
    this.emit({ type: 'asg-health', asgName: member.asgName, instanceId: member.instanceId, healthStatus: status, reason });
  }

  startActivity(asg: AutoScalingGroup, a: { description: string; cause: string; details: Record<string, string>; statusCode?: ScalingActivity['statusCode'] }): ScalingActivity {
    const activity: ScalingActivity = {
      activityId: this.newRequestId(),
      asgName: asg.name,
      asgArn: asg.arn,
      description: a.description,
      cause: a.cause,
      startTime: new Date(this.now()),
      statusCode: a.statusCode ?? 'InProgress',
      progress: 0,
      details: JSON.stringify(a.details),
    };
    this.ordinal(activity.activityId);
    this.activities.push(activity);
    this.emitActivity(activity);
    return activity;
  }

  updateActivity(activity: ScalingActivity, statusCode: ScalingActivity['statusCode'], statusMessage?: string): void {
    if (activity.statusCode === statusCode) return;
    activity.statusCode = statusCode;
    if (statusMessage !== undefined) activity.statusMessage = statusMessage;
    const done = statusCode === 'Successful' || statusCode === 'Failed' || statusCode === 'Cancelled';
    if (done) {
      activity.endTime = new Date(this.now());
      activity.progress = 100;
    } else if (activity.progress < 50) {
      activity.progress = 50;
    }
    this.emitActivity(activity);
  }

  private emitActivity(a: ScalingActivity): void {
    this.emit({
      type: 'activity',
      asgName: a.asgName,
      activityId: a.activityId,
      statusCode: a.statusCode,
      description: a.description,
      cause: a.cause,
    });
  }

  // ── ELBv2 ──────────────────────────────────────────────────────────────────────────────────────
  targetsOf(targetGroupArn: string): Map<string, TargetRegistration> {
    let m = this.targets.get(targetGroupArn);
    if (!m) this.targets.set(targetGroupArn, (m = new Map<string, TargetRegistration>()));
    return m;
  }

  /**
   * Adds a registration (or refreshes a draining one), as RegisterTargets does. AWS decides the first
   * state at once: `unused`/Target.NotInUse when no load balancer forwards to the group, else
   * `initial`/Elb.RegistrationInProgress (a pending instance stays there until it runs).
   */
  registerTarget(targetGroupArn: string, targetId: string, port: number, availabilityZone?: string): TargetRegistration {
    const group = this.targetsOf(targetGroupArn);
    const existing = group.get(targetId);
    if (existing && existing.state !== 'draining' && existing.state !== 'unhealthy.draining') return existing;
    const tg = this.targetGroups.get(targetGroupArn);
    const inUse = !tg || tg.loadBalancerArns.some((arn) => this.loadBalancers.has(arn));
    const state: TargetHealthState = inUse ? 'initial' : 'unused';
    const reason: TargetHealthReason = inUse ? 'Elb.RegistrationInProgress' : 'Target.NotInUse';
    const reg: TargetRegistration = {
      targetGroupArn,
      targetId,
      port,
      ...(availabilityZone ? { availabilityZone } : {}),
      state,
      reason,
      description: TARGET_HEALTH_DESCRIPTION[reason],
      consecutiveOk: 0,
      consecutiveFail: 0,
      registeredAt: this.now(),
    };
    group.set(targetId, reg);
    this.emit({ type: 'target-health', targetGroupArn, targetId, from: existing?.state ?? null, to: state, reason });
    return reg;
  }

  setTargetState(reg: TargetRegistration, to: TargetHealthState, reason?: TargetHealthReason): void {
    if (reg.state === to && reg.reason === reason) return;
    const from = reg.state;
    reg.state = to;
    if (reason) {
      reg.reason = reason;
      reg.description = TARGET_HEALTH_DESCRIPTION[reason];
    } else {
      delete reg.reason;
      delete reg.description;
    }
    if (from === to) return; // only the reason changed: not a health transition
    this.emit({
      type: 'target-health',
      targetGroupArn: reg.targetGroupArn,
      targetId: reg.targetId,
      from,
      to,
      ...(reason ? { reason } : {}),
    });
  }

  /** Removes a registration for good (deregistration delay over). */
  removeTarget(reg: TargetRegistration): void {
    const group = this.targets.get(reg.targetGroupArn);
    if (!group || group.get(reg.targetId) !== reg) return;
    group.delete(reg.targetId);
    this.emit({ type: 'target-health', targetGroupArn: reg.targetGroupArn, targetId: reg.targetId, from: reg.state, to: null });
  }
}
