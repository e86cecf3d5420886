import { describe, expect, it } from 'vitest';
import { runSandbox200 } from '../../bench/sandbox-200.js';

describe('a 200-instance group', () => {
  it('reaches 200 InService with 200 healthy targets without errors, serves from all, and replaces 15 % killed in batches of 10 %', async () => {
    const r = await runSandbox200(200, 1000);
    console.log('sandbox-200:', JSON.stringify(r));
    expect(r.launchActivities).toBe(200);
    expect(r.failedActivities).toBe(0);
    expect(r.lbErrors).toBe(0);
    expect(r.requestsOk).toBe(r.requests);
    expect(r.distinctBackends).toBe(200);
    expect(r.allHealthyMs).toBeLessThan(20_000);
    // Routing changes are announced per turn of the event loop, not per target (each announcement carries the
    // whole routable list: per target, the cost of a scale-out grew with the square of its size).
    expect(r.routingAnnouncements).toBeGreaterThan(0);
    expect(r.routingAnnouncements).toBeLessThan(r.instances / 2);
    // 30 killed at once, replaced at most 20 (10 % of desired) at a time, and all back.
    expect(r.killed).toBe(30);
    expect(r.maxConcurrentReplacements).toBe(20);
  });
});
