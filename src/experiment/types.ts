/**
 * The experiment's data shapes: the plan (what will be done, before anything is), and the versioned JSON
 * report every renderer reads. The report is the contract with CI pipelines and with `chaos-ec2 report`:
 * add fields freely, never rename or remove one without bumping SCHEMA_VERSION.
 */

/**
 * 2: the fault's own section moved from a top-level key per fault (v1 had `blackhole`) to `fault.detail`,
 * keyed by `fault.kind`; readers upgrade a v1 report on load (report/json.ts).
 */
export const SCHEMA_VERSION = 2;

/** A fault kind as the registry (src/faults/index.ts) names it; validated against the registry up front. */
export type FaultKind = string;
export type Verdict = 'pass' | 'fail' | 'aborted' | 'error';

export interface FaultTarget {
  instanceId: string;
  availabilityZone: string;
}

/**
 * How the probe reaches the service, as discovery chose it: the load balancer (its scheme: an internal one
 * answers only inside its VPC), the listener, the rule (priority 'default' for the default action) and why,
 * the group's share of a weighted forward, the Host/SNI name, and the forwards passed over with the reason.
 */
export interface ListenerRoute {
  loadBalancer: string;
  scheme: 'internet-facing' | 'internal';
  type: 'application' | 'network' | 'classic';
  /** "HTTPS:443" */
  listener: string;
  rule: { priority: string; conditions: string[]; why: string };
  weight?: { weight: number; total: number; share: number };
  host?: string;
  probeProtocol?: 'http' | 'https' | 'tcp';
  skipped: { loadBalancer: string; listener: string; rule: string; conditions: string[]; reason: string }[];
}

/** What an experiment will do, computed read-only before any mutation; printed, confirmed, journaled. */
export interface Plan {
  experimentId: string;
  account: string;
  region: string;
  endpoint?: string;
  asg: string;
  url: string;
  /** The listener and rule the probe goes through (absent with --url). */
  listener?: ListenerRoute;
  fault: {
    kind: FaultKind;
    /** The selection rule as given: { count } or { percent }, with the optional AZ filter. */
    selection: { count?: number; percent?: number; az?: string };
    targets: FaultTarget[];
    /** The fault module's own plan data (its shape is the module's business; journaled with the plan). */
    detail?: unknown;
  };
  seed: string;
  /** Capacity before: desired, InService, healthy targets (overall and per AZ). */
  before: {
    desired: number;
    inService: number;
    healthy: number;
    healthyByAz: Record<string, number>;
    /** Weighted groups only: units InService and the word for desired's units (healthy counts them too). */
    capacity?: number;
    unit?: string;
  };
  /** What remains healthy after the fault, overall and per AZ, and the floor it was checked against. */
  after: { healthy: number; healthyByAz: Record<string, number>; floor: number; perAzFloor: number };
  /** How the probe reaches the service (--host, --resolve, --ca-cert, --insecure, --probe tcp), one line each. */
  probeNotes?: string[];
  /** Human-readable steps, in order. */
  steps: string[];
  /** Where the run's credentials come from and when they expire (credential-expiry.ts). */
  credentials?: string;
  /** What preflight found before the plan was confirmed (experiment/preflight.ts); absent in older journals. */
  preflight?: PlanPreflight;
  /** The engine's part (engines/fis-plan.ts); absent: the local engine. */
  engine?: PlanEngine;
}

/** One target of an FIS experiment template: exactly these resources (selection mode ALL, no tag filters). */
export interface FisTargetSpec {
  resourceType: string;
  resourceArns: string[];
  selectionMode: 'ALL';
}

/** One action of an FIS experiment template. */
export interface FisActionSpec {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  /** The action's target key (`Instances`, `Subnets`) → a key of the template's `targets`. */
  targets: Record<string, string>;
}

/** `--engine fis`: the experiment template as it will be created, journaled with the plan before it exists. */
export interface PlanEngine {
  kind: 'fis';
  roleArn: string;
  /** The stop alarms' ARNs (the template's stopConditions); empty: `none`. */
  stopConditions: string[];
  targets: Record<string, FisTargetSpec>;
  actions: Record<string, FisActionSpec>;
  /** Every ARN the template names: what FIS must resolve. */
  arns: string[];
  /** How long FIS holds the fault (rounded up to PT1M); 0 for terminate. */
  holdMs: number;
  keepTemplate: boolean;
  notes: string[];
}

/** Preflight's findings: refusals (exit 3), warnings, the group's lifecycle hooks and the expected recovery. */
export interface PlanPreflight {
  warnings: string[];
  hooks: { name: string; transition: string; heartbeatTimeoutSeconds: number; defaultResult: string }[];
  /** The earliest the group can recover, with its terms (faults/recovery-estimate.ts) and the boot allowance used. */
  expectedRecovery: ExpectedRecovery & { text: string; boot: { ms: number; source: string } };
  /** Labels carried into the report (e.g. what the capacity recovery measures on this group). */
  notes: string[];
  /** Why the run cannot succeed, each with its fix or override; non-empty refuses the run after the plan is shown. */
  refusals: { reason: string; hint: string }[];
}

