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
import { sleep, type Clock } from '../core/clock.js';
import type { RollbackSection } from './types.js';
import type { Rollback, RollbackResult } from '../faults/types.js';

export interface UnwindResult {
  status: RollbackSection['status'];
  remaining: string[];
  /** Every rollback run's own result, oldest pass first (a fault's report section reads its own). */
  results: RollbackResult[];
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

  private readonly now: () => number;

  constructor(private readonly clock: Clock) {
    this.now = () => clock.now();
  }

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
      await sleep(this.clock, delay);
      delay = Math.min(delay * 2, p.maxBackoffMs ?? 5_000);
    }
  }

  private async withDeadline(run: Promise<UnwindResult>, deadline: number, windowMs: number): Promise<UnwindResult> {
    let cancel: (() => void) | undefined;
    const expired = new Promise<'expired'>((res) => {
      cancel = this.clock.setTimer(() => res('expired'), Math.max(0, deadline - this.now()));
    });
    try {
      const r = await Promise.race([run, expired]);
      if (r !== 'expired') return r;
    } finally {
      cancel?.();
    }
    // The AWS calls still in flight may yet succeed; until a describe proves it, they count as not done.
    const pending = [...this.inFlight, ...this.stack];
    const out: UnwindResult = {
      status: 'incomplete',
      remaining: pending.map((r) => `${r.description}: no answer from AWS within the rollback deadline (${Math.round(windowMs / 1000)}s)`),
      results: [...(this.result?.results ?? [])],
      atMs: this.now(),
    };
    this.result = out;
    return out;
  }

  private async doUnwind(): Promise<UnwindResult> {
    if (this.stack.length === 0) return (this.result ??= { status: 'not-needed', remaining: [], results: [], atMs: this.now() });
    const prev = this.result;
    const out: UnwindResult = { status: 'complete', remaining: [], results: [...(prev?.results ?? [])], atMs: this.now() };
    const batch = this.stack.splice(0).reverse();
    this.inFlight = [...batch];
    const failed: Rollback[] = [];
    for (const r of batch) {
      try {
        const res = await r.run();
        out.results.push(res);
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
