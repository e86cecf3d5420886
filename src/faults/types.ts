/**
 * A fault is planned (read-only) and then injected; injecting returns the Rollback that undoes it, which
 * the runner registers the moment the first mutation succeeds and unwinds on every exit path.
 */
import type { AwsClients } from '../aws/clients.js';
import type { Journal } from '../experiment/journal.js';
import type { Plan } from '../experiment/types.js';

export interface FaultContext {
  clients: AwsClients;
  journal: Journal;
  now: () => number;
}

export interface RollbackResult {
  complete: boolean;
  /** What is still injected when not complete (resource ids with what is wrong). */
  remaining: string[];
}

export interface Rollback {
  description: string;
  run(): Promise<RollbackResult>;
}

export interface Injection {
  /** Epoch ms at which the fault's mutating call returned: t0 for every "…Ms" figure. */
  t0: number;
  /** Undo for faults that can be undone; terminate has none (Auto Scaling replaces what was lost). */
  rollback?: Rollback;
}

export interface Fault {
  kind: Plan['fault']['kind'];
  inject(plan: Plan, ctx: FaultContext): Promise<Injection>;
}
