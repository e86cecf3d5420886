/**
 * Recovery figures from a run's record, under the report's definitions (observe/recovery.ts). PURE. The live
 * "recovered yet?" checks and the final report both call these, so they can never disagree.
 */
import type { SecondSummary } from '../observe/buckets.js';
import { computeRecovery, type RecoveryResult } from '../observe/recovery.js';
import type { TimelineEvent } from '../observe/timeline.js';
import type { RunConfig } from './config.js';
import type { Recorded } from './recorder.js';

type Cfg = Pick<RunConfig, 'recoveryTimeoutMs' | 'steadyErrorRate' | 'steadyP99Ms' | 'steadyMs'>;

export function recoveryOf(r: Recorded, cfg: Cfg, firstFailureAtMs: number | null = null, seconds: readonly SecondSummary[] = r.seconds): RecoveryResult | null {
  if (r.t0 === null) return null;
  return computeRecovery({
    t0: r.t0,
    seconds: [...seconds],
    events: r.marks as unknown as TimelineEvent[],
    capacitySamples: r.samples,
    baselineHealthy: r.baselineHealthy,
    firstFailureAtMs,
    // The recovery timeout counts from the end of the hold.
    deadlineMs: r.t0 + r.holdMs + cfg.recoveryTimeoutMs,
    thresholds: { maxErrorRate: cfg.steadyErrorRate, maxP99Ms: cfg.steadyP99Ms, steadySeconds: Math.round(cfg.steadyMs / 1000), minCompletion: 0.99 },
  });
}

/** Recovered under the definitions, whether or not capacity was ever seen lost. */
export function recoveredNow(r: Recorded, cfg: Cfg): boolean {
  return recoveryOf(r, cfg)?.recovered === true;
}

/**
 * True once both service and capacity have recovered — and capacity was seen lost first: a fault that removed
 * capacity is not over until the watcher has seen it come back, even if the probe never noticed anything.
 */
export function recoveredSoFar(r: Recorded, cfg: Cfg): boolean {
  return r.marks.some((m) => m.event === 'capacity-lost') && recoveredNow(r, cfg);
}
