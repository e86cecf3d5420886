/**
 * Recovery figures, computed from what was observed. PURE: per-second probe summaries and timeline events
 * in, numbers out; no clock, no I/O. This file is where the report's definitions live:
 *
 * - t0 = the moment the fault's mutating call returned. Inputs are epoch ms; every `…Ms` output is ms since t0.
 * - timeToImpactMs: intended send time of the first failed probe request at or after t0. Exact to the request
 *   when the probe tracked it (`firstFailureAtMs`, from LoadProbe.markFrom(t0)); otherwise the earliest
 *   per-second `firstFailureAtMs` at or after t0. null if nothing failed.
 * - A second FAILS when it is judged (not saturated) and misses a threshold: failed/sent > maxErrorRate, or
 *   p99 > maxP99Ms, or (ok+failed)/scheduled < minCompletion. A second with nothing scheduled misses nothing.
 * - serviceRecoveredMs: start of the first window of `steadySeconds` consecutive judged seconds that all meet
 *   the thresholds, after the LAST failing second (so flapping counts from its last failure). 0 when no second
 *   failed and the window was observed from t0; null if no such window was observed before `deadlineMs`.
 * - Saturated seconds (the probe itself fell behind: event-loop lag or late sends) are excluded from judgement:
 *   they never count as failing (they cannot create impact or move the last failing second, because the
 *   figures say nothing about the service), and they never count as recovered: a saturated second breaks a
 *   steady window, which restarts after it. Unknown is not good.
 * - capacityRecoveredMs: first moment, after capacity was lost, at which capacity (the InService members'
 *   weights, in desired's units) >= the CURRENT desired AND healthy units >= min(baseline healthy, current
 *   desired) (capacity-model.ts: overshoot is full; a lowered desired is not a failure). Capacity was lost at
 *   the first sample that was not full OR the watcher's first 'capacity-lost' event, whichever came first: a
 *   victim lost and refilled between two polls never shows in the counts, and still counts (the watcher
 *   emits lost, and restored at that same poll). Restored at the first full sample after the loss or the
 *   watcher's first 'capacity-restored' at or after it, whichever came first. Capacity never lost counts as
 *   recovered (null figure); lost and back is always a number.
 *   Breakdown: capacityLostMs; replacementLaunchedMs = the FIRST replacement launched (how fast Auto Scaling
 *   reacted); inServiceMs and targetHealthyMs = the LAST replacement to reach that state by the time capacity
 *   was restored (or by the end, if it never was): the step that gated recovery; lifecycleWaitMs = the
 *   longest time a replacement was seen in Pending:Wait (a launch lifecycle hook holding it) before leaving
 *   it, null when none waited.
 */
import { isFull } from './capacity-model.js';
import type { TimelineEvent } from './timeline.js';

/** The report's recovery section (experiment/types.ts re-exports it as part of the Report). */
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
    /** Longest time a replacement spent in Pending:Wait (a launch hook) before it went on; null if none did. */
    lifecycleWaitMs?: number | null;
  };
  failedRequests: number;
  /** Seconds the probe itself was saturated (not judged). */
  saturatedSeconds: number;
  /** Every target of a group was unhealthy at some point: the ALB failed open, so passing probes hid a loss. */
  failOpenSeen: boolean;
}

export interface RecoverySecond {
  /** Epoch ms at which this second starts. */
  startMs: number;
  scheduled?: number;
  sent: number;
  ok: number;
  failed: number;
  p99: number | null;
  saturated: boolean;
  /** Epoch ms of the intended send time of this second's earliest failed request. */
  firstFailureAtMs?: number | null;
}

export interface CapacityReading {
  /** Epoch ms. */
  atMs: number;
  desired: number;
  inService: number;
  /** Units InService (the members' weights); absent in readings taken before weights were counted: inService. */
  capacity?: number;
  healthy: number;
}

export interface RecoveryThresholds {
  /** Highest acceptable failed/sent in a second, e.g. 0.01. */
  maxErrorRate: number;
  maxP99Ms: number;
  steadySeconds: number;
  /** Lowest acceptable (ok+failed)/scheduled in a second. Default 0.99. */
  minCompletion?: number;
}

export interface RecoveryInput {
  t0: number;
  seconds: readonly RecoverySecond[];
  events?: readonly (Pick<TimelineEvent, 'atMs' | 'event' | 'instanceId'> & Partial<Pick<TimelineEvent, 'from' | 'to'>>)[];
  /** Capacity polls; with `baselineHealthy`, the exact capacity definition is applied to them. */
  capacitySamples?: readonly CapacityReading[];
  baselineHealthy?: number;
  /** Exact intended time of the first failure at or after t0, as tracked by the probe. */
  firstFailureAtMs?: number | null;
  /** Epoch ms of the recovery timeout: seconds starting at or after it are not considered. */
  deadlineMs?: number;
  thresholds: RecoveryThresholds;
}

