/**
 * The engine seam: who carries out a planned fault. The runner keeps discovery, the seeded plan, the floors,
 * the lease, the baseline, the probe and the watcher whatever the engine; it asks the engine to `inject` the
 * plan and gets back t0 and (for an engine that holds the fault on its own side) when the hold is over.
 * `local` calls the fault's own inject (chaos-ec2's AWS calls); `fis` has AWS FIS inject and revert.
 *
 * Safety contract, the same as a fault's: the engine registers its Rollback through the context the moment
 * something may have been injected (before the call whose answer could be lost), and checks the interrupt
 * signal right before every mutating call.
 */
import type { PermissionCheck } from '../../aws/ec2.js';
import type { Clock } from '../../core/clock.js';
import type { Fault, FaultContext, Injection } from '../../faults/types.js';
import type { RunConfig } from '../config.js';
import type { EngineKind } from '../engine-options.js';
import type { Plan } from '../types.js';

export interface EngineContext extends FaultContext {
  cfg: RunConfig;
  clock: Clock;
  /**
   * A stop condition the engine saw fire on its side (FIS stopped the experiment because a stop alarm went to
   * ALARM): ends the hold at once, verdict aborted, exit 1, with `name` and `detail` in the report.
   */
  stopFired(atMs: number, name: string, detail: string): void;
}

export interface EngineInjection extends Injection {
  /** The engine ended the hold itself (FIS: every injecting action ended); checked with every probe second. */
  holdOver?: () => boolean;
}

/** What `--dry-run` learnt from the engine beyond the fault's DryRun checks (FIS: the resolved targets). */
export interface EngineDryRun {
  permissions: PermissionCheck[];
  /** Lines for the dry run's output and report. */
  lines: string[];
}

export interface Engine {
  readonly kind: EngineKind;
  /**
   * After the fault planned, before the plan is shown: the engine's part of the plan (FIS: the template in
   * words, durations rounded up to FIS's minimum, the role and stop conditions). May refuse (exit 2/3).
   */
  /** `stopAlarmArns`: the stop alarms' ARNs as DescribeAlarms read them at planning (FIS names alarms by ARN). */
  annotate(plan: Plan, fault: Fault, cfg: RunConfig, stopAlarmArns: string[]): Promise<void>;
  /** How long the fault stays injected (FIS: its duration rounded up to PT1M). */
  holdMs(plan: Plan, fault: Fault): number;
  inject(plan: Plan, fault: Fault, ctx: EngineContext): Promise<EngineInjection>;
}
