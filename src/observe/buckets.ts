/**
 * Per-second accounting for the load probe. Requests are attributed to the second of their INTENDED send
 * time, so a stall shows up in the seconds whose requests it delayed, not in the second it ended.
 *
 * Memory is bounded: a second keeps a live HDR histogram only while it can still receive results (until
 * the scheduler has moved past it and every request sent in it has completed or timed out); it is then
 * reduced to a small summary of numbers and its histogram is reset and recycled. With a request timeout of
 * T seconds there are at most about T + 2 live histograms, whatever the duration.
 */
import * as hdr from 'hdr-histogram-js';

/**
 * `tls`: the certificate did not verify (wrong name, unknown CA, expired …); `dns`: the probe host has no
 * address (it does not resolve and no --resolve pins it).
 */
export type FailureKind = `http_${number}` | 'timeout' | 'connect_refused' | 'connect_reset' | 'connect_timeout' | 'tls' | 'dns' | 'other';

export interface SecondSummary {
  /** Seconds since the probe started (0-based). */
  t: number;
  /** Epoch ms at which this second starts. */
  startMs: number;
  /** Requests the schedule called for in this second (open model); equals `sent` in closed-loop mode. */
  scheduled: number;
  sent: number;
  ok: number;
  failed: number;
  late: number;
  /** Latency from the intended send time, in ms; null when no request of this second completed. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Worst event-loop lag observed in this second, ms. */
  lagMs: number;
  /** The probe itself could not keep up in this second: its figures say nothing about the service. */
  saturated: boolean;
  errorsByKind: Partial<Record<FailureKind, number>>;
  /** Epoch ms of the intended send time of the earliest failed request of this second; null if none. */
  firstFailureAtMs: number | null;
}

export interface BucketOptions {
  /** Epoch ms of offset 0. */
  startEpochMs: number;
  /** A second whose worst event-loop lag exceeds this is saturated. Default 100 ms. */
  lagThresholdMs?: number;
  /** A second with more than this fraction of late sends is saturated. Default 0.1. */
  lateRatioThreshold?: number;
  /** Summaries kept; older ones are dropped (and counted). Default 86,400 = 24 h of seconds. */
  maxRecords?: number;
  /** Requests the schedule calls for in second t; defaults to the number actually sent. */
  scheduledIn?: (t: number) => number;
}

export interface LatencyFigures {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

interface OpenSecond {
  sent: number;
  done: number;
  ok: number;
  failed: number;
  late: number;
  errorsByKind: Partial<Record<FailureKind, number>>;
  firstFailureOffset: number;
  hist: hdr.Histogram;
}

// Latencies are recorded in microseconds: loopback responses take well under 1 ms, so a 1 ms floor would
// flatten every healthy second to the same value. 60 s is far beyond any sane per-request timeout.
const HIGHEST_US = 60_000_000;
const build = (digits: 2 | 3): hdr.Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: digits, autoResize: false });
const toUs = (ms: number): number => Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
const usToMs = (us: number): number => Math.round(us / 10) / 100;

export function latencyFigures(h: hdr.Histogram): LatencyFigures {
  if (h.totalCount === 0) return { p50: null, p90: null, p95: null, p99: null, max: null, mean: null };
  // HDR percentiles report the top of their value bucket, which can exceed the exact max by the bucket's
  // width (< 1 %); clamp so a summary never shows p99 > max.
  const max = h.maxValue;
  const at = (q: number): number => usToMs(Math.min(max, h.getValueAtPercentile(q)));
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: usToMs(max), mean: usToMs(h.mean) };
}

export class SecondBuckets {
  readonly startEpochMs: number;
  private readonly lagThresholdMs: number;
  private readonly lateRatioThreshold: number;
  private readonly maxRecords: number;
  private readonly scheduledIn: ((t: number) => number) | undefined;
  private readonly open = new Map<number, OpenSecond>();
  private readonly lag = new Map<number, number>();
  private readonly pool: hdr.Histogram[] = [];
  private lastT = -1;
  private lastB: OpenSecond | undefined;
  /** Next second to summarise; summaries are produced strictly in order. */
  private next = 0;
  readonly records: SecondSummary[] = [];
  droppedRecords = 0;
  readonly latency = build(3);
  readonly service = build(3);
  readonly totals = { sent: 0, ok: 0, failed: 0, late: 0, inFlight: 0, errorsByKind: {} as Partial<Record<FailureKind, number>> };

  constructor(opts: BucketOptions) {
    this.startEpochMs = opts.startEpochMs;
    this.lagThresholdMs = opts.lagThresholdMs ?? 100;
    this.lateRatioThreshold = opts.lateRatioThreshold ?? 0.1;
    this.maxRecords = opts.maxRecords ?? 86_400;
    this.scheduledIn = opts.scheduledIn;
  }

