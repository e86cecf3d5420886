/**
 * A Clock (src/core/clock.ts) that moves only when told to: the in-process runner tests' time. Timers fire in
 * time order, each at its own time, as `advance` passes them, so every deadline of a run (hold end, recovery
 * deadline, rollback window and backoff) is reached exactly, and without waiting for it.
 */
import type { Clock } from '../../../src/core/clock.js';

/** A clock that moves only when told to. Timers fire, in time order, as `advance` passes them. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];

  constructor(start = Date.now()) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimer = (fn: () => void, ms: number): (() => void) => {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  };

  /** Moves time forward by `ms`, firing every timer due on the way at its own time. */
  advance(ms: number): void {
    const target = this.t + Math.max(0, ms);
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = target;
  }
}
