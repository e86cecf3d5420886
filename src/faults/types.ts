/**
 * The fault plugin contract. A fault module owns everything about its kind — plan, description, permission
 * checks, IAM statements, inject, hold, rollback, `recover` from tags, and its report section with the view
 * every renderer draws — so adding a fault is one new folder under src/faults plus its registry line.
 *
 * Safety contract for `inject`: it registers its Rollback through the context THE MOMENT the first mutation
 * may have happened (before the call, not after it returns), so the runner can unwind it on every exit path,
 * whatever fails afterwards; and it calls throwIfInterrupted right before every mutating call.
 */
import type { AwsClients } from '../aws/clients.js';
import type { PermissionCheck } from '../aws/ec2.js';
import type { Rng } from '../core/random.js';
import type { RunConfig } from '../experiment/config.js';
import type { Discovery } from '../experiment/discover.js';
import type { Journal, JournalEntry } from '../experiment/journal.js';
import type { ExpectedRecovery, Plan, RecoveryInputs } from '../experiment/types.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';
import type { FaultMeta } from './fault-meta.js';
import type { FisRequest } from './fis-common.js';

export type { FisActionSpec, FisRequest, FisTargetSpec } from './fis-common.js';
import type { FaultProcesses } from './processes.js';

export type { FaultMeta };
export type { ExpectedRecovery, HealthCheckTiming, RecoveryInputs, RecoveryPart } from '../experiment/types.js';

export interface PlanInput {
  experimentId: string;
  d: Discovery;
  snap: CapacitySnapshot;
  cfg: RunConfig;
  rng: Rng;
  clients: AwsClients;
  now: () => number;
}

/** The fault's part of the plan: what it targets, what remains afterwards, and its steps in words. */
export type FaultPlanSection = Pick<Plan, 'fault' | 'after'> & { steps: string[] };

/** Something the fault did, for the report's timeline (association swaps, NACL created, instances stopped). */
export interface FaultEvent {
  atMs: number;
  event: string;
  detail?: string;
  [k: string]: unknown;
}

export interface FaultContext {
  clients: AwsClients;
  journal: Journal;
  now: () => number;
  /**
   * Aborted on SIGINT/SIGTERM. Checked (throwIfInterrupted) right before EVERY mutating call: an operator who
   * pressed Ctrl-C before a terminate or a swap must never see it happen afterwards.
   */
  signal: AbortSignal;
  /** Registers an undo; the runner unwinds every registered one, newest first, on every exit path. */
  registerRollback(r: Rollback): void;
  /** A fault-side event for the timeline. */
  record(e: FaultEvent): void;
  /** What is injected right now, in words (printed if the operator insists on exiting at once). */
  setDamage(items: string[]): void;
}

export interface RollbackResult {
  complete: boolean;
  /** What is still injected when not complete (resource ids with what is wrong). */
  remaining: string[];
  /** What the rollback did, in words (e.g. "started i-…"), for the timeline. */
  actions?: string[];
  /** The fault's own record of the undo (read by its report section), e.g. association changes. */
  detail?: unknown;
}

export interface Rollback {
  description: string;
  run(): Promise<RollbackResult>;
}

export interface Injection {
  /** Epoch ms at which the fault's (last) mutating call returned: t0 for every "…Ms" figure. */
  t0: number;
}

/** A line of the printed plan: plain text under the fault's label, or [label, text] for a labelled row. */
export type PlanLine = string | [label: string, text: string];

/** One IAM policy statement, as `iam-policy` prints it. */
export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The fault's section of the report, drawn the same way by the terminal, Markdown and HTML renderers. */
export interface FaultView {
  heading: string;
  rows: { key: string; value: string; tone?: 'good' | 'bad' }[];
}

/** What the fault's report section is built from: the plan, the run's timeline marks (epoch ms), the rollback. */
export interface FaultReportInput {
  plan: Plan;
  marks: readonly { atMs: number; event: string; [k: string]: unknown }[];
  /** The run's unwind: its status and every rollback result (each fault reads the `detail` it wrote). */
  rollback: { status: 'not-needed' | 'complete' | 'incomplete'; results: RollbackResult[] } | undefined;
  /** Epoch ms of t0 (or the run's start when nothing was injected): marks become "ms since base". */
  base: number;
}

/** Something a run left behind that `recover` can undo, found from tags on AWS resources alone. */
export interface Leftover {
  kind: string;
  experimentId: string;
  /** ISO time after which the experiment is over for sure (`recover --expired`); null when unknown. */
  expiresAt: string | null;
  /** The header line and the step lines `recover` prints before asking. */
  lines: string[];
  /** The fault's own data for `undo`. */
  data: unknown;
}

export interface RecoverContext {
  clients: AwsClients;
  /** Where the runs' journals are (they add detail when found, and are never required). */
  reportDir: string;
  now: () => number;
  readJournal(experimentId: string): Promise<JournalEntry[] | undefined>;
}