export interface RecoveryResult extends RecoveryReport {
  /** ms since t0: first failure to the end of the last failing second; null without impact. */
  impact: { startMs: number; endMs: number } | null;
  /** Seconds after t0 that were judged / that failed. */
  judgedSeconds: number;
  failingSeconds: number;
  sentRequests: number;
  /** ok / sent over the seconds from t0 on; null when nothing was sent. */
  availability: number | null;
}

type Verdict = 'good' | 'failing' | 'unjudged';

export function judgeSecond(s: RecoverySecond, th: RecoveryThresholds): Verdict {
  if (s.saturated) return 'unjudged';
  const scheduled = s.scheduled ?? s.sent;
  if (scheduled === 0 && s.sent === 0) return 'good';
  if (s.sent > 0 && s.failed / s.sent > th.maxErrorRate) return 'failing';
  if (s.p99 !== null && s.p99 > th.maxP99Ms) return 'failing';
  if (scheduled > 0 && (s.ok + s.failed) / scheduled < (th.minCompletion ?? 0.99)) return 'failing';
  return 'good';
}

export function computeRecovery(input: RecoveryInput): RecoveryResult {
  const { t0, thresholds: th } = input;
  const deadline = input.deadlineMs ?? Infinity;
  // Seconds that overlap [t0, deadline): the one containing t0 is judged as a whole.
  const seconds = [...input.seconds].filter((s) => s.startMs + 1000 > t0 && s.startMs < deadline).sort((a, b) => a.startMs - b.startMs);
  const verdicts = seconds.map((s) => judgeSecond(s, th));

  let lastFailing = -1;
  verdicts.forEach((v, i) => {
    if (v === 'failing') lastFailing = i;
  });

  let recoveredAt: number | null = null;
  let streak = 0;
  for (let i = lastFailing + 1; i < seconds.length; i++) {
    const v = verdicts[i];
    // A gap between summaries (a missing second) breaks the window just as an unjudged second does.
    const contiguous = i === lastFailing + 1 || (seconds[i] as RecoverySecond).startMs - (seconds[i - 1] as RecoverySecond).startMs === 1000;
    streak = v === 'good' ? (contiguous ? streak + 1 : 1) : 0;
    if (streak >= th.steadySeconds) {
      const start = seconds[i - th.steadySeconds + 1] as RecoverySecond;
      recoveredAt = Math.max(0, start.startMs - t0);
      break;
    }
  }

  const timeToImpactMs = firstImpact(input, seconds, verdicts);
  const judged = verdicts.filter((v) => v !== 'unjudged').length;
  const sent = sum(seconds, (s) => s.sent);
  const ok = sum(seconds, (s) => s.ok);
  const capacity = capacityFigures(input);
  const serviceRecovered = recoveredAt !== null;
  const lastFailingEnd = lastFailing >= 0 ? (seconds[lastFailing] as RecoverySecond).startMs + 1000 - t0 : null;

  return {
    timeToImpactMs,
    serviceRecoveredMs: recoveredAt,
    capacityRecoveredMs: capacity.recoveredMs,
    recovered: serviceRecovered && capacity.recovered,
    serviceRecovered,
    capacityRecovered: capacity.recovered,
    breakdown: capacity.breakdown,
    failedRequests: sum(seconds, (s) => s.failed),
    saturatedSeconds: verdicts.filter((v) => v === 'unjudged').length,
    failOpenSeen: (input.events ?? []).some((e) => e.event === 'fail-open' && e.atMs >= t0),
    impact:
      timeToImpactMs !== null || lastFailingEnd !== null
        ? { startMs: timeToImpactMs ?? Math.max(0, (seconds[firstFailingIndex(verdicts)] as RecoverySecond).startMs - t0), endMs: lastFailingEnd ?? timeToImpactMs ?? 0 }
        : null,
    judgedSeconds: judged,
    failingSeconds: verdicts.filter((v) => v === 'failing').length,
    sentRequests: sent,
    availability: sent === 0 ? null : ok / sent,
  };
}

function firstFailingIndex(verdicts: Verdict[]): number {
  return verdicts.indexOf('failing');
}

