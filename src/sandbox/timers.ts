/**
 * Every timer the sandbox starts goes through here, so stopping the sandbox clears all of them at once and
 * no callback fires into a closed world (tests start and stop many sandboxes in one process).
 *
 * `after` never fires before `ms` has passed on `now`, the clock the World stamps its events with. Node's
 * setTimeout runs on libuv's monotonic clock truncated to milliseconds, so measured with Date.now() it can
 * fire about a millisecond early: a 2300 ms boot showed up in the event log as 2299 ms. The log is ground
 * truth, so a modelled duration must hold on its clock: a timer that fires early re-arms for the remainder.
 */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();
  /** First handle of a re-armed `after` → the timeout now pending for it, so `cancel` keeps working. */
  private readonly rearmed = new Map<NodeJS.Timeout, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  after(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const dueMs = this.now() + Math.max(0, ms);
    // The first handle stands for the timer for its whole life (cancel takes it), whatever it is re-armed as.
    let first: NodeJS.Timeout | undefined = undefined;
    const arm = (wait: number): NodeJS.Timeout => {
      const h = setTimeout(() => {
        this.handles.delete(h);
        if (this.closed) return;
        const left = dueMs - this.now();
        if (left > 0) {
          this.rearmed.set(first!, arm(left));
          return;
        }
        this.rearmed.delete(first!);
        fn();
      }, wait);
      this.handles.add(h);
      return h;
    };
    first = arm(Math.max(0, ms));
    return first;
  }

  every(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const h = setInterval(
      () => {
        if (!this.closed) fn();
      },
      Math.max(1, ms),
    );
    this.handles.add(h);
    return h;
  }

  cancel(h: NodeJS.Timeout | undefined): void {
    if (!h) return;
    const current = this.rearmed.get(h) ?? h;
    this.rearmed.delete(h);
    clearTimeout(current);
    this.handles.delete(current);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
    this.rearmed.clear();
  }
}
