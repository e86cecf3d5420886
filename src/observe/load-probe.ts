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
 * requests dealt round-robin over them, and re-resolved every minute (resolve.ts says why). Each address is
 * dialled with the service's own name as Host and TLS server name (transport.ts), and accounted on its own
 * (nodes.ts) beside the overall figures.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { latencyFigures, SecondBuckets, type FailureKind, type LatencyFigures, type SecondSummary } from './buckets.js';
import { NodeAccount, type NodeSummary } from './nodes.js';
import { certificateErrorOf, classifyError, connectOnly, exchange, type Exchange } from './probe-request.js';
import { bare, pinned, portOf, systemLookup, type Lookup, type ResolveMap } from './resolve.js';
import { transport, type CertificateError } from './transport.js';

export interface ProbeOptions {
  url: string;
  /** Requests per second (open model). Omit for closed-loop mode. */
  rate?: number;
  /** Pool connections. Default: closed loop 10; open model enough to keep rate × timeout requests in flight. */
  connections?: number;
  /** Stop scheduling after this long (ms). At least one of durationMs / maxRequests is required. */
  durationMs?: number;
  maxRequests?: number;
  /** Per-request deadline from its actual send, ms. Default 2000. */
  timeoutMs?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Statuses counted as ok. Default: any 2xx or 3xx. */
  expectStatus?: number[];
  /** A send starting more than this after its intended time is `late`. Default 10 ms. */
  lateThresholdMs?: number;
  /** Event-loop lag above which a second is marked saturated. Default 100 ms. */
  lagThresholdMs?: number;
  signal?: AbortSignal;
  /** Host header and TLS server name; default the URL's hostname. The connection still goes to the URL's host's addresses. */
  host?: string;
  /** Pinned addresses keyed `host:port` (--resolve); matched on the URL's host, then on `host`. */
  resolve?: ResolveMap;
  /** PEM text of a CA to trust besides the default ones. */
  caCert?: string;
  /** No certificate verification (--insecure). */
  insecure?: boolean;
  /** The AZ of a load balancer node's address, for the per-node figures. */
  nodeAz?: (address: string) => string | undefined;
  /** http (default): a request and its status; tcp: only the TCP handshake. */
  mode?: 'http' | 'tcp';
  /** Address look-up (all A and AAAA addresses); default dns.promises.lookup. */
  lookup?: Lookup;
  /** Re-resolve the host this often (ms) when not pinned; default 60 000, the ALB's DNS TTL. */
  reResolveMs?: number;
}

export interface ProbeSummary {
  url: string;
  /** Host header and TLS server name the probe used. */
  host: string;
  /** What a success is: an HTTP exchange, or only a TCP handshake (--probe tcp). */
  transport: 'http' | 'tcp';
  /** Certificate verification was off (--insecure). */
  insecure: boolean;
  mode: 'open' | 'closed';
  rate: number | null;
  connections: number;
  startedAtMs: number;
  elapsedMs: number;
  aborted: boolean;
  sent: number;
  ok: number;
  failed: number;
  late: number;
  /** ok / sent; null when nothing was sent. */
  availability: number | null;
  achievedRate: number;
  latencyMs: LatencyFigures;
  serviceMs: LatencyFigures;
  errorsByKind: Partial<Record<FailureKind, number>>;
  /** Epoch ms of the intended send time of the first failed request (after `markFrom`, if set). */
  firstFailureAtMs: number | null;
  saturatedSeconds: number;
  perSecond: SecondSummary[];
  /** Summaries dropped beyond the 24 h record cap. */
  droppedSeconds: number;
  /** Every address probed, with its own figures. */
  nodes: NodeSummary[];
}

export interface ProbeEvents {
  second: [SecondSummary];
  done: [ProbeSummary];
}

interface Flight {
  intended: number;
  sentAt: number;
  deadline: number;
  done: boolean;
  exchange: Exchange | undefined;
  then: (() => void) | undefined;
  node: NodeAccount<Pool | undefined> | undefined;
}

const TICK_MS = 25;
const PROBE_TIMEOUT = Object.assign(new Error('probe deadline exceeded'), { code: 'PROBE_TIMEOUT' });
const NO_ADDRESS = Object.assign(new Error('the probe host has no address'), { code: 'ENOTFOUND' });
type Opts = Required<Omit<ProbeOptions, 'rate' | 'durationMs' | 'maxRequests' | 'headers' | 'body' | 'expectStatus' | 'signal' | 'host' | 'resolve' | 'caCert' | 'nodeAz'>> & ProbeOptions;

export class LoadProbe extends EventEmitter<ProbeEvents> {
  private readonly o: Opts;
  private readonly request: Dispatcher.DispatchOptions;
  /** Where pools send their requests: the URL's scheme and port with the Host/SNI name. */
  private readonly origin: string;
  private readonly port: number;
  private readonly lookupName: string;
  private readonly pins: string[] | undefined;
  private readonly nodes = new Map<string, NodeAccount<Pool | undefined>>();
  private active: NodeAccount<Pool | undefined>[] = [];
  private turn = 0;
  private resolveTimer: NodeJS.Timeout | undefined;
  private certProblem: CertificateError | undefined;
  private readonly connectors: ReturnType<typeof transport>;
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
    const origin = new URL(url.origin);
    if (opts.host) origin.hostname = opts.host;
    this.origin = origin.origin;
    this.port = portOf(url);
    this.lookupName = bare(url.hostname);
    this.pins = pinned(opts.resolve, url.hostname, this.port) ?? (opts.host ? pinned(opts.resolve, opts.host, this.port) : undefined);
    this.request = {
      path: url.pathname + url.search,
      method: this.o.method,
      ...(opts.headers ? { headers: opts.headers } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    };
    const byDuration = opts.durationMs === undefined ? Infinity : opts.rate ? Math.ceil((opts.durationMs * opts.rate) / 1000) : Infinity;
    this.total = Math.min(opts.maxRequests ?? Infinity, byDuration);
    this.limit = this.total;
    // undici's own timers are a backstop only (the probe's deadline fires first); the connect timeout gets
    // half the budget so a dropped SYN (e.g. a blackholed subnet) reads as connect_timeout, not timeout.
    this.connectors = transport({
      connectTimeoutMs: Math.max(1, Math.floor(timeoutMs / 2)),
      ...(opts.caCert ? { caCert: opts.caCert } : {}),
      insecure: this.o.insecure,
    });
  }

