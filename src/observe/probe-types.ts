/**
 * What the load probe is asked to do (ProbeOptions) and what it reports (ProbeSummary, its events): the
 * probe's contract with the runner, the `probe` command and the report, apart from how it does it.
 */
import type { FailureKind, LatencyFigures, SecondSummary } from './buckets.js';
import type { NodeSummary } from './nodes.js';
import type { Lookup, ResolveMap } from './resolve.js';

export interface ProbeOptions {
  url: string;
  /** Requests per second (open model). Omit for closed-loop mode. */
  rate?: number;
  /** Connections per address. Default: closed loop 10; open model enough to keep rate × timeout requests in flight. */
  connections?: number;
  /**
   * Closed loop only: requests in flight per connection (HTTP/1.1 pipelining), like autocannon's -p. Refused
   * with a rate: in the open model a request queued behind another would wait for it. Default 1.
   */
  pipelining?: number;
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
  /** http (default): a request and its status; tcp: only the TCP handshake (and TLS handshake for https). */
  mode?: 'http' | 'tcp';
  /** Address look-up (all A and AAAA addresses); default dns.promises.lookup. */
  lookup?: Lookup;
  /** Re-resolve the host this often (ms) when not pinned; default 60 000, the ALB's DNS TTL. */
  reResolveMs?: number;
  /**
   * Open model: ms of this probe's own code run at the asked rate against an in-process loopback sink before
   * the schedule starts (never the service), so its first second measures the service, not cold code. Default
   * 300 above 1,000 req/s, else 0 (load-probe.ts says why).
   */
  warmUpMs?: number;
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
  /** Requests in flight per connection, when closed-loop pipelining was asked for. */
  pipelining?: number;
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