/** First failed request at or after t0, ignoring failures inside saturated seconds (not the service's). */
function firstImpact(input: RecoveryInput, seconds: RecoverySecond[], verdicts: Verdict[]): number | null {
  const { t0 } = input;
  const judgedAt = (at: number): boolean => {
    const i = seconds.findIndex((s) => at >= s.startMs && at < s.startMs + 1000);
    return i < 0 || verdicts[i] !== 'unjudged';
  };
  const exact = input.firstFailureAtMs;
  if (exact !== null && exact !== undefined && exact >= t0 && judgedAt(exact)) return exact - t0;
  let first = Infinity;
  seconds.forEach((s, i) => {
    const at = s.firstFailureAtMs;
    if (verdicts[i] !== 'unjudged' && at !== null && at !== undefined && at >= t0 && at < first) first = at;
  });
  return Number.isFinite(first) ? first - t0 : null;
}

interface CapacityFigures {
  recovered: boolean;
  recoveredMs: number | null;
  breakdown: RecoveryReport['breakdown'];
}

function capacityFigures(input: RecoveryInput): CapacityFigures {
  const { t0 } = input;
  const events = [...(input.events ?? [])].filter((e) => e.atMs >= t0).sort((a, b) => a.atMs - b.atMs);
  const firstEvent = (kind: string, from: number): number | null => events.find((e) => e.event === kind && e.atMs >= from)?.atMs ?? null;
  let lostAt = firstEvent('capacity-lost', t0);
  let restoredAt: number | null = null;
  if (input.capacitySamples && input.baselineHealthy !== undefined) {
    const base = input.baselineHealthy;
    const samples = [...input.capacitySamples].filter((s) => s.atMs >= t0).sort((a, b) => a.atMs - b.atMs);
    const full = (s: CapacityReading): boolean => isFull({ desired: s.desired, capacity: s.capacity ?? s.inService, healthy: s.healthy }, base);
    const dip = samples.find((s) => !full(s))?.atMs ?? null;
    if (dip !== null && (lostAt === null || dip < lostAt)) lostAt = dip;
    if (lostAt !== null) {
      const from = lostAt;
      const back = samples.find((s) => s.atMs > from && full(s))?.atMs ?? null;
      const said = firstEvent('capacity-restored', from);
      restoredAt = back === null ? said : said === null ? back : Math.min(back, said);
    }
  } else if (lostAt !== null) {
    restoredAt = firstEvent('capacity-restored', lostAt);
  }
  const until = restoredAt ?? Infinity;
  const launched = events.filter((e) => e.event === 'replacement-launched' && e.atMs <= until);
  const ids = new Set(launched.map((e) => e.instanceId).filter((id): id is string => id !== undefined));
  const isReplacement = (e: { instanceId?: string }): boolean => ids.size === 0 || (e.instanceId !== undefined && ids.has(e.instanceId));
  const lastOf = (kind: TimelineEvent['event']): number | null => {
    const hits = events.filter((e) => e.event === kind && e.atMs <= until && isReplacement(e));
    return hits.length ? (hits[hits.length - 1] as { atMs: number }).atMs - t0 : null;
  };
  const since = (at: number | null): number | null => (at === null ? null : at - t0);
  const wait = lifecycleWait(events, ids);
  return {
    recovered: lostAt === null || restoredAt !== null,
    recoveredMs: since(restoredAt),
    breakdown: {
      capacityLostMs: since(lostAt),
      replacementLaunchedMs: since(launched[0]?.atMs ?? null),
      inServiceMs: launched.length ? lastOf('instance-inservice') : null,
      targetHealthyMs: launched.length ? lastOf('target-healthy') : null,
      ...(wait !== null ? { lifecycleWaitMs: wait } : {}),
    },
  };
}

/** Longest Pending:Wait → onwards of any replacement (entered: launched in it, or a lifecycle change to it). */
function lifecycleWait(events: NonNullable<RecoveryInput['events']>, replacements: Set<string>): number | null {
  const entered = new Map<string, number>();
  let longest: number | null = null;
  for (const e of events) {
    if (!e.instanceId || !replacements.has(e.instanceId)) continue;
    if ((e.event === 'replacement-launched' || e.event === 'lifecycle') && e.to === 'Pending:Wait') entered.set(e.instanceId, e.atMs);
    const since = entered.get(e.instanceId);
    if (since !== undefined && e.event === 'lifecycle' && e.from === 'Pending:Wait') {
      longest = Math.max(longest ?? 0, e.atMs - since);
      entered.delete(e.instanceId);
    }
  }
  return longest;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0);
}
