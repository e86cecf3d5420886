/**
 * The undo stack. A fault registers its Rollback the moment its first mutation may have happened; the runner
 * unwinds the stack — newest first — at the end of the hold, on a stop condition, on any error and on an
 * interrupt. Each rollback runs at most once per pass; one that throws is reported as remaining damage and
 * never stops the others from running.
 *
 * `unwindWithin` is what the runner uses: an AWS API that fails for a few seconds (throttling, a 5xx burst)
 * must not leave an AZ dark, so failed rollbacks are retried with backoff for a bounded window; and an API
 * that does not answer at all must not hang the exit, so the whole unwind has a deadline. When either runs
 * out, the result is 'incomplete' (exit 4) and the resources' tags let `recover` finish the job.
 */
import type { AssociationChange, RestoreCheck, RollbackSection } from './types.js';
import type { Rollback } from '../faults/types.js';

export interface UnwindResult {
  status: RollbackSection['status'];
  remaining: string[];
  changes: AssociationChange[];
  verification: RestoreCheck[];
  atMs: number;
}

export interface UnwindPolicy {
  /** Retries and the overall deadline both end this long after the unwind started. */
  windowMs: number;
  /** First backoff; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Told before each retry (for the timeline). */
  onRetry?: (r: UnwindResult, delayMs: number) => void;
}

export class RollbackStack {
  private readonly stack: Rollback[] = [];
  private inFlight: Rollback[] = [];
  private result: UnwindResult | undefined;
  private running: Promise<UnwindResult> | undefined;

  constructor(private readonly now: () => number) {}

  register(r: Rollback): void {
    this.stack.push(r);
  }

  get registered(): number {
    return this.stack.length;
  }

  /** The last unwind's result (undefined if nothing was ever unwound). */
  get last(): UnwindResult | undefined {
    return this.result;
  }

  /** Unwinds everything registered and not yet undone; concurrent callers share one unwind. */
  unwind(): Promise<UnwindResult> {
    this.running ??= this.doUnwind().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Unwinds, retrying what failed with backoff until complete or `windowMs` has passed (then: incomplete). */
  async unwindWithin(p: UnwindPolicy): Promise<UnwindResult> {
    const deadline = this.now() + p.windowMs;
    let delay = p.backoffMs ?? 500;
    for (;;) {
      const r = await this.withDeadline(this.unwind(), deadline, p.windowMs);
      if (r.status !== 'incomplete') return r;
      if (this.stack.length === 0 || this.now() + delay >= deadline) return r;
      p.onRetry?.(r, delay);
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, p.maxBackoffMs ?? 5_000);
    }
  }

  private async withDeadline(run: Promise<UnwindResult>, deadline: number, windowMs: number): Promise<UnwindResult> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((res) => {
      timer = setTimeout(() => res('expired'), Math.max(0, deadline - this.now()));
    });
    try {
      const r = await Promise.race([run, expired]);
      if (r !== 'expired') return r;
    } finally {
      clearTimeout(timer);
    }
    // The AWS calls still in flight may yet succeed; until a describe proves it, they count as not done.
    const pending = [...this.inFlight, ...this.stack];
    const out: UnwindResult = {
      status: 'incomplete',
      remaining: pending.map((r) => `${r.description}: no answer from AWS within the rollback deadline (${Math.round(windowMs / 1000)}s)`),
      changes: [...(this.result?.changes ?? [])],
      verification: [],
      atMs: this.now(),
    };
    this.result = out;
    return out;
  }

  private async doUnwind(): Promise<UnwindResult> {
    if (this.stack.length === 0) return (this.result ??= { status: 'not-needed', remaining: [], changes: [], verification: [], atMs: this.now() });
    const prev = this.result;
    const out: UnwindResult = { status: 'complete', remaining: [], changes: [...(prev?.changes ?? [])], verification: [], atMs: this.now() };
    const batch = this.stack.splice(0).reverse();
    this.inFlight = [...batch];
    const failed: Rollback[] = [];
    for (const r of batch) {
      try {
        const res = await r.run();
        out.changes.push(...(res.changes ?? []));
        out.verification.push(...(res.verification ?? []));
        if (!res.complete) {
          out.remaining.push(...res.remaining);
          failed.push(r);
        }
      } catch (err) {
        out.remaining.push(`${r.description}: ${(err as Error)?.message ?? String(err)}`);
        failed.push(r);
      }
      this.inFlight = this.inFlight.filter((x) => x !== r);
    }
    // Kept for a retry, in their original order.
    this.stack.push(...failed.reverse());
    out.status = out.remaining.length ? 'incomplete' : 'complete';
    out.atMs = this.now();
    this.result = out;
    return out;
  }
}
