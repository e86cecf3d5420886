/**
 * The stallActions knob (knobs.ts): counts the calls of each listed Action and holds the ones past `after`
 * open without an answer, recording an `api-stalled` event for each, so a test can kill a client at an
 * exact point inside a sequence of calls instead of racing a timer. A held call never blocks shutdown:
 * close() answers every one of them 503 before the server stops.
 */
import type { SandboxContext } from '../context.js';
import type { StallRule } from '../knobs.js';
import { ApiError } from './errors.js';

interface Held {
  action: string;
  resolve: () => void;
  reject: (err: ApiError) => void;
}

export interface StallTicket {
  action: string;
  call: number;
  applied: boolean;
}

export class StallGate {
  /** Calls per action since `rules` was set: a new list (setKnobs copies) starts the count again. */
  private readonly counts = new Map<string, number>();
  private rules: readonly StallRule[] | undefined;
  private readonly held = new Set<Held>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly ctx: SandboxContext) {
    this.unsubscribe = ctx.world.subscribe((e) => {
      if (e.type === 'knob' && e.name === 'stallActions') this.releaseUnlisted();
    });
  }

  /** Counts one call of `action`; returns a ticket when this call is to be held. */
  admit(action: string): StallTicket | undefined {
    const rules = this.ctx.knobs.stallActions;
    if (rules !== this.rules) {
      this.rules = rules;
      this.counts.clear();
    }
    const rule = rules.find((r) => r.action === action);
    if (!rule) return undefined;
    const call = (this.counts.get(action) ?? 0) + 1;
    this.counts.set(action, call);
    return call > rule.after ? { action, call, applied: rule.applied ?? false } : undefined;
  }

  /** Resolves when the ticket's action leaves the knob; rejects with a 503 when the sandbox closes. */
  hold(ticket: StallTicket): Promise<void> {
    if (this.closed) return Promise.reject(shuttingDown());
    return new Promise<void>((resolve, reject) => {
      this.held.add({ action: ticket.action, resolve, reject });
      const held = [...this.held].filter((h) => h.action === ticket.action).length;
      this.ctx.world.emit({ type: 'api-stalled', action: ticket.action, call: ticket.call, held, applied: ticket.applied });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.release(() => true, 'closed');
  }

  private releaseUnlisted(): void {
    const listed = new Set(this.ctx.knobs.stallActions.map((r) => r.action));
    this.release((h) => !listed.has(h.action), 'knob-cleared');
  }

  private release(which: (h: Held) => boolean, reason: 'knob-cleared' | 'closed'): void {
    const released = new Map<string, number>();
    for (const h of [...this.held]) {
      if (!which(h)) continue;
      this.held.delete(h);
      released.set(h.action, (released.get(h.action) ?? 0) + 1);
      if (reason === 'closed') h.reject(shuttingDown());
      else h.resolve();
    }
    for (const [action, n] of released) this.ctx.world.emit({ type: 'api-released', action, released: n, reason });
  }
}

function shuttingDown(): ApiError {
  return new ApiError('ServiceUnavailable', 'The sandbox is shutting down; the held call was not completed (sandbox knob stallActions).', 503);
}
