/**
 * What the probe's speed must not cost: closed-loop pipelining only when asked for (and never with a rate),
 * connections up before the open model's first send, and the plan-time calibration's answers (a loopback
 * sink, never the service).
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALIBRATION_FLOOR, calibrate, checkProbeRate } from '../../src/observe/calibrate.js';
import { LoadProbe, runProbe } from '../../src/observe/load-probe.js';

const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/**
 * A raw HTTP server that answers each request head 5 ms after it arrived, and records per connection the
 * most request heads it held unanswered at once (pipelining depth), plus when connections and requests came.
 */
let server: Server;
// Server-side clock readings, in this process (performance.now()).
let url = '';
const depths: number[] = [];
let connectedAt: number[] = [];
let firstRequestAt = Infinity;

beforeAll(async () => {
  server = createServer((socket: Socket) => {
    connectedAt.push(performance.now());
    const index = depths.push(0) - 1;
    let open = 0;
    socket.on('data', (chunk) => {
      firstRequestAt = Math.min(firstRequestAt, performance.now());
      const heads = chunk.toString('latin1').split('\r\n\r\n').length - 1;
      open += heads;
      depths[index] = Math.max(depths[index] ?? 0, open);
      for (let i = 0; i < heads; i++) {
        setTimeout(() => {
          open--;
          if (!socket.destroyed) socket.write(RESPONSE);
        }, 5);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const reset = (): void => {
  depths.length = 0;
  connectedAt = [];
  firstRequestAt = Infinity;
};

describe('closed-loop pipelining', () => {
  it('off by default: one request at a time per connection', async () => {
    reset();
    const s = await runProbe({ url, connections: 2, durationMs: 300 });
    expect(s.sent).toBe(s.ok + s.failed);
    expect(s.failed).toBe(0);
    expect(Math.max(...depths)).toBe(1);
    expect(s.pipelining).toBeUndefined();
  });

  it('--pipelining 4: up to four requests in flight per connection, every one accounted', async () => {
    reset();
    const s = await runProbe({ url, connections: 2, pipelining: 4, durationMs: 300 });
    expect(s.sent).toBe(s.ok + s.failed);
    expect(s.failed).toBe(0);
    expect(depths.length).toBe(2);
    expect(Math.max(...depths)).toBe(4);
    expect(s.pipelining).toBe(4);
  });

  it('is refused with a rate: in the open model a queued request would wait for the one ahead of it', () => {
    expect(() => new LoadProbe({ url, rate: 100, pipelining: 2, durationMs: 100 })).toThrow(/closed-loop mode only/);
  });
});

describe('open model warm-up', () => {
  it('connections are opened before the first send and grown as needed, not rate × timeout at once', async () => {
    reset();
    const s = await runProbe({ url, rate: 3000, durationMs: 500 });
    expect(s.sent).toBe(s.ok + s.failed);
    expect(s.failed).toBe(0);
    // Warm-up: rate / 1000 per node (at least 2), all dialled before the clock started. Then as many as the
    // 5 ms answers need (~15 in flight; more when this loaded test process answers late), far from the 1000
    // that rate × timeout allows.
    expect(connectedAt.length).toBeGreaterThanOrEqual(3);
    expect(connectedAt.length).toBeLessThanOrEqual(400);
    expect(connectedAt.slice(0, 3).every((t) => t < firstRequestAt + 5)).toBe(true);
  });
});

describe('plan-time calibration (loopback sink)', () => {
  it('a rate at or below the floor is fine without measuring anything', async () => {
    const r = await checkProbeRate(CALIBRATION_FLOOR, { cacheFile: false });
    expect(r).toEqual({ ok: true });
  });

  it('a rate beyond any machine is refused with the measured ceiling, in well under a second', async () => {
    const r = await checkProbeRate(1e9, { cacheFile: false });
    expect(r.ok).toBe(false);
    expect(r.calibration?.ceiling).toBeGreaterThan(0);
    expect(r.calibration?.fromCache).toBe(false);
    expect(r.calibration?.tookMs).toBeLessThan(2000);
  });

  it('the cache answers yes within the ceiling it measured, and never refuses by itself', async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'chaos-calib-')), 'ceiling.json');
    const c = await calibrate({ cacheFile });
    const within = Math.max(CALIBRATION_FLOOR + 1, Math.floor(c.ceiling / 2));
    if (within <= c.ceiling) expect(await checkProbeRate(within, { cacheFile })).toMatchObject({ ok: true, calibration: { fromCache: true } });
    const above = await checkProbeRate(1e9, { cacheFile });
    expect(above).toMatchObject({ ok: false, calibration: { fromCache: false } });
  });
});
