import { describe, expect, it } from 'vitest';
import { SecondBuckets, type SecondSummary } from '../../src/observe/buckets.js';

const START = 1_700_000_000_000;

describe('SecondBuckets', () => {
  it('attributes results to the second of the intended send time, whenever they complete', () => {
    const b = new SecondBuckets({ startEpochMs: START });
    b.sent(900, false);
    b.sent(1100, false);
    // The request due at 900 ms completes at 2.4 s (latency 1.5 s), after the one due at 1.1 s.
    b.completed(1100, 5, 5, null);
    b.completed(900, 1500, 1490, 'timeout');
    const out: SecondSummary[] = [];
    b.flush(2000, (s) => out.push(s));
    expect(out).toHaveLength(2);
    const [s0, s1] = out as [SecondSummary, SecondSummary];
    expect(s0).toMatchObject({ t: 0, startMs: START, sent: 1, ok: 0, failed: 1, errorsByKind: { timeout: 1 }, firstFailureAtMs: START + 900 });
    expect(s0.max).toBeCloseTo(1500, -1);
    expect(s1).toMatchObject({ t: 1, startMs: START + 1000, sent: 1, ok: 1, failed: 0, firstFailureAtMs: null });
    expect(b.totals).toMatchObject({ sent: 2, ok: 1, failed: 1, inFlight: 0 });
  });

  it('keeps a second open until every request sent in it has completed, and emits in order', () => {
    const b = new SecondBuckets({ startEpochMs: START });
    b.sent(100, false);
    b.sent(1500, false);
    b.completed(1500, 3, 3, null);
    const out: number[] = [];
    b.flush(5000, (s) => out.push(s.t));
    expect(out).toEqual([]);
    b.completed(100, 2000, 2000, 'timeout');
    b.flush(5000, (s) => out.push(s.t));
    // Empty seconds 2..4 are summarised too: a gap in the probe is information.
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(b.records[2]).toMatchObject({ sent: 0, p99: null, saturated: false });
  });

  it('does not summarise a second before the caller says it is closed', () => {
    const b = new SecondBuckets({ startEpochMs: START });
    b.sent(10, false);
    b.completed(10, 1, 1, null);
    b.flush(999);
    expect(b.records).toHaveLength(0);
    b.flush(1000);
    expect(b.records).toHaveLength(1);
  });

  it('records exact latency percentiles in ms with sub-millisecond resolution', () => {
    const b = new SecondBuckets({ startEpochMs: START });
    for (let i = 1; i <= 100; i++) {
      b.sent(i, false);
      b.completed(i, i / 10, i / 10, null);
    }
    b.flush(1000);
    const s = b.records[0] as SecondSummary;
    expect(s.p50).toBeCloseTo(5, 1);
    expect(s.p99).toBeCloseTo(9.9, 1);
    expect(s.max).toBeCloseTo(10, 1);
  });

  it('marks a second saturated on event-loop lag or many late sends', () => {
    const b = new SecondBuckets({ startEpochMs: START, lagThresholdMs: 100, lateRatioThreshold: 0.1 });
    b.recordLag(500, 250);
    b.recordLag(600, 40);
    for (let i = 0; i < 10; i++) {
      b.sent(1000 + i, i < 2);
      b.completed(1000 + i, 1, 1, null);
      b.sent(2000 + i, i < 1);
      b.completed(2000 + i, 1, 1, null);
    }
    b.flush(3000);
    expect(b.records.map((s) => s.saturated)).toEqual([true, true, false]);
    expect(b.records.map((s) => s.lagMs)).toEqual([250, 0, 0]);
    expect(b.records.map((s) => s.late)).toEqual([0, 2, 1]);
  });

  it('uses the schedule for `scheduled` and finishes incomplete seconds when the probe stops', () => {
    const b = new SecondBuckets({ startEpochMs: START, scheduledIn: () => 10 });
    b.sent(100, false);
    b.completed(100, 1, 1, null);
    b.sent(1200, false);
    b.finish(1300);
    expect(b.records.map((s) => [s.t, s.scheduled, s.sent])).toEqual([
      [0, 10, 1],
      [1, 10, 1],
    ]);
  });

  it('keeps memory bounded: capped records, histograms recycled', () => {
    const b = new SecondBuckets({ startEpochMs: START, maxRecords: 5 });
    for (let t = 0; t < 50; t++) {
      b.sent(t * 1000, false);
      b.completed(t * 1000, 1, 1, null);
      b.flush((t + 1) * 1000);
    }
    expect(b.records).toHaveLength(5);
    expect(b.droppedRecords).toBe(45);
    expect(b.records[0]?.t).toBe(45);
    expect((b as unknown as { pool: unknown[] }).pool.length).toBe(1);
    expect(b.totals.sent).toBe(50);
    expect(b.latency.totalCount).toBe(50);
  });
});
