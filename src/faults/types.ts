/**
 * A fault is planned (read-only: what would happen, on which ids — the same code serves --dry-run) and then
 * injected. Injecting registers its Rollback through the context THE MOMENT the first mutation may have
 * happened, so the runner can unwind it on every exit path, whatever fails afterwards.
 */
import type { AwsClients } from '../aws/clients.js';
import type { PermissionCheck } from '../aws/ec2.js';
import type { Rng } from '../core/random.js';
import type { RunConfig } from '../experiment/config.js';
import type { Discovery } from '../experiment/discover.js';
import type { Journal } from '../experiment/journal.js';
import type { AssociationChange, Plan, RestoreCheck } from '../experiment/types.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';

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

/** Something the fault did, for the report's timeline (association swaps, NACL created/deleted). */
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
  changes?: AssociationChange[];
  verification?: RestoreCheck[];
  deletedNacls?: string[];
}

export interface Rollback {
  description: string;
  run(): Promise<RollbackResult>;
}

export interface Injection {
  /** Epoch ms at which the fault's (last) mutating call returned: t0 for every "…Ms" figure. */
  t0: number;
}

export interface Fault {
  kind: Plan['fault']['kind'];
  plan(input: PlanInput): Promise<FaultPlanSection>;
  /** --dry-run: EC2 DryRun checks of every mutating call the fault would make. */
  checkPermissions(plan: Plan, clients: AwsClients): Promise<PermissionCheck[]>;
  /**
   * Right before injecting, after the baseline, on a fresh snapshot whose steady-state capacity checks the
   * runner has already passed: refuses (exit 3) if the plan no longer holds — targets gone, or the capacity
   * floor (overall and per AZ) that the plan promised would be broken now.
   */
  recheck(plan: Plan, fresh: CapacitySnapshot, clients: AwsClients): Promise<void>;
  inject(plan: Plan, ctx: FaultContext): Promise<Injection>;
  /** How long the fault stays injected before its rollback runs (0: nothing to hold, e.g. terminate). */
  holdMs(plan: Plan): number;
}
