/**
 * The undo stack. A fault registers its Rollback the moment its first mutation may have happened; the runner
 * unwinds the stack — newest first — at the end of the hold, on a stop condition, on any error and on an
 * interrupt, and once more in `finally` (a no-op when already done). Each rollback runs at most once; one that
 * throws is reported as remaining damage and never stops the others from running.
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

export class RollbackStack {
  private readonly stack: Rollback[] = [];
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

  private async doUnwind(): Promise<UnwindResult> {
    if (this.stack.length === 0) return (this.result ??= { status: 'not-needed', remaining: [], changes: [], verification: [], atMs: this.now() });
    const prev = this.result;
    const out: UnwindResult = { status: 'complete', remaining: [], changes: [...(prev?.changes ?? [])], verification: [], atMs: this.now() };
    const batch = this.stack.splice(0).reverse();
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
    }
    // Kept for a later unwind (e.g. the one in finally), in their original order.
    this.stack.push(...failed.reverse());
    out.status = out.remaining.length ? 'incomplete' : 'complete';
    out.atMs = this.now();
    this.result = out;
    return out;
  }
}