export interface RecoverResult {
  complete: boolean;
  /** What was done, in words. */
  done: string[];
  /** What could not be undone, in words. */
  remaining: string[];
}

export interface FaultRecovery {
  /** Read-only: what experiments (one, or all when undefined) of this kind left behind. */
  find(ctx: RecoverContext, experimentId?: string): Promise<Leftover[]>;
  /** Undoes the leftovers `find` returned; idempotent (a second call finds nothing left to do). */
  undo(items: Leftover[], ctx: RecoverContext): Promise<RecoverResult>;
}

export interface Fault extends FaultMeta {
  plan(input: PlanInput): Promise<FaultPlanSection>;
  /** The plan's fault lines, as printed before confirmation: the first beside the `fault` label. */
  describe(plan: Plan): PlanLine[];
  /**
   * Guards that need the plan to have been SHOWN first (so the operator sees what they are about), e.g. the
   * blast radius of a network fault. Throws a refusal (exit 3).
   */
  checkPlan?(plan: Plan, cfg: RunConfig): void;
  /** --dry-run: EC2 DryRun checks of every mutating call the fault would make. */
  checkPermissions(plan: Plan, clients: AwsClients, now: () => number): Promise<PermissionCheck[]>;
  /**
   * Right before injecting, after the baseline, on a fresh snapshot whose steady-state capacity checks the
   * runner has already passed: refuses (exit 3) if the plan no longer holds — targets gone, or the capacity
   * floor (overall and per AZ) that the plan promised would be broken now.
   */
  recheck(plan: Plan, fresh: CapacitySnapshot, clients: AwsClients): Promise<void>;
  inject(plan: Plan, ctx: FaultContext): Promise<Injection>;
  /** How long the fault stays injected before its rollback runs (0: nothing to hold, e.g. terminate). */
  holdMs(plan: Plan): number;
  /** What is left once the run is over, for the report's reason line. */
  afterwards: string;
  /** The report section (undefined: the fault has none beyond the common fault block). */
  buildReport?(input: FaultReportInput): unknown;
  /** How renderers draw the section `buildReport` made (read back from a saved report too). */
  view?(section: unknown): FaultView | undefined;
  /** The IAM statements the fault's calls need, beyond the shared read-only ones. */
  iam(opts: { asg?: string }): IamStatement[];
  recover: FaultRecovery;
  /** The Auto Scaling processes the fault's recovery needs (suspended → refused) or is slowed by (a warning). */
  processes: FaultProcesses;
  /** PURE: the earliest the group can recover from this fault, from its health-check settings (preflight). */
  expectedRecovery(i: RecoveryInputs): ExpectedRecovery;
  /**
   * The members this fault takes out of the group for certain (terminate, stop: the victims). Each one gone
   * or no longer InService/Healthy counts as capacity lost at the first poll that sees it, even when the group
   * refilled between two polls. Absent: none for certain (blackhole-az: Auto Scaling may keep the dark AZ's
   * members).
   */
  victims?(plan: Plan): string[];
  /**
   * Whether the experiment itself explains the loss of this member. A loss it does not explain (a Spot
   * interruption, a scale-in, another operator) contaminates the run: the report says so, with the cause.
   */
  causedLoss(plan: Plan, instance: LostMember): boolean;
  /** `--engine fis`: what this fault asks of AWS FIS (its module's fis.ts); absent: the fault runs locally only. */
  fis?: FaultFis;
}

/**
 * What a fault asks of AWS FIS. FIS injects and reverts; chaos-ec2 keeps the plan (so the seed and the
 * floors hold: the template names the exact ARNs the plan chose) and verifies FIS's revert afterwards.
 */
export interface FaultFis {
  /** PURE: the template's targets and actions for this plan (⌈n/5⌉ of each), its hold, and its plan notes. */
  request(plan: Plan): FisRequest;
  /** The FIS role's permission statements for this fault's actions (`iam-policy --engine fis`). */
  roleIam(): IamStatement[];
  /**
   * Extra tags for the experiment: the undo record `recover` verifies against after stopping it, when the
   * journal is gone (blackhole-az: each subnet's original NACL).
   */
  tags?(plan: Plan): Record<string, string>;
  /**
   * After FIS ended the experiment (completed or stopped): verifies, with fresh reads, what FIS was to revert
   * (blackhole-az: every subnet back on its original NACL). `restore` is the original of each resource
   * (from the plan, or from the experiment's tags in `recover`).
   */
  verify?(clients: AwsClients, restore: Map<string, string>, phase: 'rollback' | 'recover'): Promise<RollbackResult>;
}

/** A member the capacity watcher saw lost. */
export interface LostMember {
  instanceId: string;
  availabilityZone: string;
  subnetId?: string;
}
