/** The runner's undo stack: newest first, each once, failures reported and kept for a retry, never thrown. */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { RollbackStack } from '../../src/experiment/rollbacks.js';

/** A clock frozen at `t` (timers still real): these tests are about order and retries, not time. */
const frozenAt = (t: number) => ({ now: () => t, setTimer: systemClock.setTimer });

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

  it('gives up at the end of the window: incomplete, with what remains', async () => {
    const s = new RollbackStack(systemClock);
    s.register({ description: 'swap back', run: async () => ({ complete: false, remaining: ['subnet-1 still dark'] }) });
    const started = Date.now();
    const r = await s.unwindWithin({ windowMs: 200, backoffMs: 20 });
    expect(r.status).toBe('incomplete');
    expect(r.remaining).toEqual(['subnet-1 still dark']);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a rollback that never answers cannot hold the unwind past the deadline', async () => {
    const s = new RollbackStack(systemClock);
    s.register({ description: 'restore subnet-1', run: () => new Promise(() => undefined) });
    const started = Date.now();
    const r = await s.unwindWithin({ windowMs: 150 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r.status).toBe('incomplete');
    expect(r.remaining).toEqual(['restore subnet-1: no answer from AWS within the rollback deadline (0s)']);
  });
});