export interface RollbackSection {
  status: 'not-needed' | 'complete' | 'incomplete';
  /** What may still be injected (empty unless incomplete). */
  remaining: string[];
  /** The exact command that finishes the job (present when incomplete). */
  recoverCommand?: string;
  at?: string;
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

/** One address the probe spread its requests over (a load balancer node), with its own figures. */
export interface ProbeNodeReport {
  address: string;
  /** The node's AZ, from its network interface; absent when unknown (--url, or no permission to look). */
  az?: string;
  sent: number;
  ok: number;
  failed: number;
  /** ok / sent; null when nothing was sent to it. */
  availability: number | null;
  p99Ms: number | null;
  errorsByKind: Record<string, number>;
  /** False when the last DNS answer no longer listed it (requests had moved to the other addresses). */
  inDns: boolean;
  /** Per second, `atMs` since t0 like the probe's own seconds. */
  seconds: { t: number; atMs: number; sent: number; ok: number; failed: number; p99: number | null }[];
}

export interface ProbeReport {
  url: string;
  /** Host header and TLS server name (absent in reports written before it was recorded). */
  host?: string;
  /** http: requests; tcp: connect-only (--probe tcp). */
  transport?: 'http' | 'tcp';
  /** Certificate verification was OFF (--insecure). */
  insecure?: boolean;
  /** Every address probed (absent when the run ended before the probe's summary). */
  nodes?: ProbeNodeReport[];
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
  /** Weighted groups: units InService (the members' weights); absent when unweighted (it equals inService). */
  capacity?: number;
  healthy: number;
}

export type { RecoveryReport } from '../observe/recovery.js';
import type { RecoveryReport } from '../observe/recovery.js';

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
  /** What to do about it (a refusal's hint: the override, the command, the setting to change). */
  hint?: string;
  seed: string;
  target: {
    account: string;
    region: string;
    asg: string;
    url: string;
    endpoint?: string;
    targetGroups: string[];
    loadBalancers: string[];
    /** The listener, rule and weight share the probe went through (absent with --url). */
    listener?: ListenerRoute;
  };
  fault: {
    kind: FaultKind;
    targets: FaultTarget[];
    injectedAt: string | null;
    t0: number | null;
    selection: Plan['fault']['selection'];
    /** The fault module's report section (e.g. a network fault's subnets, NACLs, association changes). */
    detail?: unknown;
  } | null;
  steadyState: { pass: boolean; checks: { name: string; pass: boolean; detail: string }[] };
  timeline: TimelineEntry[];
  recovery: RecoveryReport | null;
  probe: ProbeReport | null;
  capacity: { baselineHealthy: number; desired: number; samples: CapacitySample[] };
  gates: Gate[];
  settings: Record<string, unknown>;
  /** Whether anything injected was undone, and if not, what remains and how to finish it. */
  rollback?: RollbackSection;
  /** Set when a stop condition (--abort-error-rate/--abort-after, or a --stop-alarm: name = the alarm, detail = its reason) ended the run early. */
  stopCondition?: { name: string; threshold: string; firedAtMs: number; detail: string };
  /** Preflight's warnings, notes and expected earliest recovery, from the plan (absent when no plan was made). */
  preflight?: Pick<PlanPreflight, 'warnings' | 'notes' | 'expectedRecovery'>;
  /**
   * Set when a member was lost that the experiment did not cause (a Spot interruption, a scale-in, another
   * operator): the first such loss, `atMs` since t0, and the cause from Auto Scaling's scaling activity.
   */
  contaminated?: Contamination;
  /** What blocked a recovery that timed out: a lifecycle hook and its heartbeat, failed launches, a suspended process. */
  recoveryBlocked?: string[];
  /** --metrics-namespace: whether the run's figures reached CloudWatch (a failure never changes the exit code). */
  metrics?: { namespace: string; published: boolean; error?: string };
  /** Who injected and reverted the fault, and what t0 is for it (absent in reports written before engines). */
  engine?: EngineReport;
}

/** The report's engine section (engines/report.ts builds it from the plan and the timeline). */
export interface EngineReport {
  kind: 'local' | 'fis';
  /** What t0 is: when the local engine's mutating call returned, or the injecting FIS action's startTime. */
  t0: 'mutating call returned' | 'FIS action startTime';
  templateId?: string;
  experimentId?: string;
  consoleUrl?: string;
  roleArn?: string;
  stopConditions?: string[];
  /** The resolved targets FIS reported (ARNs). */
  resolvedTargets?: string[];
  /** FIS experiment and action states as they changed; `atMs` since t0. */
  states?: { atMs: number; status: string; action?: string; reason?: string }[];
  /** Whether the template was deleted at the end (false with --keep-template, or when the delete failed). */
  templateDeleted?: boolean;
}

// The expected earliest recovery's inputs and result (recovery-estimate.ts computes it; preflight judges it).

/** One target group's (or Classic Load Balancer's) health-check settings, as DescribeTargetGroups gives them. */
export interface HealthCheckTiming {
  name: string;
  intervalMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Behind a Network Load Balancer: new targets take the NLB registration allowance too. */
  nlb: boolean;
}

export interface RecoveryInputs {
  checks: HealthCheckTiming[];
  /** Launch to the application answering. */
  bootMs: number;
  nlbRegistrationMs: number;
  /** The group's HealthCheckType: EC2 or ELB. */
  healthCheckType: string;
  /** How long the fault is held (the recovery timeout counts from the restore when it is held). */
  holdMs: number;
}

/** A term of the estimate; a negative one is time already spent during the hold. */
export interface RecoveryPart {
  label: string;
  ms: number;
}

export interface ExpectedRecovery {
  ms: number;
  /** What --recovery-timeout is counted from: the fault (t0), or the restore after the hold. */
  from: 'fault' | 'restore';
  parts: RecoveryPart[];
  /** The recovery path in words. */
  path: string;
}

/** The first member lost that the experiment did not cause; `atMs` is ms since t0. */
export interface Contamination {
  instanceId: string;
  atMs: number;
  cause: string;
}
