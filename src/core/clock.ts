/**
 * Time, as experiment and fault code see it: the one seam for "now" and for waiting. Production uses the
 * system clock; in-process tests pass a manual clock and move time themselves, so every timeout, hold and
 * deadline of a run can be reached without waiting for it.
 */
export interface Clock {
  /** Epoch ms. A function property, so it can be handed on (`now: clock.now`). */
  now: () => number;
  /** Calls `fn` once after `ms`; returns a cancel function. Never keeps the process alive on its own. */
  setTimer: (fn: () => void, ms: number) => () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
};

/** Resolves after `ms` on `clock` (or at once when the signal is already aborted / aborts meanwhile). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimer(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
