/**
 * The experiment's data shapes: the plan (what will be done, before anything is), and the versioned JSON
 * report every renderer reads. The report is the contract with CI pipelines and with `chaos-ec2 report`:
 * add fields freely, never rename or remove one without bumping SCHEMA_VERSION.
 */

import type { InterfaceInfo } from '../aws/eni.js';

export const SCHEMA_VERSION = 1;

export type FaultKind = 'terminate-instances' | 'blackhole-az';
export type Verdict = 'pass' | 'fail' | 'aborted' | 'error';

export interface FaultTarget {
  instanceId: string;
  availabilityZone: string;
}

/** What an experiment will do, computed read-only before any mutation; printed, confirmed, journaled. */
export interface Plan {
  experimentId: string;
  account: string;
  region: string;
  endpoint?: string;
  asg: string;
  url: string;
  fault: {
    kind: FaultKind;
    /** The selection rule as given: { count } or { percent }, with the optional AZ filter. */
    selection: { count?: number; percent?: number; az?: string };
    targets: FaultTarget[];
    /** blackhole-az only: the AZ, its subnets and their NACLs as found at planning time. */
    blackhole?: BlackholePlan;
  };
  seed: string;
  /** Capacity before: desired, InService, healthy targets (overall and per AZ). */
  before: { desired: number; inService: number; healthy: number; healthyByAz: Record<string, number> };
  /** What remains healthy after the fault, overall and per AZ, and the floor it was checked against. */
  after: { healthy: number; healthyByAz: Record<string, number>; floor: number; perAzFloor: number };
  /** Human-readable steps, in order. */
  steps: string[];
}

export interface BlackholeSubnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  /** Whose subnet it is: the group's instances, or the load balancer's node (--include-lb-subnets). */
  role: 'instances' | 'load-balancer';
  /** The NACL the subnet is on before the fault: what it is restored to. */
  originalNaclId: string;
}

/** A network interface in a target subnet that does not belong to the group (blast radius). */
export type SharedInterface = InterfaceInfo;

export interface BlackholePlan {
  az: string;
  /** 'flag' when --az chose it, 'random' when picked with the seed. */
  azChosenBy: 'flag' | 'random';
  durationMs: number;
  /** Added to now + duration for the chaos-ec2:expires-at tag (the recovery timeout). */
  expiryMarginMs: number;
  subnets: BlackholeSubnet[];
  vpcs: string[];
  /**
   * Network interfaces in the target subnets that belong neither to the group's instances nor (with
   * --include-lb-subnets) to its load balancer: the NACL cuts them off too. Non-empty refuses the run
   * unless --allow-shared-subnets.
   */
  sharedInterfaces?: SharedInterface[];
}

/** One ReplaceNetworkAclAssociation, as made (inject) or undone (restore). */
export interface AssociationChange {
  subnetId: string;
  purpose: 'inject' | 'restore';
  fromNaclId: string;
  toNaclId: string;
  associationId: string;
  newAssociationId: string;
  at: string;
}

/** A fresh describe after the restore: is the subnet back on its original NACL? */
export interface RestoreCheck {
  subnetId: string;
  expectedNaclId: string;
  actualNaclId: string | null;
  ok: boolean;
}

export interface RollbackSection {
  status: 'not-needed' | 'complete' | 'incomplete';
  /** What may still be injected (empty unless incomplete). */
  remaining: string[];
  /** The exact command that finishes the job (present when incomplete). */
  recoverCommand?: string;
  at?: string;
}

export interface BlackholeReport {
  az: string;
  azChosenBy: 'flag' | 'random';
  durationMs: number;
  subnets: BlackholeSubnet[];
  chaosNacls: { vpcId: string; networkAclId: string }[];
  associationChanges: AssociationChange[];
  restoreVerification: { verified: boolean; checks: RestoreCheck[] } | null;
  /** What Auto Scaling did meanwhile: instances it lost/replaced, and where the replacements went. */
  asgReaction: {
    instancesLost: { instanceId: string; availabilityZone: string; atMs: number }[];
    replacements: { instanceId: string; availabilityZone: string; atMs: number }[];
    replacementsIntoDarkAz: number;
  };
}

/** One entry of the report's timeline. `atMs` is ms since t0 (negative before the fault). */
export interface TimelineEntry {
  atMs: number;
  at: string;
  event: string;
  instanceId?: string;
  availabilityZone?: string;
  targetGroupArn?: string;
  detail?: string;
  [key: string]: unknown;
}

export interface ProbeSecond {
  /** Second index since the probe started. */
  t: number;
  /** ms since t0 at which this second starts (negative before the fault). */
  atMs: number;
  sent: number;
  ok: number;
  failed: number;
  late: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  saturated: boolean;
  errorsByKind: Record<string, number>;
}

export interface ProbeReport {
  url: string;
  rate: number;
  sent: number;
  ok: number;
  failed: number;
  late: number;
  availability: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  errorsByKind: Record<string, number>;
  perSecond: ProbeSecond[];
}

export interface CapacitySample {
  atMs: number;
  desired: number;
  inService: number;
  healthy: number;
}

export interface RecoveryReport {
  timeToImpactMs: number | null;
  serviceRecoveredMs: number | null;
  capacityRecoveredMs: number | null;
  recovered: boolean;
  serviceRecovered: boolean;
  capacityRecovered: boolean;
  breakdown: {
    capacityLostMs: number | null;
    replacementLaunchedMs: number | null;
    inServiceMs: number | null;
    targetHealthyMs: number | null;
  };
  failedRequests: number;
  /** Seconds the probe itself was saturated (not judged). */
  saturatedSeconds: number;
  /** Every target of a group was unhealthy at some point: the ALB failed open, so passing probes hid a loss. */
  failOpenSeen: boolean;
}

export interface Gate {
  name: string;
  threshold: number | string;
  actual: number | string | null;
  pass: boolean;
  detail?: string;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  id: string;
  tool: { name: 'chaos-ec2'; version: string };
  startedAt: string;
  endedAt: string;
  verdict: Verdict;
  exitCode: number;
  /** One line saying why, for anything but a pass. */
  reason?: string;
  seed: string;
  target: { account: string; region: string; asg: string; url: string; endpoint?: string; targetGroups: string[]; loadBalancers: string[] };
  fault: { kind: FaultKind; targets: FaultTarget[]; injectedAt: string | null; t0: number | null; selection: Plan['fault']['selection'] } | null;
  steadyState: { pass: boolean; checks: { name: string; pass: boolean; detail: string }[] };
  timeline: TimelineEntry[];
  recovery: RecoveryReport | null;
  probe: ProbeReport | null;
  capacity: { baselineHealthy: number; desired: number; samples: CapacitySample[] };
  gates: Gate[];
  settings: Record<string, unknown>;
  /** Whether anything injected was undone, and if not, what remains and how to finish it. */
  rollback?: RollbackSection;
  /** blackhole-az only. */
  blackhole?: BlackholeReport;
  /** Set when a stop condition (--abort-error-rate/--abort-after) ended the run early. */
  stopCondition?: { name: string; threshold: string; firedAtMs: number; detail: string };
}