  /** Counts a request as sent; `intendedMs` is its intended send time as an offset from start. */
  sent(intendedMs: number, late: boolean): void {
    const b = this.second(Math.floor(intendedMs / 1000));
    b.sent++;
    this.totals.sent++;
    this.totals.inFlight++;
    if (late) {
      b.late++;
      this.totals.late++;
    }
  }

  /** Records a finished request (ok when `failure` is null). Every `sent` gets exactly one `completed`. */
  completed(intendedMs: number, latencyMs: number, serviceMs: number, failure: FailureKind | null): void {
    const b = this.second(Math.floor(intendedMs / 1000));
    b.done++;
    this.totals.inFlight--;
    const us = toUs(latencyMs);
    b.hist.recordValue(us);
    this.latency.recordValue(us);
    this.service.recordValue(toUs(serviceMs));
    if (failure === null) {
      b.ok++;
      this.totals.ok++;
      return;
    }
    b.failed++;
    this.totals.failed++;
    b.errorsByKind[failure] = (b.errorsByKind[failure] ?? 0) + 1;
    this.totals.errorsByKind[failure] = (this.totals.errorsByKind[failure] ?? 0) + 1;
    if (intendedMs < b.firstFailureOffset) b.firstFailureOffset = intendedMs;
  }

  /** Notes event-loop lag observed at offset `atMs`; the worst value per second is kept. */
  recordLag(atMs: number, lagMs: number): void {
    const t = Math.floor(atMs / 1000);
    if (t < this.next) return;
    if (lagMs > (this.lag.get(t) ?? 0)) this.lag.set(t, lagMs);
  }

  /**
   * Summarises, in order, every second that can no longer change: it ended before `closedBeforeMs` (the
   * caller guarantees no later send is attributed before that offset) and all its requests completed.
   */
  flush(closedBeforeMs: number, onSecond?: (s: SecondSummary) => void): void {
    while ((this.next + 1) * 1000 <= closedBeforeMs) {
      const b = this.open.get(this.next);
      if (b && b.done < b.sent) return;
      this.summarise(this.next, b, onSecond);
    }
  }

  /** Summarises every remaining second up to (excluding) `endMs`, complete or not: the probe has stopped. */
  finish(endMs: number, onSecond?: (s: SecondSummary) => void): void {
    const last = Math.max(Math.ceil(endMs / 1000), ...[...this.open.keys()].map((k) => k + 1));
    while (this.next < last) this.summarise(this.next, this.open.get(this.next), onSecond);
  }

  private second(t: number): OpenSecond {
    // Nearly every call is for the same second as the previous one: skip the Map on the hot path.
    if (t === this.lastT && this.lastB) return this.lastB;
    let b = this.open.get(t);
    if (!b) {
      // A result for an already summarised second cannot happen (flush waits for done == sent); creating a
      // new record here would be silently lost, so fail loudly in development instead.
      if (t < this.next) throw new Error(`probe accounting: second ${t} already summarised`);
      b = { sent: 0, done: 0, ok: 0, failed: 0, late: 0, errorsByKind: {}, firstFailureOffset: Infinity, hist: this.pool.pop() ?? build(2) };
      this.open.set(t, b);
    }
    this.lastT = t;
    this.lastB = b;
    return b;
  }

  private summarise(t: number, b: OpenSecond | undefined, onSecond?: (s: SecondSummary) => void): void {
    const lagMs = Math.round(this.lag.get(t) ?? 0);
    const sent = b?.sent ?? 0;
    const late = b?.late ?? 0;
    const fig = b ? latencyFigures(b.hist) : latencyFigures(EMPTY);
    const summary: SecondSummary = {
      t,
      startMs: this.startEpochMs + t * 1000,
      scheduled: this.scheduledIn ? this.scheduledIn(t) : sent,
      sent,
      ok: b?.ok ?? 0,
      failed: b?.failed ?? 0,
      late,
      p50: fig.p50,
      p90: fig.p90,
      p99: fig.p99,
      max: fig.max,
      lagMs,
      saturated: lagMs > this.lagThresholdMs || (sent > 0 && late / sent > this.lateRatioThreshold),
      errorsByKind: b ? b.errorsByKind : {},
      firstFailureAtMs: b && Number.isFinite(b.firstFailureOffset) ? this.startEpochMs + b.firstFailureOffset : null,
    };
    if (b) {
      b.hist.reset();
      this.pool.push(b.hist);
      this.open.delete(t);
      if (this.lastT === t) this.lastB = undefined;
    }
    this.lag.delete(t);
    this.next = t + 1;
    this.records.push(summary);
    if (this.records.length > this.maxRecords) {
      this.records.shift();
      this.droppedRecords++;
    }
    onSecond?.(summary);
  }
}

const EMPTY = build(2);
