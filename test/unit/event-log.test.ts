import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/sandbox/world/event-log.js';

const knob = (n: number) => ({ type: 'knob' as const, name: `k${n}`, value: n });

describe('EventLog', () => {
  it('numbers events, pushes them to subscribers, and returns those after a seq', () => {
    const log = new EventLog(() => 1_700_000_000_000, 100);
    const seen: number[] = [];
    const off = log.subscribe((e) => seen.push(e.seq));
    for (let i = 1; i <= 5; i++) log.emit(knob(i));
    off();
    log.emit(knob(6));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(log.since(3).map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(log.since(0)).toHaveLength(6);
    expect(log.since(6)).toEqual([]);
    expect(log.since(0)[0]!.at).toBe('2023-11-14T22:13:20.000Z');
  });

  it('stays bounded: keeps between max and max + 10 % of the newest events and counts what it dropped', () => {
    const log = new EventLog(Date.now, 1000);
    for (let i = 1; i <= 5000; i++) log.emit(knob(i));
    const kept = log.since(0);
    expect(kept.length).toBeGreaterThanOrEqual(1000);
    expect(kept.length).toBeLessThanOrEqual(1100);
    expect(kept.at(-1)!.seq).toBe(5000);
    expect(log.droppedCount + kept.length).toBe(5000);
    // since() still finds the right place after trimming.
    expect(log.since(4990).map((e) => e.seq)).toEqual([4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000]);
    expect(log.since(1).length).toBe(kept.length);
  });
});
