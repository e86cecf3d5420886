/** The runner's undo stack: newest first, each once, failures reported and kept for a retry, never thrown. */
import { describe, expect, it } from 'vitest';
import { RollbackStack } from '../../src/experiment/rollbacks.js';

describe('RollbackStack', () => {
  it('nothing registered: not-needed', async () => {
    expect((await new RollbackStack(() => 1).unwind()).status).toBe('not-needed');
  });

  it('unwinds newest first, each once; a failing or throwing rollback is remaining damage and does not stop the others', async () => {
    const order: string[] = [];
    let flaky = true;
    const s = new RollbackStack(() => 1);
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
    const s = new RollbackStack(() => 1);
    s.register({ description: 'x', run: async () => (runs++, { complete: true, remaining: [] }) });
    const [a, b] = await Promise.all([s.unwind(), s.unwind()]);
    expect(runs).toBe(1);
    expect(a).toBe(b);
    expect(a.status).toBe('complete');
  });
});
