/**
 * The baseline window with the real load probe against real servers: a failed baseline says what the
 * probe's path did wrong — a certificate (what it covers), or an internal load balancer (connect timeouts
 * only) — and is the plain "not steady" otherwise. The scheme is asked only when the failures call for it.
 */
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import { createServer as createTcp, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_REASON } from '../../src/experiment/baseline-refusal.js';
import { collectBaseline } from '../../src/experiment/baseline.js';
import { Recorder } from '../../src/experiment/recorder.js';
import { LoadProbe } from '../../src/observe/load-probe.js';
import { parseResolve } from '../../src/observe/resolve.js';
import { TestCa } from '../observe/support/tls-fixture.js';

const HOST = 'shop.example.test';
const LIVE = '127.0.1.21';
const DARK = '127.0.1.22';
const cfg = { baselineMs: 1000, steadyErrorRate: 0.01, steadyP99Ms: 1000 };

describe('baseline refusals with the real probe', () => {
  const ca = new TestCa();
  let https: HttpsServer;
  let dark: Server;
  const held: Socket[] = [];
  let port = 0;

  beforeAll(async () => {
    https = createHttps(ca.issue([HOST]), (_req, res) => res.end('ok'));
    await new Promise<void>((r) => https.listen(0, LIVE, r));
    port = (https.address() as { port: number }).port;
    // Accepts and never speaks: the TLS handshake hangs, as toward an address nothing in the path answers.
    dark = createTcp((s) => held.push(s));
    await new Promise<void>((r) => dark.listen(port, DARK, r));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    https.closeAllConnections();
    await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => dark.close(r))]);
  });

  async function baseline(addr: string, opts: { caCert?: string; internal: boolean }) {
    let asked = 0;
    const stop = new AbortController();
    const probe = new LoadProbe({
      url: `https://${HOST}:${port}/`,
      rate: 20,
      durationMs: 30_000,
      timeoutMs: 400,
      resolve: parseResolve([`${HOST}:${port}:${addr}`]),
      signal: stop.signal,
      ...(opts.caCert ? { caCert: opts.caCert } : {}),
    });
    const done = probe.run();
    const j = await collectBaseline(probe, new Recorder('exp-test', Date.now()), cfg, new AbortController().signal, {
      host: HOST,
      internal: () => {
        asked++;
        return Promise.resolve(opts.internal);
      },
    });
    stop.abort();
    await done;
    return { j, asked };
  }

  it('an unknown CA: refused naming the certificate, without asking for the scheme', async () => {
    const { j, asked } = await baseline(LIVE, { internal: true });
    expect(j.pass).toBe(false);
    expect(j.refusal?.reason).toBe(`baseline not steady: the TLS certificate did not verify for ${HOST} (UNABLE_TO_VERIFY_LEAF_SIGNATURE); it covers ${HOST}`);
    expect(asked).toBe(0);
  });

  it('connect timeouts to an internal load balancer: "run from inside the VPC"', async () => {
    const { j, asked } = await baseline(DARK, { caCert: ca.pem, internal: true });
    expect(j.pass).toBe(false);
    expect(j.refusal?.reason).toBe(`baseline not steady: ${INTERNAL_REASON}`);
    expect(asked).toBe(1);
  });

  it('the same timeouts to an internet-facing one: the plain refusal; a steady baseline passes', async () => {
    const facing = await baseline(DARK, { caCert: ca.pem, internal: false });
    expect(facing.j.pass).toBe(false);
    expect(facing.j.refusal).toBeUndefined();
    expect(facing.j.detail).toMatch(/^baseline error rate 100\.00%/);
    const ok = await baseline(LIVE, { caCert: ca.pem, internal: true });
    expect(ok.j.pass).toBe(true);
    expect(ok.asked).toBe(0);
  });
});
