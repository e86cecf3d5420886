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
 * own deadline on every request, also one still waiting for a connection. So sent == ok + failed, always.
 *
 * Cost per request (bench/README.md): the request is pre-built bytes on a kept-alive socket (conn-pool.ts,
 * http1.ts); request records are recycled, not allocated; time is read once per socket read and shared by the
 * completion and the closed loop's next send. Connections are opened and warmed (TCP and TLS handshakes done)
 * before the first scheduled send and grown as requests need them, so the first second is as clean as the
 * rest. Pipelining exists only as closed-loop mode's explicit `pipelining` option: in the open model a
 * request queued behind another on one connection would wait for it, latency the service did not cause.
 *
 * Every node: the probe host is resolved to ALL its addresses (or pinned by `resolve`), one pool per address,
 * requests dealt round-robin over them, and re-resolved every minute (probe-targets.ts; resolve.ts says why).
 * Each address is dialled with the service's own name as Host and TLS server name (transport.ts), and
 * accounted on its own (nodes.ts) beside the overall figures.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { orOnAbort } from '../core/signals.js';
import { SecondBuckets, type FailureKind, type SecondSummary } from './buckets.js';
import type { PoolOwner } from './conn-pool.js';
import { probeConfig, probeSummary, probeTotal, type Opts } from './probe-config.js';
import { withLoopbackSink } from './loopback-sink.js';
import { sizeYoungGenerationFor } from './young-generation.js';
import { certificateErrorOf, classifyError, NO_ADDRESS, PROBE_TIMEOUT } from './probe-request.js';
import { Flight, ProbeTargets, type TargetRequest } from './probe-targets.js';
import type { CertificateError } from './transport.js';
import type { ProbeEvents, ProbeOptions, ProbeSummary } from './probe-types.js';

export type { ProbeEvents, ProbeOptions, ProbeSummary } from './probe-types.js';

const TICK_MS = 25;
// Open model: sends per batch before yielding to I/O, and how often a batch re-reads the clock.
const BATCH = 512;
const CLOCK_EVERY = 16;

export class LoadProbe extends EventEmitter<ProbeEvents> implements PoolOwner<TargetRequest> {
  private readonly o: Opts;
  private readonly targets: ProbeTargets;
  private certProblem: CertificateError | undefined;
  private readonly total: number;
  private readonly okLow: number;
  private readonly okHigh: number;
  private readonly expect: Set<number> | undefined;
  private readonly tcp: boolean;
  private buckets!: SecondBuckets;
  private t0 = 0;
  private next = 0;
  private limit: number;
  private flights: Flight[] = [];
  private head = 0;
  private readonly free: Flight[] = [];
  private stopped = false;
  private scheduleEnd = 0;
  private aborted = false;
  private mark = -Infinity;
  private firstFailureAfterMark = Infinity;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private resolveDone: (() => void) | undefined;
  private readonly pumpFn = (): void => this.pump();

