/**
 * The ground-truth event log: every observable change, numbered and time-stamped, kept in memory up to a
 * bound, and pushed to subscribers as it happens (tests await events; the data plane follows instance
 * states). Trimming happens in chunks so a long-running sandbox does not pay an O(n) shift per event.
 */
import type { SandboxEvent, SandboxEventBody } from './events.js';

type Subscriber = (e: SandboxEvent) => void;

export class EventLog {
  private readonly log: SandboxEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private dropped = 0;
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly max: number,
  ) {}

  /** `atMs`: when a change stamped itself already (one change, one timestamp everywhere); else now. */
  emit(body: SandboxEventBody, atMs = this.now()): SandboxEvent {
    const event = { ...body, at: new Date(atMs).toISOString(), atMs, seq: ++this.seq };
    this.log.push(event);
    // Keep at most `max`: once 10 % over, drop the oldest down to `max` in one splice.
    if (this.log.length > this.max + Math.max(1, Math.floor(this.max / 10))) {
      const drop = this.log.length - this.max;
      this.log.splice(0, drop);
      this.dropped += drop;
    }
    for (const fn of this.subscribers) fn(event);
    return event;
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Events with seq > sinceSeq (all when 0), oldest first. */
  since(sinceSeq = 0): SandboxEvent[] {
    if (!sinceSeq) return [...this.log];
    // seq is strictly increasing: binary-search the first newer event instead of scanning everything.
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.log[mid] as SandboxEvent).seq <= sinceSeq) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  get droppedCount(): number {
    return this.dropped;
  }
}
