/**
 * The verdict of an observed run, decided in one pure place: the built-in recovery gates, then what overrides
 * them — a stop condition (a failed resilience check: exit 1), an interrupt (exit 130), and above all an
 * incomplete rollback (exit 4: something may still be injected). Threshold gates (--max-service-ttr …) are
 * applied to the finished report afterwards (gates.ts) and can only turn a pass into a fail.
 */
import { formatDuration } from '../core/duration.js';
import { ExitCode } from '../core/errors.js';
import type { RecoveryResult } from '../observe/recovery.js';
import type { RunConfig } from './config.js';
import { contaminationText, type Contamination } from './contamination.js';
import { errorRateStop } from './stop-alarms.js';
import type { StopFired } from './recorder.js';
import type { UnwindResult } from './rollbacks.js';
import type { Gate, Verdict } from './types.js';

export interface ObserveResult {
  recovered: boolean;
  timedOut: boolean;
  interrupted: boolean;
  polls: number;
  /** The stop condition ended the run early. */
  stopped?: boolean;
}

export interface Decision {
  verdict: Verdict;
  exitCode: number;
  reason?: string;
  gates: Gate[];
}

export function decideObserved(o: {
  rec: RecoveryResult | null;
  cfg: Pick<RunConfig, 'recoveryTimeoutMs' | 'abortErrorRate' | 'abortAfterMs'>;
  result: ObserveResult;
  /** The operator interrupted at any point. */
  interrupted: boolean;
  rollback: UnwindResult | undefined;
  /** What fired the stop condition (absent: the error rate, from cfg). */
  stop?: StopFired;
  recoverCommand: string;
  /** The fault's own words for what is left after a run (e.g. "everything injected was rolled back"). */
  afterwards: string;
  /** What the recovery timeout found blocking (a hook, failed launches, a suspended process). */
  blocked?: string[];
  /** A member lost that the experiment did not cause: the figures may not be the experiment's alone. */
  contaminated?: Contamination | undefined;
}): Decision {
  const { rec, cfg, result } = o;
  const timeout = `before --recovery-timeout ${formatDuration(cfg.recoveryTimeoutMs)}`;
  // Always present: recovering at all before --recovery-timeout. These carry formatted strings so they never
  // read as a second threshold.
  const gates: Gate[] = [
    {
      name: 'service recovered',
      threshold: timeout,
      actual: rec?.serviceRecovered ? formatDuration(rec.serviceRecoveredMs ?? 0) : 'not recovered',
      pass: rec?.serviceRecovered === true,
    },
    {
      name: 'capacity recovered',
      threshold: timeout,
      actual: rec?.capacityRecovered ? (rec.capacityRecoveredMs === null ? 'never lost' : formatDuration(rec.capacityRecoveredMs)) : 'not recovered',
      pass: rec?.capacityRecovered === true,
    },
  ];
  const pass = gates.every((g) => g.pass);
  let d: Decision = pass
    ? { verdict: 'pass', exitCode: ExitCode.Ok, gates }
    : {
        verdict: 'fail',
        exitCode: ExitCode.GateFailed,
        reason: result.timedOut ? `not recovered within --recovery-timeout ${cfg.recoveryTimeoutMs / 1000}s${blockedText(o.blocked)}` : 'a gate failed',
        gates,
      };
  if (result.stopped) {
    // A stop condition firing is a failed resilience check, not an operator's choice: exit 1.
    const stop = o.stop ?? errorRateStop(cfg);
    d = {
      verdict: 'aborted',
      exitCode: ExitCode.GateFailed,
      reason: `stop condition: ${stop.because}; ${o.afterwards}`,
      gates: [...gates, { name: 'stop condition', threshold: stop.gate, actual: 'fired', pass: false }],
    };
  } else if (o.interrupted || result.interrupted) {
    d = { verdict: 'aborted', exitCode: ExitCode.Interrupted, reason: `interrupted by the operator; ${o.afterwards}`, gates };
  }
  if (o.rollback?.status === 'incomplete') {
    d = {
      ...d,
      verdict: 'error',
      exitCode: ExitCode.RollbackIncomplete,
      reason: `rollback incomplete, the fault may still be in place: ${o.rollback.remaining.join('; ')}. Run: ${o.recoverCommand}`,
    };
  }
  // Contamination never changes the exit code (the gates decide it), but the reason always says so: a pass
  // or a failure measured on a group that something else was changing at the same time.
  if (o.contaminated) d = { ...d, reason: d.reason ? `${d.reason}; ${contaminationText(o.contaminated)}` : contaminationText(o.contaminated) };
  return d;
}

const blockedText = (blocked: string[] | undefined): string => (blocked?.length ? `; blocked by: ${blocked.join('; ')}` : '');
