/**
 * The probe's per-node accounting: one set of per-second buckets per address probed, beside the probe's
 * overall ones, so the report can show each load balancer node (and through its network interface, its AZ)
 * on its own. A request counts for exactly one node: the one it was sent to (sent == ok + failed per node).
 */
import { latencyFigures, SecondBuckets, type FailureKind, type SecondSummary } from './buckets.js';

/** One node's second: what was sent to it in that second (by intended send time) and how it ended. */
export interface NodeSecond {
  t: number;
  sent: number;
  ok: number;
  failed: number;
  p99: number | null;
  errorsByKind: Partial<Record<FailureKind, number>>;
}

export interface NodeSummary {
  address: string;
  /** The AZ of the load balancer node behind this address; absent when unknown (e.g. --url). */
  az?: string;
  sent: number;
  ok: number;
  failed: number;
  /** ok / sent; null when nothing was sent to this address. */
  availability: number | null;
  p99Ms: number | null;
  errorsByKind: Partial<Record<FailureKind, number>>;
  /** Whether the last resolution still returned this address (pinned addresses always do). */
  inDns: boolean;
  seconds: NodeSecond[];
}

/** One address's accounting; `T` is the transport state the probe keeps with it (its connection pool). */
export class NodeAccount<T = unknown> {
  /** Created when the probe's clock starts (connections may be opened and warmed before that). */
  buckets!: SecondBuckets;
  inDns = true;

  constructor(
    readonly address: string,
    readonly transport: T,
  ) {}

  start(startEpochMs: number): void {
    this.buckets = new SecondBuckets({ startEpochMs });
  }

  summary(az: string | undefined): NodeSummary {
    const { sent, ok, failed, errorsByKind } = this.buckets.totals;
    return {
      address: this.address,
      ...(az ? { az } : {}),
      sent,
      ok,
      failed,
      availability: sent ? ok / sent : null,
      p99Ms: latencyFigures(this.buckets.latency).p99,
      errorsByKind: { ...errorsByKind },
      inDns: this.inDns,
      seconds: this.buckets.records.map(nodeSecond),
    };
  }
}

const nodeSecond = (s: SecondSummary): NodeSecond => ({ t: s.t, sent: s.sent, ok: s.ok, failed: s.failed, p99: s.p99, errorsByKind: s.errorsByKind });
