/**
 * Per-second traffic counters for a load balancer, published as one `lb-second` event per second that saw
 * requests. A request is counted in the second it ARRIVED (as a client counts by send time), with the status
 * it finally got; requests that never got an answer count as 'no-response'. A second is published once all
 * its requests have finished, so the counts are final.
 */
import type { World } from '../world/world.js';

interface Bucket {
  requests: number;
  pending: number;
  byStatus: Record<string, number>;
}

export class TrafficStats {
  private readonly buckets = new Map<number, Bucket>();

  constructor(
    private readonly world: World,
    private readonly loadBalancerArn: string,
  ) {}

  /**
   * Call when a request arrives; call the returned function once with its outcome (an NLB counts
   * connections: 'connected' or 'reset').
   */
  begin(): (status: number | 'no-response' | 'connected' | 'reset') => void {
    const second = Math.floor(this.world.now() / 1000);
    let b = this.buckets.get(second);
    if (!b) this.buckets.set(second, (b = { requests: 0, pending: 0, byStatus: {} }));
    b.requests++;
    b.pending++;
    let done = false;
    const bucket = b;
    return (status) => {
      if (done) return;
      done = true;
      bucket.pending--;
      bucket.byStatus[String(status)] = (bucket.byStatus[String(status)] ?? 0) + 1;
    };
  }

  /** Publishes every finished second before now (call about once a second; `force` flushes all, on close). */
  flush(force = false): void {
    const nowSecond = Math.floor(this.world.now() / 1000);
    for (const [second, b] of [...this.buckets].sort((x, y) => x[0] - y[0])) {
      if (!force && (second >= nowSecond || b.pending > 0)) continue;
      this.buckets.delete(second);
      this.world.emit({
        type: 'lb-second',
        loadBalancerArn: this.loadBalancerArn,
        second: new Date(second * 1000).toISOString(),
        requests: b.requests,
        byStatus: b.byStatus,
      });
    }
  }
}