  constructor(opts: ProbeOptions) {
    super();
    this.o = probeConfig(opts);
    this.targets = new ProbeTargets({ ...this.o, host: opts.host, resolve: opts.resolve, caCert: opts.caCert, headers: opts.headers, body: opts.body }, this);
    this.tcp = this.targets.mode === 'tcp';
    this.expect = opts.expectStatus ? new Set(opts.expectStatus) : undefined;
    this.okLow = 200;
    this.okHigh = 399;
    this.total = probeTotal(opts);
    this.limit = this.total;
    // Restarted when the schedule starts; set now so that times read while warming up stay small.
    this.t0 = performance.now();
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
    const rate = this.o.rate;
    // Before anything of the run exists (its clock, buckets, connections): young-generation.ts, `warmUp`.
    if (rate) sizeYoungGenerationFor(rate);
    if (rate && this.o.warmUpMs > 0 && !this.o.signal?.aborted) await warmUp(rate, this.o.warmUpMs, this.o.signal);
    // An interrupt during a slow look-up (a resolver can take seconds) stops the probe now, not after it.
    const addresses = await orOnAbort(this.targets.resolveFirst(), this.o.signal, []);
    this.targets.prepare(addresses);
    // Connections up before the clock starts: the first second measures the service, not our handshakes.
    // Open model: what the rate needs at a loopback-fast service (more open as requests find none idle);
    // closed loop: one per loop. Bounded by the connect timeout, and by an interrupt.
    const loops = this.o.connections * this.o.pipelining;
    const perNode = rate ? Math.min(this.o.connections, Math.max(2, Math.ceil(rate / 1000))) : Math.ceil(this.o.connections / Math.max(1, addresses.length));
    if (!this.o.signal?.aborted) await orOnAbort(this.targets.warm(perNode), this.o.signal, undefined);
    const startedAtMs = Date.now();
    this.t0 = performance.now();
    this.targets.begin(startedAtMs);
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
    let lastSweep = lastTick;
    const ticker = setInterval(() => {
      const now = this.now();
      this.buckets.recordLag(lastTick + TICK_MS, now - lastTick - TICK_MS);
      lastTick = now;
      this.expire(now);
      if (now - lastSweep >= 1000) {
        lastSweep = now;
        this.targets.sweep(now);
      }
      const closed = Math.min(now, this.closedBefore(now));
      this.targets.flush(closed);
      this.buckets.flush(closed, (s) => this.emit('second', s));
      this.checkDone();
    }, TICK_MS);

    if (!this.stopped) {
      if (rate) this.pump();
      else {
        const now = this.now();
        for (let c = 0; c < loops && !this.stopped; c++) this.loop(now);
        this.poll();
      }
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

  /** The probe's clock: ms since its start. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** A request ended (PoolOwner): ok or failed by its status, or failed by its error. */
  settle(r: TargetRequest, status: number | null, err: unknown, now: number): void {
    const f = r as Flight;
    if (f.done) return;
    if (status === null) {
      this.certProblem ??= certificateErrorOf(err);
      return this.finish(f, classifyError(err), now);
    }
    if (this.tcp) return this.finish(f, null, now);
    const ok = this.expect ? this.expect.has(status) : status >= this.okLow && status <= this.okHigh;
    this.finish(f, ok ? null : `http_${status}`, now);
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
    // Bounded batch so a probe that fell behind still lets timers and completions run between batches; the
    // clock is re-read every few sends, so a send's lateness is measured, not assumed.
    let now = this.now();
    for (let n = 0; n < BATCH && this.next < this.limit; n++) {
      const intended = (this.next * 1000) / rate;
      if (intended > now) {
        now = this.now();
        if (intended > now) break;
      } else if (n % CLOCK_EVERY === CLOCK_EVERY - 1) now = this.now();
      this.next++;
      this.send(intended, now);
    }
    if (this.next >= this.limit) {
      this.stopScheduling();
      this.checkDone();
      return;
    }
    // Behind (the batch ran out): continue after pending I/O. Otherwise sleep until the next send is due, at
    // least 1 ms: at high rates each wake-up sends the millisecond's batch (well inside the late threshold)
    // instead of spinning the event loop for sends 0.1 ms apart.
    const wait = (this.next * 1000) / rate - now;
    this.timer = wait < 0 ? setImmediate(this.pumpFn) : setTimeout(this.pumpFn, Math.max(1, wait));
  }

  /**
   * Closed loop only: keeps the event loop turning (a zero-timeout poll for I/O each turn) instead of sleeping
   * in the kernel between responses. Measured on a 2-vCPU VM with the target on the other core (bench/README.md
   * "Busy polling"): a client that sleeps between responses waits for its vCPU to be woken each time and
   * reaches a fifth of the rate of the same client polling. Closed loop is "as fast as possible" and takes a
   * core anyway; the open model never does this (it sleeps until the next send is due).
   */
  private poll(): void {
    if (!this.stopped) setImmediate(this.pollFn);
  }

  private readonly pollFn = (): void => this.poll();

  /** Closed loop: one request per loop, back to back, until duration or count is reached. */
  private loop(now: number): void {
    if (this.stopped) return this.checkDone();
    if (this.next >= this.limit || (this.o.durationMs !== undefined && now >= this.o.durationMs)) {
      this.stopScheduling();
      this.checkDone();
      return;
    }
    this.next++;
    this.send(now, now);
  }

  private send(intended: number, now: number): void {
    const node = this.targets.pick();
    const f = this.free.pop() ?? new Flight();
    f.intended = intended;
    f.sentAt = now;
    f.deadline = now + this.o.timeoutMs;
    f.done = false;
    f.seq = this.next;
    f.node = node;
    this.flights.push(f);
    const late = now - intended > this.o.lateThresholdMs;
    this.buckets.sent(intended, late);
    node?.buckets.sent(intended, late);
    // No address to send to: fails as dns, on a later turn so a closed loop cannot spin synchronously.
    if (!node) {
      const seq = f.seq;
      return void setImmediate(() => f.seq === seq && this.settle(f, null, NO_ADDRESS, this.now()));
    }
    this.targets.send(node, f);
  }

  private finish(f: Flight, failure: FailureKind | null, end: number): void {
    f.done = true;
    const latency = end - f.intended;
    const service = end - f.sentAt;
    this.buckets.completed(f.intended, latency, service, failure);
    f.node?.buckets.completed(f.intended, latency, service, failure);
    if (failure !== null) {
      const at = this.buckets.startEpochMs + f.intended;
      if (at >= this.mark && at < this.firstFailureAfterMark) this.firstFailureAfterMark = at;
    }
    if (this.o.rate === undefined) this.loop(end);
    else this.checkDone();
  }

  /**
   * Deadlines are monotonic (sends happen in time order), so the flights form a FIFO queue. A flight that
   * ended is recycled once it leaves this queue: nothing else holds it then (a connection lets go of a
   * request when it ends, and a pool's waiting list checks `seq` before using an entry).
   */
  private expire(now: number): void {
    while (this.head < this.flights.length) {
      const f = this.flights[this.head] as Flight;
      if (!f.done) {
        if (f.deadline > now) break;
        // A tcp probe only connects: running out of time is a connect timeout. Ended first, then its
        // connection closed (which fails whatever else was on it with the same deadline error).
        this.finish(f, this.tcp ? 'connect_timeout' : 'timeout', now);
        this.targets.abort(f, PROBE_TIMEOUT);
      }
      this.head++;
      f.node = undefined;
      f.conn = undefined;
      this.free.push(f);
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
    const state = { host: this.host, aborted: this.aborted, scheduleEnd: this.scheduleEnd, firstFailureAfterMark: this.firstFailureAfterMark };
    return probeSummary(this.o, this.targets, this.buckets, state, startedAtMs, elapsedMs);
  }
}

/**
 * The open model's warm-up: the same code, at the same rate, against a loopback sink in this process, for
 * `ms`, before the real schedule starts. Measured at 45,000-50,000 req/s (bench/README.md "Open model"): a
 * cold process spends its first second compiling and growing its heap, and sent 4,000-16,000 of that second's
 * requests more than 10 ms late, which a report would show as the service's latency in its baseline; after a
 * 300 ms warm-up, 0-1,000. The sink is never the user's service: no request of the warm-up leaves the
 * machine, and none is counted. An interrupt ends it at once (it is a probe run with the same signal).
 */
const warmUp = (rate: number, ms: number, signal: AbortSignal | undefined): Promise<unknown> =>
  withLoopbackSink((url) => new LoadProbe({ url, rate, durationMs: ms, timeoutMs: 1000, warmUpMs: 0, ...(signal ? { signal } : {}) }).run());

/** Runs a probe to completion; `onSecond` sees each finished second. */
export async function runProbe(opts: ProbeOptions, onSecond?: (s: SecondSummary) => void): Promise<ProbeSummary> {
  const probe = new LoadProbe(opts);
  if (onSecond) probe.on('second', onSecond);
  return probe.run();
}
