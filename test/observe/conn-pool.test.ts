import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodePool, type PoolOwner, type PoolRequest } from '../../src/observe/conn-pool.js';

// A real TCP server on port 0 that answers only when told: connections stay busy while a test queues requests.
const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
let server: Server;
let port = 0;
const sockets: Socket[] = [];
let held: Socket[] = [];
let hold = false;

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => (hold ? held.push(socket) : socket.write(RESPONSE)));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  held = [];
  hold = false;
});
afterAll(() => new Promise((r) => server.close(r)));

interface Req extends PoolRequest {
  status?: number | null;
}
const request = (seq: number): Req => ({ done: false, seq, conn: undefined });
const owner: PoolOwner<Req> = {
  now: () => performance.now(),
  settle: (r, status) => {
    r.done = true;
    r.status = status;
  },
};
const pool = (): NodePool<Req> =>
  new NodePool<Req>(
    {
      dial: (cb) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => cb(null, s));
        s.once('error', (err) => cb(err, null));
        return s;
      },
      request: Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n'),
      headRequest: false,
      max: 100,
      depth: 1,
    },
    owner,
  );
const answered = async (p: NodePool<Req>, r: Req): Promise<void> => {
  p.dispatch(r);
  while (!r.done) await new Promise((res) => setImmediate(res));
};

describe('connection pool growth', () => {
  it('does not dial one connection per waiting request while the node answers: one at a time, after a short wait', async () => {
    const p = pool();
    await p.warm(2);
    // The node has just answered.
    await answered(p, request(1));
    expect(p.lastAnswerAt).toBeGreaterThan(performance.now() - 50);
    hold = true;
    // A burst: 2 requests take the two connections, 40 wait. The connections it has will drain them.
    const burstAt = performance.now();
    for (let i = 0; i < 42; i++) p.dispatch(request(10 + i));
    expect(p.size).toBe(2);
    // Watch every turn until it has grown by two: never before the grow delay (3 ms; a timer may fire a
    // fraction of a millisecond early), and never more than ONE attempt in progress (not 16, not 40).
    let firstAt = 0;
    let most = 0;
    while (p.size < 4) {
      // The node keeps answering, as its other connections would at a real rate (a slow CI turn must not make
      // it look silent for 50 ms, the other regime).
      p.lastAnswerAt = performance.now();
      await new Promise((res) => setImmediate(res));
      if (p.size > 2) firstAt ||= performance.now() - burstAt;
      most = Math.max(most, p.dialling);
    }
    expect(firstAt).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
    p.close();
  });

  it('dials for the waiting requests at once when the node has not answered (a hung or blackholed node)', async () => {
    const p = pool();
    await p.warm(2);
    hold = true;
    for (let i = 0; i < 42; i++) p.dispatch(request(10 + i));
    // 16 attempts in progress at once: each waiting request gets its own connection attempt and its error.
    expect(p.size).toBe(2 + 16);
    expect(p.dialling).toBe(16);
    p.close();
  });
});
