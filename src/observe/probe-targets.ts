/**
 * The probe's targets: every address of the probe host (resolve.ts says why all of them), one transport
 * per address (an undici Pool dialling that address with the service's name as Host and SNI, transport.ts),
 * round-robin over the addresses of the last resolution, re-resolved on a timer unless pinned, and each
 * address's own accounting (nodes.ts). The load probe decides WHEN to send; this decides WHERE and HOW.
 */
import { isIP } from 'node:net';
import { Pool, type buildConnector, type Dispatcher } from 'undici';
import { NodeAccount, type NodeSummary } from './nodes.js';
import { connectOnly, exchange, handshakeOnly, type Exchange } from './probe-request.js';
import { bare, pinned, portOf, type Lookup, type ResolveMap } from './resolve.js';
import { transport } from './transport.js';

export interface TargetOptions {
  url: string;
  host?: string | undefined;
  resolve?: ResolveMap | undefined;
  caCert?: string | undefined;
  insecure: boolean;
  mode: 'http' | 'tcp';
  /** Connections per address (a pool's maximum; they open as needed). */
  connections: number;
  timeoutMs: number;
  lookup: Lookup;
  reResolveMs: number;
}

/** `status` is the HTTP status (null on error); a tcp attempt reports 0 on success. */
export type AttemptDone = (status: number | null, err: unknown) => void;

type Node = NodeAccount<Pool | undefined>;

export class ProbeTargets {
  /** What a success is: `tcp` for --probe tcp and for tcp:// and tls:// URLs (discovery's NLB listeners). */
  readonly mode: 'http' | 'tcp';
  /** The URL's scheme (http or https; tls:// counts as https) and port with the Host/SNI name. */
  private readonly origin: URL;
  private readonly port: number;
  private readonly lookupName: string;
  private readonly pins: string[] | undefined;
  private readonly connectors: ReturnType<typeof transport>;
  private readonly handshakeConnectors = new Map<string, buildConnector.connector>();
  private readonly nodes = new Map<string, Node>();
  private active: Node[] = [];
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: TargetOptions) {
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
  }

  /** The Host header / TLS server name in use. */
  get host(): string {
    return this.origin.hostname;
  }

  /** The first resolution (before the schedule starts: a slow resolver must not make the first sends late). */
  async resolveFirst(): Promise<string[]> {
    return (await this.addresses()) ?? [];
  }

  /** Starts the accounting at the probe's start, and the re-resolution timer for a looked-up name. */
  begin(addresses: string[], startEpochMs: number): void {
    this.apply(addresses, startEpochMs);
    if (!this.pins && !isIP(this.lookupName)) {
      this.timer = setInterval(() => {
        void this.addresses().then((a) => a && !this.closed && this.apply(a, startEpochMs));
      }, this.o.reResolveMs);
    }
  }

  /** Round-robin over the addresses of the last resolution: every node gets an even share of requests. */
  pick(): Node | undefined {
    if (this.active.length === 0) return undefined;
    return this.active[this.turn++ % this.active.length];
  }

  /** One attempt against `node`: an HTTP exchange, or (tcp) a TCP connect, plus the TLS handshake for https. */
  attempt(node: Node, request: Dispatcher.DispatchOptions, done: AttemptDone): Exchange {
    if (this.mode === 'tcp') {
      const end = (err: unknown): void => done(err ? null : 0, err);
      if (this.origin.protocol === 'https:') return handshakeOnly(this.handshakeConnector(node.address), this.origin, end);
      return connectOnly(node.address, this.port, end);
    }
    return exchange(node.transport as Pool, request, done);
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
    await Promise.all([...this.nodes.values()].map((n) => (n.transport ? n.transport.destroy().catch(() => undefined) : Promise.resolve())));
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

  private apply(addresses: string[], startEpochMs: number): void {
    for (const n of this.nodes.values()) n.inDns = addresses.includes(n.address);
    this.active = addresses.map((a) => {
      let n = this.nodes.get(a);
      if (!n) this.nodes.set(a, (n = new NodeAccount(a, startEpochMs, this.pool(a))));
      n.inDns = true;
      return n;
    });
  }

  /** One pool per address (http), each dialling that address with the service's name as Host and SNI. */
  private pool(address: string): Pool | undefined {
    if (this.mode === 'tcp') return undefined;
    return new Pool(this.origin.origin, {
      connections: this.o.connections,
      pipelining: 1,
      headersTimeout: this.o.timeoutMs + 1000,
      bodyTimeout: this.o.timeoutMs + 1000,
      keepAliveTimeout: 4000,
      connect: this.connectors.to(address),
    });
  }

  /** tcp over TLS: one connector per address, kept. */
  private handshakeConnector(address: string): buildConnector.connector {
    let c = this.handshakeConnectors.get(address);
    if (!c) this.handshakeConnectors.set(address, (c = this.connectors.to(address)));
    return c;
  }
}
