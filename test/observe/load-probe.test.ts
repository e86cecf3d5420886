import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecondSummary } from '../../src/observe/buckets.js';
import { LoadProbe, runProbe } from '../../src/observe/load-probe.js';

// A real HTTP server on port 0 whose behaviour each test sets through `behave`.
type Behaviour = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const reply = (res: ServerResponse, status = 200): void => {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end('ok');
};
let behave: Behaviour = (_req, res) => reply(res);
let count = 0;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => behave(req, res, count++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const accounted = (s: { sent: number; ok: number; failed: number }): void => expect(s.sent).toBe(s.ok + s.failed);

describe('load probe', () => {
  it('accounts every request and classifies 500s, resets and hangs', async () => {
    count = 0;
    // Request n: 0 → 200, 1 → 500, 2 → connection reset, 3 → hang (the probe's deadline ends it), 4 → 200.
    behave = (req, res, n) => {
      const k = n % 5;
      if (k === 1) reply(res, 500);
      else if (k === 2) req.socket.destroy();
      else if (k === 3) return;
      else reply(res);
    };
    // The kind is decided by arrival order, so every request must arrive: a modest rate and a deadline far
    // above any scheduling delay on a loaded machine (a 300 ms deadline at 200 req/s timed out requests
    // that had not even reached the server yet).
    const timeoutMs = 1500;
    const s = await runProbe({ url: `${base}/`, rate: 50, maxRequests: 50, timeoutMs, connections: 50 });
    accounted(s);
    expect(s.sent).toBe(50);
    expect(count).toBe(50);
    expect(s.errorsByKind).toEqual({ http_500: 10, connect_reset: 10, timeout: 10 });
    expect(s.ok).toBe(20);
    expect(s.availability).toBeCloseTo(0.4);
    // Timed-out requests end at their deadline, not at undici's 300 s default. No tolerance below: the deadline
    // is send + timeoutMs and latency runs from the intended time (<= send), both on performance.now().
    expect(s.latencyMs.max).toBeGreaterThanOrEqual(timeoutMs);
    expect(s.latencyMs.max).toBeLessThan(3000);
    for (const sec of s.perSecond) accounted(sec);
  });

  it('classifies a refused connection and honours an expected-status list', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await runProbe({ url: `http://127.0.0.1:${port}/`, rate: 100, maxRequests: 5, timeoutMs: 500 });
    expect(refused.errorsByKind).toEqual({ connect_refused: 5 });
    accounted(refused);

    behave = (_req, res) => reply(res, 204);
    const wrong = await runProbe({ url: `${base}/`, rate: 100, maxRequests: 5, expectStatus: [200] });
    expect(wrong.errorsByKind).toEqual({ http_204: 5 });
    const right = await runProbe({ url: `${base}/`, rate: 100, maxRequests: 5, expectStatus: [200, 204] });
    expect(right.ok).toBe(5);
  });

  it('measures latency from the intended send time through a 1 s server stall (no coordinated omission)', async () => {
    // Every response is held until the stall ends, so the request due at 0 ms waits ~1 s and the one due
    // at 900 ms waits ~100 ms; a closed-loop probe would have sent only `connections` requests meanwhile.
    // The stall starts when the first request arrives, so a slow start (a busy machine) can't shorten it.
    let stallUntil: number | undefined;
    let arrivedDuringStall = 0;
    behave = (_req, res) => {
      const now = Date.now(); // read once: a second read could be 1 ms later and shorten the first wait
      stallUntil ??= now + 1000;
      const wait = stallUntil - now;
      if (wait > 0) {
        arrivedDuringStall++;
        setTimeout(() => reply(res), wait);
      } else reply(res);
    };
    const s = await runProbe({ url: `${base}/`, rate: 50, durationMs: 2000, timeoutMs: 5000, connections: 100 });
    accounted(s);
    expect(s.failed).toBe(0);
    const [s0, s1] = s.perSecond as [SecondSummary, SecondSummary];
    expect(s0.sent).toBe(50);
    expect(s0.scheduled).toBe(50);
    // The probe kept sending on schedule while nothing came back.
    expect(arrivedDuringStall).toBeGreaterThanOrEqual(40);
    // Measured from the intended send time: the first request waited the whole stall, the median about half.
    // The stall is a 1000 ms setTimeout, which guarantees only 999 ms: libuv's timer clock is the monotonic
    // clock truncated to whole ms, so a timer can fire up to 1 ms early as performance.now() measures it.
    expect(s0.max).toBeGreaterThanOrEqual(999);
    expect(s0.p50).toBeGreaterThan(350);
    expect(s0.p50).toBeLessThan(1000);
    // After the stall, answers are prompt again: a closed-loop probe would carry the backlog into second 1.
    expect(s1.sent).toBe(50);
    expect(s1.p50).toBeLessThan(300);
  });

  it('attributes requests to the second of their intended time and finds the exact first failure', async () => {
    const startish = Date.now();
    const failFrom = startish + 1500;
    let okAnswered = 0;
    behave = (_req, res) => {
      if (Date.now() >= failFrom) return reply(res, 503);
      okAnswered++;
      reply(res, 200);
    };
    // One connection: requests reach the server one at a time in the order they were sent, which is the order
    // of their intended times. So the first 503 went to request number okAnswered, due at okAnswered × 20 ms.
    const probe = new LoadProbe({ url: `${base}/`, rate: 50, durationMs: 2000, timeoutMs: 1000, connections: 1 });
    probe.markFrom(startish + 1200);
    const seen: SecondSummary[] = [];
    probe.on('second', (sec) => seen.push(sec));
    const done = new Promise((r) => probe.once('done', r));
    const s = await probe.run();
    await done;
    expect(seen.map((x) => x.t)).toEqual([0, 1]);
    expect(seen.map((x) => x.sent)).toEqual([50, 50]);
    expect((seen[1] as SecondSummary).startMs - (seen[0] as SecondSummary).startMs).toBe(1000);
    expect((seen[0] as SecondSummary).failed).toBe(0);
    expect((seen[1] as SecondSummary).failed).toBeGreaterThan(15);
    expect(s.failed).toBe(100 - okAnswered);
    // Exact to the request, not to the second: the intended time of the first failed request, from the
    // server's own count, however late a busy machine sent it.
    expect(s.firstFailureAtMs).toBe(s.startedAtMs + okAnswered * 20);
    // And it is near failFrom: the first request due at or after failFrom is sent no earlier, so it fails.
    // (<= rather than <: Date.now() and performance.now() may disagree by a fraction of a ms over 1.5 s.)
    expect(s.firstFailureAtMs).toBeLessThanOrEqual(failFrom + 20);
    expect((seen[1] as SecondSummary).firstFailureAtMs).toBe(s.firstFailureAtMs);
  });

  it('stops early on abort and still accounts every request', async () => {
    // Aborted by the server's 40th arrival, not by a timer: what the probe had sent by then is causal, not a
    // guess about how fast a loaded machine runs the first 300 ms.
    const ac = new AbortController();
    let arrived = 0;
    behave = (_req, res) => {
      if (++arrived === 40) ac.abort();
      reply(res);
    };
    const s = await runProbe({ url: `${base}/`, rate: 200, durationMs: 10_000, signal: ac.signal });
    expect(s.aborted).toBe(true);
    accounted(s);
    // Everything sent reached the server, the 40th at least; nothing was sent after the abort, so well
    // under the 2000 a 10 s run schedules (<200: a second of schedule, unless the loop stalled ~800 ms).
    expect(arrived).toBe(s.sent);
    expect(s.sent).toBeGreaterThanOrEqual(40);
    expect(s.sent).toBeLessThan(200);
    expect(s.perSecond).toHaveLength(1);
    expect((s.perSecond[0] as SecondSummary).scheduled).toBe(s.sent);
  });

  it('warms up above 1,000 req/s without sending the service a single request of it', async () => {
    count = 0;
    behave = (_req, res) => reply(res);
    const probe = new LoadProbe({ url: `${base}/`, rate: 2000, durationMs: 300, timeoutMs: 1000 });
    const before = performance.now();
    const s = await probe.run();
    accounted(s);
    expect(s.sent).toBe(600);
    expect(s.failed).toBe(0);
    // The warm-up ran its 300 ms against the loopback sink: the service saw exactly the schedule's requests.
    expect(count).toBe(s.sent);
    // ... and it did run: 300 ms of warm-up, then the 300 ms schedule.
    expect(performance.now() - before).toBeGreaterThanOrEqual(600);
  });

  it('runs closed-loop back to back when no rate is given', async () => {
    behave = (_req, res) => reply(res);
    const s = await runProbe({ url: `${base}/`, connections: 4, durationMs: 500 });
    expect(s.mode).toBe('closed');
    accounted(s);
    expect(s.sent).toBeGreaterThan(100);
    expect(s.late).toBe(0);
    expect(s.failed).toBe(0);
  });
});
