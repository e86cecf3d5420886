/**
 * The probe's targets: every address of the probe host (resolve.ts says why all of them), one transport
 * per address (a NodePool dialling that address with the service's name as Host and SNI, transport.ts),
 * round-robin over the addresses of the last resolution, re-resolved on a timer unless pinned, and each
 * address's own accounting (nodes.ts). The load probe decides WHEN to send; this decides WHERE and HOW.
 */
import { isIP } from 'node:net';
import { NodePool, type PoolOwner, type PoolRequest } from './conn-pool.js';
import { requestBytes } from './http1.js';
import { NodeAccount, type NodeSummary } from './nodes.js';
import { connectOnly, handshakeOnly, type Exchange } from './probe-request.js';
import { bare, pinned, portOf, type Lookup, type ResolveMap } from './resolve.js';
import { transport, type Connector, type DialTarget } from './transport.js';

export interface TargetOptions {
  url: string;
  host?: string | undefined;
  resolve?: ResolveMap | undefined;
  caCert?: string | undefined;
  insecure: boolean;
  mode: 'http' | 'tcp';
  /** Connections per address (a pool's maximum; they open as needed). */
  connections: number;
  /** Requests in flight per connection: 1 except in closed-loop pipelining mode. */
  pipelining: number;
  timeoutMs: number;
  method: string;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  lookup: Lookup;
  reResolveMs: number;
}

/** A probe request as the targets see it: its pool bookkeeping, its node, and a tcp attempt in progress. */
export interface TargetRequest extends PoolRequest {
  node: NodeAccount<NodePool<TargetRequest> | undefined> | undefined;
  exchange: Exchange | undefined;
}

/** One request of the load probe (load-probe.ts), recycled once it ended and left the deadline queue. */
export class Flight implements TargetRequest {
  intended = 0;
  sentAt = 0;
  deadline = 0;
  done = false;
  seq = 0;
  conn: TargetRequest['conn'] = undefined;
  exchange: TargetRequest['exchange'] = undefined;
  node: TargetRequest['node'] = undefined;
}

type Node = NodeAccount<NodePool<TargetRequest> | undefined>;

export class ProbeTargets {
  /** What a success is: `tcp` for --probe tcp and for tcp:// and tls:// URLs (discovery's NLB listeners). */
  readonly mode: 'http' | 'tcp';
  /** The URL's scheme (http or https; tls:// counts as https) and port with the Host/SNI name. */
  private readonly origin: URL;
  private readonly port: number;
  private readonly lookupName: string;
  private readonly pins: string[] | undefined;
  private readonly connectors: ReturnType<typeof transport>;
  private readonly dialTarget: DialTarget;
  private readonly request: Buffer;
  private readonly handshakeConnectors = new Map<string, Connector>();
  private readonly nodes = new Map<string, Node>();
  private active: Node[] = [];
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private startEpochMs: number | undefined;
  private closed = false;

  constructor(
    private readonly o: TargetOptions,
    private readonly owner: PoolOwner<TargetRequest>,
  ) {
    const url = new URL(o.url);
    const secure = url.protocol === 'https:' || url.protocol === 'tls:';
    this.mode = url.protocol === 'tcp:' || url.protocol === 'tls:' ? 'tcp' : o.mode;
    this.port = portOf(url);
    this.origin = new URL(`${secure ? 'https' : 'http'}://${o.host ?? url.hostname}`);
    this.origin.port = String(this.port);
    this.lookupName = bare(url.hostname);
    // curl matches --resolve on the URL's host; the Host/SNI name is tried too (a pin for the service name).
    this.pins = pinned(o.resolve, url.hostname, this.port) ?? (o.host ? pinned(o.resolve, o.host, this.port) : undefined);
    // undici's own timers are a backstop only (the probe's deadline fires first); the connect timeout gets
    // half the budget so a dropped SYN (e.g. a blackholed subnet) reads as connect_timeout, not timeout.
    this.connectors = transport({ connectTimeoutMs: Math.max(1, Math.floor(o.timeoutMs / 2)), ...(o.caCert ? { caCert: o.caCert } : {}), insecure: o.insecure });
    this.dialTarget = { protocol: secure ? 'https:' : 'http:', servername: bare(this.origin.hostname), port: this.port };
    // Every request of a probe is the same bytes: built once (Host = the service's name, with a non-default port).
    this.request = requestBytes({ method: o.method, path: url.pathname + url.search, host: this.origin.host, headers: o.headers, body: o.body });
  }

  /** The Host header / TLS server name in use. */
  get host(): string {
    return this.origin.hostname;
  }

