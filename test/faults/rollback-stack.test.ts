/** The runner's undo stack: newest first, each once, failures reported and kept for a retry, never thrown. */
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { RollbackStack } from '../../src/experiment/rollbacks.js';

/** A clock frozen at `t` (timers still real): these tests are about order and retries, not time. */
const frozenAt = (t: number) => ({ now: () => t, setTimer: systemClock.setTimer });

/** Watches `p`: `settled()` is its value once it has resolved, else undefined. */
function watch<T>(p: Promise<T>): { settled: () => T | undefined } {
  let value: T | undefined;
  void p.then((v) => (value = v));
  return { settled: () => value };
}

describe('RollbackStack', () => {
  it('nothing registered: not-needed', async () => {
    expect((await new RollbackStack(frozenAt(1)).unwind()).status).toBe('not-needed');
  });

  it('unwinds newest first, each once; a failing or throwing rollback is remaining damage and does not stop the others', async () => {
    const order: string[] = [];
    let flaky = true;
    const s = new RollbackStack(frozenAt(1));
    s.register({ description: 'first', run: async () => (order.push('first'), { complete: true, remaining: [] }) });
    s.register({
      description: 'flaky',
      run: async () => {
        order.push('flaky');
        return flaky ? { complete: false, remaining: ['subnet-1 still dark'] } : { complete: true, remaining: [] };
      },
    });
    s.register({
      description: 'boom',
      run: async () => {
        order.push('boom');
        throw new Error('network down');
      },
    });
    const r = await s.unwind();
    expect(order).toEqual(['boom', 'flaky', 'first']);
    expect(r.status).toBe('incomplete');
    expect(r.remaining).toEqual(['boom: network down', 'subnet-1 still dark']);
    expect(s.registered).toBe(2);

    flaky = false;
    order.length = 0;
    const again = await s.unwind();
    expect(order).toEqual(['boom', 'flaky']);
    expect(again.remaining).toEqual(['boom: network down']);
  });

  it('concurrent unwinds (signal + finally) share one run', async () => {
    let runs = 0;
    const s = new RollbackStack(frozenAt(1));
    s.register({ description: 'x', run: async () => (runs++, { complete: true, remaining: [] }) });
    const [a, b] = await Promise.all([s.unwind(), s.unwind()]);
    expect(runs).toBe(1);
    expect(a).toBe(b);
    expect(a.status).toBe('complete');
  });
});

describe('RollbackStack.unwindWithin (bounded retries and deadline)', () => {
  it('retries a rollback that fails transiently, with backoff, until it succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const s = new RollbackStack(systemClock);
    s.register({ description: 'swap back', run: async () => (++calls < 3 ? { complete: false, remaining: ['subnet-1 still dark'] } : { complete: true, remaining: [] }) });
    const r = await s.unwindWithin({ windowMs: 5_000, backoffMs: 10, onRetry: (_, d) => retries.push(d) });
    expect(r.status).toBe('complete');
    expect(calls).toBe(3);
    expect(retries).toEqual([10, 20]);
  });

  // These two run on vitest's fake clock: Date.now (the stack's clock) and setTimeout (its backoff and its
  // deadline) then move together and only when told, so "returns at the deadline" is exact, not a wall-clock
  // cap that a loaded machine could break.
  it('gives up at the end of the window: incomplete, with what remains', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const s = new RollbackStack(systemClock);
      s.register({ description: 'swap back', run: async () => (calls++, { complete: false, remaining: ['subnet-1 still dark'] }) });
      const started = Date.now();
      const p = watch(s.unwindWithin({ windowMs: 200, backoffMs: 20 }));
      await vi.advanceTimersByTimeAsync(200);
      const r = p.settled()!;
      expect(r.status).toBe('incomplete');
      expect(r.remaining).toEqual(['subnet-1 still dark']);
      // Tries at 0, 20, 60 and 140 ms; the next backoff (160 ms) would end past the window, so it stops there.
      expect(calls).toBe(4);
      expect(r.atMs - started).toBe(140);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a rollback that never answers cannot hold the unwind past the deadline', async () => {
    vi.useFakeTimers();
    try {
      const s = new RollbackStack(systemClock);
      s.register({ description: 'restore subnet-1', run: () => new Promise(() => undefined) });
      const p = watch(s.unwindWithin({ windowMs: 150 }));
      await vi.advanceTimersByTimeAsync(149);
      expect(p.settled()).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      const r = p.settled()!;
      expect(r.status).toBe('incomplete');
      expect(r.remaining).toEqual(['restore subnet-1: no answer from AWS within the rollback deadline (0s)']);
    } finally {
      vi.useRealTimers();
    }
  });
});
