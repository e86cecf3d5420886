/**
 * A probe's options checked and completed with their defaults (load-probe.ts runs them): the open model's
 * default connections cover rate × timeout requests in flight (at most 1,000), closed loop's are 10, as
 * autocannon's; how many requests the run sends in all; and the summary a finished run reports.
 */
import { latencyFigures, type SecondBuckets } from './buckets.js';
import type { ProbeTargets } from './probe-targets.js';
import { systemLookup } from './resolve.js';
import type { ProbeOptions, ProbeSummary } from './probe-types.js';

export type Opts = Required<Omit<ProbeOptions, 'rate' | 'durationMs' | 'maxRequests' | 'headers' | 'body' | 'expectStatus' | 'signal' | 'host' | 'resolve' | 'caCert' | 'nodeAz'>> &
  ProbeOptions;

// The open model's warm-up (load-probe.ts): above this rate, for this long. Measured at 50,000 req/s
// (bench/README.md "Open model"): without it the first second had 4,000-16,000 late sends, with it 0-500.
const WARM_UP_ABOVE = 1000;
const WARM_UP_MS = 300;

/** Throws on options no caller should pass (the CLI validated the user's input before). */
export function probeConfig(opts: ProbeOptions): Opts {
  if (opts.durationMs === undefined && opts.maxRequests === undefined) throw new Error('probe needs durationMs or maxRequests');
  if (opts.rate !== undefined && !(opts.rate > 0)) throw new Error('probe rate must be positive');
  // Honest only where nothing waits on a schedule: see the header.
  if (opts.rate !== undefined && (opts.pipelining ?? 1) > 1) throw new Error('pipelining is for closed-loop mode only (no rate)');
  if (opts.pipelining !== undefined && !(Number.isInteger(opts.pipelining) && opts.pipelining >= 1)) throw new Error('pipelining must be a positive integer');
  const timeoutMs = opts.timeoutMs ?? 2000;
  const defaultConnections = opts.rate ? Math.min(1000, Math.max(8, Math.ceil((opts.rate * timeoutMs) / 1000))) : 10;
  // Every key, always in this order: the object's hidden class is then the same for every probe in the
  // process, so code optimised while warming up (load-probe.ts) is not thrown away when the real probe, built
  // from a caller's object with other keys in another order, starts (measured: the hot functions deoptimised
  // with "wrong map" at the start of the schedule, and its first 250 ms ran at half speed).
  return {
    url: opts.url,
    rate: opts.rate,
    connections: opts.connections ?? defaultConnections,
    pipelining: opts.pipelining ?? 1,
    durationMs: opts.durationMs,
    maxRequests: opts.maxRequests,
    timeoutMs,
    method: opts.method ?? 'GET',
    headers: opts.headers,
    body: opts.body,
    expectStatus: opts.expectStatus,
    lateThresholdMs: opts.lateThresholdMs ?? 10,
    lagThresholdMs: opts.lagThresholdMs ?? 100,
    signal: opts.signal,
    host: opts.host,
    resolve: opts.resolve,
    caCert: opts.caCert,
    insecure: opts.insecure ?? false,
    nodeAz: opts.nodeAz,
    mode: opts.mode ?? 'http',
    lookup: opts.lookup ?? systemLookup,
    reResolveMs: opts.reResolveMs ?? 60_000,
    warmUpMs: opts.warmUpMs ?? (opts.rate !== undefined && opts.rate > WARM_UP_ABOVE ? WARM_UP_MS : 0),
  };
}

/** Requests the run sends in all: `maxRequests`, or the open model's rate × duration (closed loop: unbounded by count). */
export function probeTotal(opts: ProbeOptions): number {
  const byDuration = opts.durationMs === undefined ? Infinity : opts.rate ? Math.ceil((opts.durationMs * opts.rate) / 1000) : Infinity;
  return Math.min(opts.maxRequests ?? Infinity, byDuration);
}

/** The run's summary from its buckets, targets and end state (what `done` carries and the report stores). */
export function probeSummary(
  o: Opts,
  targets: ProbeTargets,
  b: SecondBuckets,
  state: { host: string; aborted: boolean; scheduleEnd: number; firstFailureAfterMark: number },
  startedAtMs: number,
  elapsedMs: number,
): ProbeSummary {
  const { sent, ok, failed, late } = b.totals;
  return {
    url: o.url,
    host: state.host,
    transport: targets.mode,
    insecure: o.insecure,
    mode: o.rate ? 'open' : 'closed',
    rate: o.rate ?? null,
    connections: o.connections,
    ...(o.pipelining > 1 ? { pipelining: o.pipelining } : {}),
    startedAtMs,
    elapsedMs: Math.round(elapsedMs),
    aborted: state.aborted,
    sent,
    ok,
    failed,
    late,
    availability: sent === 0 ? null : ok / sent,
    achievedRate: state.scheduleEnd > 0 ? Math.round((sent / state.scheduleEnd) * 1000 * 10) / 10 : 0,
    latencyMs: latencyFigures(b.latency),
    serviceMs: latencyFigures(b.service),
    errorsByKind: { ...b.totals.errorsByKind },
    firstFailureAtMs: Number.isFinite(state.firstFailureAfterMark) ? state.firstFailureAfterMark : null,
    saturatedSeconds: b.records.filter((s) => s.saturated).length,
    perSecond: b.records,
    droppedSeconds: b.droppedRecords,
    nodes: targets.summaries(o.nodeAz),
  };
}
