import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createProgress, formatProgress, type ProgressState } from '../../src/report/progress.js';
import { stripAnsi } from './report-fixtures.js';

/** A writable stream that keeps what was written; `tty` adds the cursor methods a terminal has. */
class Capture extends Writable {
  text = '';
  isTTY: boolean;
  columns = 100;
  constructor(tty = false) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    // Record synchronously so assertions need not wait for the stream machinery.
    this.text += String(chunk);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }
  cursorTo(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
  clearLine(): boolean {
    this.text += '<clear>';
    return true;
  }
}

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  phase: 'observe',
  rate: 50,
  errorRate: 0.02,
  p99: 35,
  healthy: 3,
  desired: 4,
  inService: 4,
  elapsedMs: 12_400,
  ...over,
});

async function until(check: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('formatProgress', () => {
  it('renders the one-line status', () => {
    expect(formatProgress(state())).toBe('observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 12s');
    expect(formatProgress(state({ p99: null, inService: 3, elapsedMs: 125_000, errorRate: 0 }))).toBe('observe · 50 req/s · err 0.0% · p99 — · healthy 3/4 · InService 3/4 · 2m05s');
  });
});

describe('createProgress without a TTY', () => {
  it('writes timestamped plain lines, at most one per second, but never drops log lines', async () => {
    const out = new Capture(false);
    let now = Date.parse('2025-03-14T10:00:00.000Z');
    const p = createProgress({ stream: out, isTTY: false, now: () => now });
    for (const [at, elapsedMs] of [
      [0, 0],
      [200, 200],
      [999, 999],
      [1000, 1000],
      [1500, 1500],
      [2100, 2100],
    ] as const) {
      now = Date.parse('2025-03-14T10:00:00.000Z') + at;
      p.update(state({ elapsedMs }));
      if (at === 200) p.log('+0ms  fault-injected i-0a1b2c3d4e5f60718');
    }
    await p.stop();
    p.update(state({ elapsedMs: 9000 }));
    expect(out.text.split('\n').filter(Boolean)).toEqual([
      '2025-03-14T10:00:00.000Z observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 0s',
      '2025-03-14T10:00:00.200Z +0ms  fault-injected i-0a1b2c3d4e5f60718',
      '2025-03-14T10:00:01.000Z observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 1s',
      '2025-03-14T10:00:02.100Z observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 2s',
    ]);
    expect(out.text).not.toContain('\u001b[');
  });
});

describe('createProgress with --json', () => {
  it('writes nothing to stdout, even on a TTY, and nothing at all without stderr', async () => {
    const stdout = new Capture(true);
    const p = createProgress({ stream: stdout, isTTY: true, json: true });
    p.update(state());
    p.log('+0ms  fault-injected');
    await p.stop();
    expect(stdout.text).toBe('');
  });

  it('sends plain progress lines to stderr when given one', async () => {
    const stdout = new Capture(true);
    const stderr = new Capture(true);
    let now = 0;
    const p = createProgress({ stream: stdout, stderr, isTTY: true, json: true, now: () => now });
    p.update(state());
    now = 500;
    p.update(state());
    p.log('+0ms  fault-injected');
    await p.stop();
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('1970-01-01T00:00:00.000Z observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 12s\n' + '1970-01-01T00:00:00.500Z +0ms  fault-injected\n');
  });
});

describe('createProgress on a TTY', () => {
  it('shows a spinner with the status line, logs above it, and goes quiet after stop', async () => {
    // The spinner's frames run on the fake clock, so "quiet after stop" is checked over many frame
    // intervals without sleeping.
    vi.useFakeTimers();
    try {
      const out = new Capture(true);
      const p = createProgress({ stream: out, isTTY: true, color: false });
      p.update(state());
      // vi.waitFor polls on the real clock (ora is imported lazily) and advances the fake one each time.
      await vi.waitFor(() => expect(out.text).toContain('observe · 50 req/s'), { timeout: 5000 });
      p.update(state({ healthy: 4, elapsedMs: 13_000 }));
      p.log('+0ms  fault-injected i-0a1b2c3d4e5f60718');
      const logged = out.text.lastIndexOf('+0ms  fault-injected i-0a1b2c3d4e5f60718\n');
      expect(logged).toBeGreaterThan(-1);
      // The spinner was cleared before the log line and drawn again after it, with the new state.
      expect(out.text.lastIndexOf('<clear>', logged)).toBeGreaterThan(out.text.indexOf('observe'));
      expect(stripAnsi(out.text.slice(logged))).toContain('healthy 4/4 · 13s');
      // It animates while running: a second of frames writes more.
      const running = out.text.length;
      vi.advanceTimersByTime(1000);
      expect(out.text.length).toBeGreaterThan(running);
      await p.stop();
      const after = out.text.length;
      p.update(state({ elapsedMs: 99_000 }));
      p.log('late line');
      vi.advanceTimersByTime(10_000);
      expect(out.text.slice(after)).toBe('');
    } finally {
      vi.useRealTimers();
    }
  });

  it('truncates a status line wider than the terminal to one row', async () => {
    const out = new Capture(true);
    out.columns = 30;
    const p = createProgress({ stream: out, isTTY: true, color: false });
    p.update(state());
    await until(() => out.text.includes('observe'), 'the spinner to render');
    await p.stop();
    const frames = stripAnsi(out.text)
      .split('<clear>')
      .filter((f) => f.includes('observe'));
    for (const f of frames) expect([...f.trim()].length).toBeLessThanOrEqual(30);
    expect(frames[0]).toContain('…');
  });
});

describe('createProgress on a terminal without a usable width', () => {
  // A pty of 0 columns (`docker run -t` before the size is known): ora counts the rows to clear as width / 0.
  it.each([0, undefined, 5])('columns %s: plain timestamped lines, no spinner', async (columns) => {
    const out = new Capture(true);
    (out as { columns?: number }).columns = columns;
    const p = createProgress({ stream: out, isTTY: true, color: false, now: () => 0 });
    p.update(state());
    p.log('+0ms  fault-injected');
    await p.stop();
    expect(out.text).toBe('1970-01-01T00:00:00.000Z observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 12s\n1970-01-01T00:00:00.000Z +0ms  fault-injected\n');
  });

  it('a terminal shrunk to 0 columns mid-run: the spinner keeps drawing (never loops on the width) and stops', async () => {
    vi.useFakeTimers();
    try {
      const out = new Capture(true);
      const p = createProgress({ stream: out, isTTY: true, color: false });
      p.update(state());
      await vi.waitFor(() => expect(out.text).toContain('observe · 50 req/s'), { timeout: 5000 });
      out.columns = 0;
      const before = out.text.length;
      // Without the clamp, the first frame drawn at width 0 never returns and this test times out.
      vi.advanceTimersByTime(1000);
      p.log('+0ms  fault-injected');
      expect(out.text.length).toBeGreaterThan(before);
      expect(out.text.slice(before)).toContain('+0ms  fault-injected\n');
      await p.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
