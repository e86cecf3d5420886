/**
 * The probe's transport against real servers: HTTPS servers on two loopback addresses (every 127.0.0.0/8
 * address is local on Linux) behind one pinned host name that does not resolve, a certificate from a CA made
 * in the test, and a third address that accepts connections and never answers (a blackholed node).
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe, LoadProbe } from '../../src/observe/load-probe.js';
import { parseResolve } from '../../src/observe/resolve.js';
import { TestCa } from './support/tls-fixture.js';

const HOST = 'shop.example.test';
// Realistic, and it does not resolve: the probe must never look it up when it is pinned.
const LB = 'demo-alb-1234567890.us-east-1.elb.amazonaws.com';
const A = '127.0.1.1';
const B = '127.0.2.1';
const DARK = '127.0.3.1';

interface Seen {
  count: number;
  hosts: Set<string>;
  servernames: Set<string>;
}
const seen = new Map<string, Seen>();
const record = (addr: string, req: IncomingMessage, res: ServerResponse): void => {
  const s = seen.get(addr) ?? { count: 0, hosts: new Set(), servernames: new Set() };
  seen.set(addr, s);
  s.count++;
  s.hosts.add(req.headers.host ?? '');
  const sni = (req.socket as TLSSocket).servername;
  if (typeof sni === 'string') s.servernames.add(sni);
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

const ca = new TestCa();
const servers: Server[] = [];
const held: Socket[] = [];
let tlsPort = 0;
let httpPort = 0;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

beforeAll(async () => {
  const pem = ca.issue([HOST, `*.${HOST}`]);
  // Same port on every address, as the nodes of one load balancer listener are.
  for (const addr of [A, B]) {
    const s = createHttps({ ...pem }, (req, res) => record(addr, req, res));
    servers.push(s);
    tlsPort = await listen(s, addr, tlsPort);
  }
  for (const addr of [A, B]) {
    const s = createHttp((req, res) => record(`http:${addr}`, req, res));
    servers.push(s);
    httpPort = await listen(s, addr, httpPort);
  }
  // Accepts the TCP connection, never says a word: TLS handshakes and HTTP requests hang.
  for (const port of [tlsPort, httpPort]) {
    const s = createTcp((sock) => held.push(sock));
    servers.push(s);
    await listen(s, DARK, port);
  }
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const accounted = (s: { sent: number; ok: number; failed: number }): void => expect(s.sent).toBe(s.ok + s.failed);

describe('probe transport: pinned addresses, Host and SNI, certificates', () => {
  it('spreads requests evenly over the pinned addresses, with the URL host as Host and SNI, verified against --ca-cert', async () => {
    seen.clear();
    const s = await runProbe({
      url: `https://${HOST}:${tlsPort}/`,
      rate: 100,
      maxRequests: 40,
      resolve: parseResolve([`${HOST}:${tlsPort}:${A},${B}`]),
      caCert: ca.pem,
    });
    expect(s.errorsByKind).toEqual({});
    expect(s.ok).toBe(40);
    expect(seen.get(A)?.count).toBe(20);
    expect(seen.get(B)?.count).toBe(20);
    for (const addr of [A, B]) {
      expect([...(seen.get(addr)?.hosts ?? [])]).toEqual([`${HOST}:${tlsPort}`]);
      expect([...(seen.get(addr)?.servernames ?? [])]).toEqual([HOST]);
    }
    expect(s.host).toBe(HOST);
    expect(s.insecure).toBe(false);
    expect(s.nodes.map((n) => [n.address, n.sent, n.ok, n.failed, n.availability])).toEqual([
      [A, 20, 20, 0, 1],
      [B, 20, 20, 0, 1],
    ]);
    for (const n of s.nodes) {
      expect(n.p99Ms).toBeGreaterThan(0);
      expect(n.seconds.reduce((a, x) => a + x.sent, 0)).toBe(n.sent);
    }
  });

  it('--host: connects to the load balancer name pinned to its nodes, sends the service name as Host and SNI', async () => {
    seen.clear();
    const s = await runProbe({
      url: `https://${LB}:${tlsPort}/health`,
      host: HOST,
      rate: 100,
      maxRequests: 10,
      resolve: parseResolve([`${LB}:${tlsPort}:${A},${B}`]),
      caCert: ca.pem,
    });
    expect(s.ok).toBe(10);
    expect([...(seen.get(A)?.servernames ?? [])]).toEqual([HOST]);
    expect([...(seen.get(B)?.hosts ?? [])]).toEqual([`${HOST}:${tlsPort}`]);
  });

  it('plain http through a pinned, non-resolving name: Host is the name', async () => {
    seen.clear();
    const s = await runProbe({ url: `http://${LB}:${httpPort}/`, rate: 100, maxRequests: 10, resolve: parseResolve([`${LB}:${httpPort}:${A},${B}`]) });
    expect(s.ok).toBe(10);
    expect(seen.get(`http:${A}`)?.count).toBe(5);
    expect([...(seen.get(`http:${B}`)?.hosts ?? [])]).toEqual([`${LB}:${httpPort}`]);
  });

  it('an unknown CA is a tls failure, and the probe keeps what the certificate covers', async () => {
    seen.clear();
    const probe = new LoadProbe({ url: `https://${HOST}:${tlsPort}/`, rate: 100, maxRequests: 6, resolve: parseResolve([`${HOST}:${tlsPort}:${A}`]) });
    const s = await probe.run();
    expect(s.errorsByKind).toEqual({ tls: 6 });
    expect(seen.size).toBe(0);
    const problem = probe.certificateProblem();
    expect(problem?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(problem?.altNames).toContain(`DNS:${HOST}`);
  });

  it('a certificate for another name is a tls failure (ERR_TLS_CERT_ALTNAME_INVALID), even with the right CA', async () => {
    seen.clear();
    const probe = new LoadProbe({ url: `https://${LB}:${tlsPort}/`, rate: 100, maxRequests: 4, caCert: ca.pem, resolve: parseResolve([`${LB}:${tlsPort}:${B}`]) });
    const s = await probe.run();
    expect(s.errorsByKind).toEqual({ tls: 4 });
    expect(seen.size).toBe(0);
    expect(probe.certificateProblem()?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(probe.certificateProblem()?.servername).toBe(LB);
  });

  it('--insecure accepts the certificate it cannot verify, and says so', async () => {
    const s = await runProbe({ url: `https://${LB}:${tlsPort}/`, rate: 100, maxRequests: 4, insecure: true, resolve: parseResolve([`${LB}:${tlsPort}:${A}`]) });
    expect(s.ok).toBe(4);
    expect(s.insecure).toBe(true);
  });
});

describe('probe transport: every node on its own', () => {
  it('a node that never answers fails alone: its third of the requests, the others untouched', async () => {
    const s = await runProbe({
      url: `https://${HOST}:${tlsPort}/`,
      rate: 60,
      maxRequests: 30,
      timeoutMs: 600,
      caCert: ca.pem,
      resolve: parseResolve([`${HOST}:${tlsPort}:${A},${B},${DARK}`]),
      nodeAz: (a) => ({ [A]: 'us-east-1a', [B]: 'us-east-1b', [DARK]: 'us-east-1c' })[a],
    });
    accounted(s);
    for (const n of s.nodes) accounted(n);
    const byAz = Object.fromEntries(s.nodes.map((n) => [n.az, n]));
    expect(byAz['us-east-1a']).toMatchObject({ address: A, sent: 10, ok: 10, availability: 1 });
    expect(byAz['us-east-1b']).toMatchObject({ address: B, sent: 10, ok: 10, availability: 1 });
    // The TLS handshake never completes: undici's connect timeout (half the deadline) ends it.
    expect(byAz['us-east-1c']).toMatchObject({ address: DARK, sent: 10, ok: 0, availability: 0, errorsByKind: { connect_timeout: 10 } });
    expect(s.errorsByKind).toEqual({ connect_timeout: 10 });
  });

  it('resolves every address of the host, and follows DNS when it changes (re-resolution)', async () => {
    let answer = [A, B];
    let changedAt = Infinity;
    const names: string[] = [];
    const lookup = async (name: string): Promise<string[]> => {
      names.push(name);
      if (answer.length === 1 && changedAt === Infinity) changedAt = Date.now();
      return answer;
    };
    const stop = new AbortController();
    const probe = new LoadProbe({ url: `http://${LB}:${httpPort}/`, rate: 50, durationMs: 30_000, lookup, reResolveMs: 100, signal: stop.signal });
    probe.on('second', (sec) => {
      // DNS drops B after the first second; stop after the first whole second that began after the probe saw it.
      if (sec.t === 0) answer = [A];
      else if (sec.startMs > changedAt) stop.abort();
    });
    const s = await probe.run();
    accounted(s);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(new Set(names)).toEqual(new Set([LB]));
    const [nodeA, nodeB] = [s.nodes.find((n) => n.address === A)!, s.nodes.find((n) => n.address === B)!];
    expect(nodeB.inDns).toBe(false);
    expect(nodeA.inDns).toBe(true);
    // Second 0 was spread over both; the last second went to A alone.
    expect(nodeA.seconds[0]!.sent).toBe(25);
    expect(nodeB.seconds[0]!.sent).toBe(25);
    const last = s.perSecond.at(-1)!.t;
    expect(nodeB.seconds.find((x) => x.t === last)?.sent ?? 0).toBe(0);
    expect(nodeA.seconds.find((x) => x.t === last)!.sent).toBeGreaterThan(0);
    expect(nodeA.sent + nodeB.sent).toBe(s.sent);
  });

  it('a host that does not resolve fails every request as dns', async () => {
    const lookup = async (): Promise<string[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const s = await runProbe({ url: `http://${LB}:${httpPort}/`, rate: 100, maxRequests: 5, lookup });
    expect(s.errorsByKind).toEqual({ dns: 5 });
    expect(s.nodes).toEqual([]);
  });

  it('--probe tcp: a handshake is a success, a refused port a failure, per node', async () => {
    const closed = createTcp();
    const port = await listen(closed, '127.0.4.1', 0);
    await new Promise((r) => closed.close(r));
    const s = await runProbe({ url: `http://${LB}:${httpPort}/`, mode: 'tcp', rate: 100, maxRequests: 8, resolve: parseResolve([`${LB}:${httpPort}:${A},${B}`]) });
    expect(s.transport).toBe('tcp');
    expect(s.ok).toBe(8);
    expect(s.nodes.map((n) => n.sent)).toEqual([4, 4]);
    const refused = await runProbe({ url: `http://${LB}:${port}/`, mode: 'tcp', rate: 100, maxRequests: 4, resolve: parseResolve([`${LB}:${port}:127.0.4.1`]) });
    expect(refused.errorsByKind).toEqual({ connect_refused: 4 });
  });
});