  /** The first resolution (before the schedule starts: a slow resolver must not make the first sends late). */
  async resolveFirst(): Promise<string[]> {
    return (await this.addresses()) ?? [];
  }

  /** The nodes of the first resolution, with their pools (nothing is dialled yet). */
  prepare(addresses: string[]): void {
    this.apply(addresses);
  }

  /** Starts the accounting at the probe's start, and the re-resolution timer for a looked-up name. */
  begin(startEpochMs: number): void {
    this.startEpochMs = startEpochMs;
    for (const n of this.nodes.values()) n.start(startEpochMs);
    if (!this.pins && !isIP(this.lookupName)) {
      this.timer = setInterval(() => {
        void this.addresses().then((a) => a && !this.closed && this.apply(a));
      }, this.o.reResolveMs);
    }
  }

  /** Round-robin over the addresses of the last resolution: every node gets an even share of requests. */
  pick(): Node | undefined {
    if (this.active.length === 0) return undefined;
    return this.active[this.turn++ % this.active.length];
  }

  /** One attempt against `node`: an HTTP request on its pool, or (tcp) a TCP connect, plus the TLS handshake for https. */
  send(node: Node, r: TargetRequest): void {
    if (this.mode === 'http') return (node.transport as NodePool<TargetRequest>).dispatch(r);
    const end = (err: unknown): void => {
      r.exchange = undefined;
      this.owner.settle(r, err ? null : 0, err, this.owner.now());
    };
    r.exchange = this.origin.protocol === 'https:' ? handshakeOnly(this.handshakeConnector(node.address), this.dialTarget, end) : connectOnly(node.address, this.port, end);
  }

  /** Ends `r` now (its deadline): the connection it is on is closed, which fails what else is on it. */
  abort(r: TargetRequest, reason: Error): void {
    if (r.conn) r.conn.destroy(reason);
    else if (r.exchange) {
      r.exchange.abort(reason);
      r.exchange = undefined;
    }
  }

  /** Opens `perNode` connections to every node before the first send (open model). */
  async warm(perNode: number): Promise<void> {
    if (this.mode !== 'http') return;
    await Promise.all(this.active.map((n) => n.transport?.warm(perNode) ?? Promise.resolve()));
  }

  /** Closes connections idle past the keep-alive margin. */
  sweep(now: number): void {
    for (const n of this.nodes.values()) n.transport?.sweep(now);
  }

  /** Every node's seconds that can no longer change (see SecondBuckets.flush). */
  flush(closedBeforeMs: number): void {
    for (const n of this.nodes.values()) n.buckets.flush(closedBeforeMs);
  }

  finish(endMs: number): void {
    for (const n of this.nodes.values()) n.buckets.finish(endMs);
  }

  summaries(nodeAz: ((address: string) => string | undefined) | undefined): NodeSummary[] {
    return [...this.nodes.values()].map((n) => n.summary(nodeAz?.(n.address)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const n of this.nodes.values()) n.transport?.close();
  }

  /**
   * Pinned addresses, an address literal, or every A/AAAA address. A failed look-up returns undefined: the
   * addresses known so far stay in use (a resolver hiccup is not an outage of the service); with none,
   * requests fail as `dns`.
   */
  private async addresses(): Promise<string[] | undefined> {
    if (this.pins) return this.pins;
    if (isIP(this.lookupName)) return [this.lookupName];
    try {
      return await this.o.lookup(this.lookupName);
    } catch {
      return undefined;
    }
  }

  private apply(addresses: string[]): void {
    for (const n of this.nodes.values()) n.inDns = addresses.includes(n.address);
    this.active = addresses.map((a) => {
      let n = this.nodes.get(a);
      if (!n) {
        this.nodes.set(a, (n = new NodeAccount(a, this.pool(a))));
        if (this.startEpochMs !== undefined) n.start(this.startEpochMs);
      }
      n.inDns = true;
      return n;
    });
  }

  /** One pool per address (http), each dialling that address with the service's name as Host and SNI. */
  private pool(address: string): NodePool<TargetRequest> | undefined {
    if (this.mode === 'tcp') return undefined;
    const connector = this.connectors.to(address);
    const target = this.dialTarget;
    return new NodePool<TargetRequest>(
      { dial: (cb) => connector(target, cb), request: this.request, headRequest: this.o.method === 'HEAD', max: this.o.connections, depth: this.o.pipelining },
      this.owner,
    );
  }

  /** tcp over TLS: one connector per address, kept. */
  private handshakeConnector(address: string): Connector {
    let c = this.handshakeConnectors.get(address);
    if (!c) this.handshakeConnectors.set(address, (c = this.connectors.to(address)));
    return c;
  }
}
