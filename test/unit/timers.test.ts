import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Timers } from '../../src/sandbox/timers.js';

// The sandbox's event clock (`now`) and Node's timer clock are different clocks: a real setTimeout can fire
// a millisecond early by Date.now(). Here the timer clock is vitest's fake one and the event clock is `t`,
// moved by hand, so "the timer fired but the event clock says it is early" is reproduced exactly.
describe('sandbox Timers.after', () => {
  let t = 0;
  let timers: Timers;
  beforeEach(() => {
    vi.useFakeTimers();
    t = 0;
    timers = new Timers(() => t);
  });
  afterEach(() => {
    timers.close();
    vi.useRealTimers();
  });

  it('never runs before its duration has passed on the event clock, however early the timer fires', () => {
    const fn = vi.fn();
    timers.after(100, fn);
    vi.advanceTimersByTime(100); // the timer fires, but the event clock has not moved
    expect(fn).not.toHaveBeenCalled();
    t = 99;
    vi.advanceTimersByTime(100); // re-armed for the 100 ms still missing; the clock is still 1 ms short
    expect(fn).not.toHaveBeenCalled();
    t = 100;
    vi.advanceTimersByTime(1); // re-armed for the last 1 ms
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs on time when the clocks agree', () => {
    const fn = vi.fn();
    timers.after(50, fn);
    t = 50;
    vi.advanceTimersByTime(50);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('cancel and close stop a timer that has re-armed', () => {
    const cancelled = vi.fn();
    const kept = vi.fn();
    const h = timers.after(100, cancelled);
    timers.after(100, kept);
    vi.advanceTimersByTime(100); // both fire early and re-arm
    timers.cancel(h);
    t = 100;
    vi.advanceTimersByTime(100);
    expect(cancelled).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);

    const late = vi.fn();
    t = 0;
    timers.after(100, late);
    vi.advanceTimersByTime(100);
    timers.close();
    t = 1_000;
    vi.advanceTimersByTime(1_000);
    expect(late).not.toHaveBeenCalled();
  });
});