  /** The Host header / TLS server name in use. */
  get host(): string {
    return new URL(this.origin).hostname;
  }

  /** The first certificate failure seen (what the certificate covers), for the baseline's refusal. */
  certificateProblem(): CertificateError | undefined {
    return this.certProblem;
  }

  /** One pool per address (http), each dialling that address with the service's name as Host and SNI. */
  private pool(address: string): Pool | undefined {
    if (this.o.mode === 'tcp') return undefined;
    const timeoutMs = this.o.timeoutMs;
    return new Pool(this.origin, {
      connections: this.o.connections,
      pipelining: 1,
      headersTimeout: timeoutMs + 1000,
      bodyTimeout: timeoutMs + 1000,
      keepAliveTimeout: 4000,
      connect: this.connectors.to(address),
    });
  }

  /**
   * (Re-)resolves the probe host: pinned addresses, an address literal, or every A/AAAA address. A failed
   * look-up keeps the addresses known so far (a resolver hiccup is not an outage of the service); with none,
   * requests fail as `dns`.
   */
  private async resolveNodes(startEpochMs: number): Promise<void> {
    let addresses: string[];
    if (this.pins) addresses = this.pins;
    else if (isIP(this.lookupName)) addresses = [this.lookupName];
    else {
      try {
        addresses = await this.o.lookup(this.lookupName);
      } catch {
        return;
      }
      if (this.stopped && this.nodes.size) return;
    }
    for (const n of this.nodes.values()) n.inDns = addresses.includes(n.address);
    this.active = addresses.map((a) => {
      let n = this.nodes.get(a);
      if (!n) this.nodes.set(a, (n = new NodeAccount(a, startEpochMs, this.pool(a))));
      n.inDns = true;
      return n;
    });
  }

  /** Epoch ms from which `firstFailureAtMs` is tracked (e.g. t0, when the fault's call returned). */
  markFrom(epochMs: number): void {
    this.mark = epochMs;
    this.firstFailureAfterMark = Infinity;
  }

  async run(): Promise<ProbeSummary> {
    // Resolved before the schedule starts: a slow resolver must not make the first requests late.
    const firstResolve = Date.now();
    await this.resolveNodes(firstResolve);
    const startedAtMs = Date.now();
    this.t0 = performance.now();
    // Node buckets were created with the look-up's start; realign them to the probe's own start.
    if (startedAtMs !== firstResolve) for (const [a, n] of this.nodes) this.nodes.set(a, new NodeAccount(a, startedAtMs, n.transport));
    this.active = this.active.map((n) => this.nodes.get(n.address) as NodeAccount<Pool | undefined>);
    if (!this.pins && !isIP(this.lookupName)) {
      this.resolveTimer = setInterval(() => void this.resolveNodes(startedAtMs), this.o.reResolveMs);
    }
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
      for (const n of this.nodes.values()) n.buckets.flush(closed);
      this.buckets.flush(closed, (s) => this.emit('second', s));
      this.checkDone();
    }, TICK_MS);

    if (!this.stopped) {
      if (rate) this.pump();
      else for (let c = 0; c < this.o.connections; c++) this.loop();
    }
    await done;
    clearInterval(ticker);
    clearInterval(this.resolveTimer);
    this.o.signal?.removeEventListener('abort', onAbort);
    const elapsedMs = this.now();
    // Seconds run up to where scheduling stopped, not to when the last straggler finished: a trailing
    // second in which nothing was due is not a second of measurement.
    for (const n of this.nodes.values()) n.buckets.finish(this.scheduleEnd);
    this.buckets.finish(this.scheduleEnd, (s) => this.emit('second', s));
    await Promise.all([...this.nodes.values()].map((n) => (n.transport ? n.transport.destroy().catch(() => undefined) : Promise.resolve())));
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

  /** Round-robin over the addresses of the last resolution: every node gets an even share of requests. */
  private pick(): NodeAccount<Pool | undefined> | undefined {
    if (this.active.length === 0) return undefined;
    return this.active[this.turn++ % this.active.length];
  }

  private send(intended: number, now: number, then?: () => void): void {
    const node = this.pick();
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
    if (this.o.mode === 'tcp') {
      f.exchange = connectOnly(node.address, this.port, (err) => (err ? failed(err) : !f.done && this.finish(f, null)));
      return;
    }
    f.exchange = exchange(node.transport as Pool, this.request, (status, err) => {
      if (f.done) return;
      if (status === null) return failed(err);
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
        this.finish(f, this.o.mode === 'tcp' ? 'connect_timeout' : 'timeout');
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
      transport: this.o.mode,
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
      nodes: [...this.nodes.values()].map((n) => n.summary(this.o.nodeAz?.(n.address))),
    };
  }
}

/** Runs a probe to completion; `onSecond` sees each finished second. */
export async function runProbe(opts: ProbeOptions, onSecond?: (s: SecondSummary) => void): Promise<ProbeSummary> {
  const probe = new LoadProbe(opts);
  if (onSecond) probe.on('second', onSecond);
  return probe.run();
}
