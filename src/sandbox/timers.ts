/**
 * Every timer the sandbox starts goes through here, so stopping the sandbox clears all of them at once and
 * no callback fires into a closed world (tests start and stop many sandboxes in one process).
 */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();
  private closed = false;

  after(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const h = setTimeout(() => {
      this.handles.delete(h);
      if (!this.closed) fn();
    }, Math.max(0, ms));
    this.handles.add(h);
    return h;
  }

  every(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const h = setInterval(() => {
      if (!this.closed) fn();
    }, Math.max(1, ms));
    this.handles.add(h);
    return h;
  }

  cancel(h: NodeJS.Timeout | undefined): void {
    if (!h) return;
    clearTimeout(h);
    this.handles.delete(h);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
  }
}
