/**
 * The load probe: HTTP requests against the service under test, recorded into per-second buckets.
 * It never prints; it emits 'second' (a finished second's summary) and 'done' (the final summary).
 *
 * Open model (with `rate`): request i is due at start + i/rate on an absolute timeline and is sent even if
 * earlier ones are still waiting, so a slow service cannot slow the probe down and hide its own slowness
 * (coordinated omission). Latency is measured from the INTENDED send time; service time (actual send →
 * response end) is kept beside it. Closed-loop mode (no `rate`): `connections` loops send back to back, the
 * way autocannon does; it measures throughput, not what users see during an outage.
 *
 * Every request ends exactly once, as ok or failed, within `timeoutMs` of being sent: the probe enforces its
 * own deadline instead of trusting undici's timers (a request queued in the pool behind hung connections is
 * not yet covered by headersTimeout, and undici's default is 300 s). So sent == ok + failed, always.
 *
 * Every node: the probe host is resolved to ALL its addresses (or pinned by `resolve`), one pool per address,
 * requests dealt round-robin over them, and re-resolved every minute (probe-targets.ts; resolve.ts says why).
 * Each address is dialled with the service's own name as Host and TLS server name (transport.ts), and
 * accounted on its own (nodes.ts) beside the overall figures.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { latencyFigures, SecondBuckets, type FailureKind, type SecondSummary } from './buckets.js';
import type { NodeAccount } from './nodes.js';
import { certificateErrorOf, classifyError, type Exchange } from './probe-request.js';
import { ProbeTargets } from './probe-targets.js';
import { systemLookup } from './resolve.js';
import type { CertificateError } from './transport.js';

import type { ProbeEvents, ProbeOptions, ProbeSummary } from './probe-types.js';

export type { ProbeEvents, ProbeOptions, ProbeSummary } from './probe-types.js';

interface Flight {
  intended: number;
  sentAt: number;
  deadline: number;
  done: boolean;
  exchange: Exchange | undefined;
  then: (() => void) | undefined;
  node: NodeAccount | undefined;
}

const TICK_MS = 25;
const PROBE_TIMEOUT = Object.assign(new Error('probe deadline exceeded'), { code: 'PROBE_TIMEOUT' });
const NO_ADDRESS = Object.assign(new Error('the probe host has no address'), { code: 'ENOTFOUND' });
type Opts = Required<Omit<ProbeOptions, 'rate' | 'durationMs' | 'maxRequests' | 'headers' | 'body' | 'expectStatus' | 'signal' | 'host' | 'resolve' | 'caCert' | 'nodeAz'>> & ProbeOptions;

export class LoadProbe extends EventEmitter<ProbeEvents> {
  private readonly o: Opts;
  private readonly request: Dispatcher.DispatchOptions;
  private readonly targets: ProbeTargets;
  private certProblem: CertificateError | undefined;
  private readonly total: number;
  private buckets!: SecondBuckets;
  private t0 = 0;
  private next = 0;
  private limit: number;
  private flights: Flight[] = [];
  private head = 0;
  private stopped = false;
  private scheduleEnd = 0;
  private aborted = false;
  private mark = -Infinity;
  private firstFailureAfterMark = Infinity;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private resolveDone: (() => void) | undefined;

  constructor(opts: ProbeOptions) {
    super();
    if (opts.durationMs === undefined && opts.maxRequests === undefined) throw new Error('probe needs durationMs or maxRequests');
    if (opts.rate !== undefined && !(opts.rate > 0)) throw new Error('probe rate must be positive');
    const timeoutMs = opts.timeoutMs ?? 2000;
    const defaultConnections = opts.rate ? Math.min(1000, Math.max(8, Math.ceil((opts.rate * timeoutMs) / 1000))) : 10;
    this.o = {
      method: 'GET',
      lateThresholdMs: 10,
      lagThresholdMs: 100,
      connections: defaultConnections,
      insecure: false,
      mode: 'http',
      lookup: systemLookup,
      reResolveMs: 60_000,
      ...opts,
      timeoutMs,
    };
    const url = new URL(opts.url);
    this.targets = new ProbeTargets({ ...this.o, host: opts.host, resolve: opts.resolve, caCert: opts.caCert });
    this.request = {
      path: url.pathname + url.search,
      method: this.o.method,
      ...(opts.headers ? { headers: opts.headers } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    };
    const byDuration = opts.durationMs === undefined ? Infinity : opts.rate ? Math.ceil((opts.durationMs * opts.rate) / 1000) : Infinity;
    this.total = Math.min(opts.maxRequests ?? Infinity, byDuration);
    this.limit = this.total;
  }

  /** The Host header / TLS server name in use. */
  get host(): string {
    return this.targets.host;
  }

  /** The first certificate failure seen (what the certificate covers), for the baseline's refusal. */
  certificateProblem(): CertificateError | undefined {
    return this.certProblem;
  }

  /** Epoch ms from which `firstFailureAtMs` is tracked (e.g. t0, when the fault's call returned). */
  markFrom(epochMs: number): void {
    this.mark = epochMs;
    this.firstFailureAfterMark = Infinity;
  }

  async run(): Promise<ProbeSummary> {
    // An interrupt during a slow look-up (a resolver can take seconds) stops the probe now, not after it.
    const addresses = await untilAborted(this.targets.resolveFirst(), this.o.signal, []);
    const startedAtMs = Date.now();
    this.t0 = performance.now();
    this.targets.begin(addresses, startedAtMs);
    const rate = this.o.rate;
    this.buckets = new SecondBuckets({
      startEpochMs: startedAtMs,
      lagThresholdMs: this.o.lagThresholdMs,
      scheduledIn: rate ? (t) => Math.max(0, Math.min(this.limit, Math.ceil((t + 1) * rate)) - Math.min(this.limit, Math.ceil(t * rate))) : undefined,
    });
    const done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    const onAbort = (): void => this.abort();
    if (this.o.signal?.aborted) this.abort();
    else this.o.signal?.addEventListener('abort', onAbort, { once: true });

    let lastTick = this.now();
    const ticker = setInterval(() => {
      const now = this.now();
      this.buckets.recordLag(lastTick + TICK_MS, now - lastTick - TICK_MS);
      lastTick = now;
      this.expire(now);
      const closed = Math.min(now, this.closedBefore(now));
      this.targets.flush(closed);
      this.buckets.flush(closed, (s) => this.emit('second', s));
      this.checkDone();
    }, TICK_MS);

    if (!this.stopped) {
      if (rate) this.pump();
      else for (let c = 0; c < this.o.connections; c++) this.loop();
    }
    await done;
    clearInterval(ticker);
    this.o.signal?.removeEventListener('abort', onAbort);
    const elapsedMs = this.now();
    // Seconds run up to where scheduling stopped, not to when the last straggler finished: a trailing
    // second in which nothing was due is not a second of measurement.
    this.targets.finish(this.scheduleEnd);
    this.buckets.finish(this.scheduleEnd, (s) => this.emit('second', s));
    await this.targets.close();
    const summary = this.summary(startedAtMs, elapsedMs);
    this.emit('done', summary);
    return summary;
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  private abort(): void {
    this.aborted = true;
    this.stopScheduling();
    this.checkDone();
  }

  private stopScheduling(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.limit = this.next;
    const now = this.now();
    const due = this.o.rate ? (this.next * 1000) / this.o.rate : now;
    this.scheduleEnd = Math.min(now, due, this.o.durationMs ?? Infinity);
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
  }

  /** No send will be attributed before this offset any more. */
  private closedBefore(now: number): number {
    if (this.stopped) return Infinity;
    return this.o.rate ? (this.next * 1000) / this.o.rate : now;
  }

  /** Open model: send everything due, then sleep until the next request is due. */
  private pump(): void {
    this.timer = undefined;
    const rate = this.o.rate as number;
    // Bounded batch so a probe that fell behind still lets timers and completions run between batches.
    for (let n = 0; n < 5000 && this.next < this.limit; n++) {
      const intended = (this.next * 1000) / rate;
      const now = this.now();
      if (intended > now) break;
      this.next++;
      this.send(intended, now);
    }
    if (this.next >= this.limit) {
      this.stopScheduling();
      this.checkDone();
      return;
    }
    const wait = (this.next * 1000) / rate - this.now();
    this.timer = wait > 0 ? setTimeout(() => this.pump(), wait) : setImmediate(() => this.pump());
  }

  /** Closed loop: one request at a time per connection, back to back, until duration or count is reached. */
  private loop(): void {
    if (this.stopped) return this.checkDone();
    const now = this.now();
    if (this.next >= this.limit || (this.o.durationMs !== undefined && now >= this.o.durationMs)) {
      this.stopScheduling();
      this.checkDone();
      return;
    }
    this.next++;
    this.send(now, now, () => this.loop());
  }

  private send(intended: number, now: number, then?: () => void): void {
    const node = this.targets.pick();
    const f: Flight = { intended, sentAt: now, deadline: now + this.o.timeoutMs, done: false, exchange: undefined, then, node };
    this.flights.push(f);
    const late = now - intended > this.o.lateThresholdMs;
    this.buckets.sent(intended, late);
    node?.buckets.sent(intended, late);
    const failed = (err: unknown): void => {
      if (f.done) return;
      this.certProblem ??= certificateErrorOf(err);
      this.finish(f, classifyError(err));
    };
    // No address to send to: fails as dns, on a later turn so a closed loop cannot spin synchronously.
    if (!node) return void setImmediate(() => failed(NO_ADDRESS));
    f.exchange = this.targets.attempt(node, this.request, (status, err) => {
      if (f.done) return;
      if (status === null) return failed(err);
      if (this.targets.mode === 'tcp') return this.finish(f, null);
      const okStatus = this.o.expectStatus ? this.o.expectStatus.includes(status) : status >= 200 && status < 400;
      this.finish(f, okStatus ? null : `http_${status}`);
    });
  }

  private finish(f: Flight, failure: FailureKind | null): void {
    f.done = true;
    const end = this.now();
    this.buckets.completed(f.intended, end - f.intended, end - f.sentAt, failure);
    f.node?.buckets.completed(f.intended, end - f.intended, end - f.sentAt, failure);
    if (failure !== null) {
      const at = this.buckets.startEpochMs + f.intended;
      if (at >= this.mark && at < this.firstFailureAfterMark) this.firstFailureAfterMark = at;
    }
    if (f.then) f.then();
    else this.checkDone();
  }

  /** Deadlines are monotonic (sends happen in time order), so the flights form a FIFO queue. */
  private expire(now: number): void {
    while (this.head < this.flights.length) {
      const f = this.flights[this.head] as Flight;
      if (!f.done) {
        if (f.deadline > now) break;
        f.exchange?.abort(PROBE_TIMEOUT);
        // A tcp probe only connects: running out of time is a connect timeout.
        this.finish(f, this.targets.mode === 'tcp' ? 'connect_timeout' : 'timeout');
      }
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.flights.length) {
      this.flights = this.flights.slice(this.head);
      this.head = 0;
    }
  }

  private checkDone(): void {
    if (this.stopped && this.buckets.totals.inFlight === 0) this.resolveDone?.();
  }

  private summary(startedAtMs: number, elapsedMs: number): ProbeSummary {
    const b = this.buckets;
    const { sent, ok, failed, late } = b.totals;
    return {
      url: this.o.url,
      host: this.host,
      transport: this.targets.mode,
      insecure: this.o.insecure,
      mode: this.o.rate ? 'open' : 'closed',
      rate: this.o.rate ?? null,
      connections: this.o.connections,
      startedAtMs,
      elapsedMs: Math.round(elapsedMs),
      aborted: this.aborted,
      sent,
      ok,
      failed,
      late,
      availability: sent === 0 ? null : ok / sent,
      achievedRate: this.scheduleEnd > 0 ? Math.round((sent / this.scheduleEnd) * 1000 * 10) / 10 : 0,
      latencyMs: latencyFigures(b.latency),
      serviceMs: latencyFigures(b.service),
      errorsByKind: { ...b.totals.errorsByKind },
      firstFailureAtMs: Number.isFinite(this.firstFailureAfterMark) ? this.firstFailureAfterMark : null,
      saturatedSeconds: b.records.filter((s) => s.saturated).length,
      perSecond: b.records,
      droppedSeconds: b.droppedRecords,
      nodes: this.targets.summaries(this.o.nodeAz),
    };
  }
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, fallback: T): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(fallback);
  return new Promise<T>((resolve) => {
    const onAbort = (): void => resolve(fallback);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}

/** Runs a probe to completion; `onSecond` sees each finished second. */
export async function runProbe(opts: ProbeOptions, onSecond?: (s: SecondSummary) => void): Promise<ProbeSummary> {
  const probe = new LoadProbe(opts);
  if (onSecond) probe.on('second', onSecond);
  return probe.run();
}
