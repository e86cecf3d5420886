/**
 * End to end, the real binary: HTTPS done right. A service on its own name (shop.example.test) behind a
 * pinned address, with a certificate from a CA made here. Without that CA, or asking for another name, the
 * baseline is refused (exit 3) with what the certificate covers and the flag to pass, and nothing is changed
 * in the sandbox; `--insecure` is flagged in the plan; `probe` verifies against --ca-cert.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { waitForSteadyState } from '../../src/sandbox/index.js';
import { cliFor, fastRunArgs } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';
import { TestCa } from '../observe/support/tls-fixture.js';

const HOST = 'shop.example.test';
const ADDR = '127.0.1.7';

describe('the probe over HTTPS with the service name (real CLI)', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-e2e-tls-');
  const ca = new TestCa();
  let server: Server;
  let port = 0;
  let caFile: string;

  beforeAll(async () => {
    server = createServer(ca.issue([HOST]), (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, ADDR, r));
    port = (server.address() as { port: number }).port;
    caFile = join(t.dir, 'ca.pem');
    writeFileSync(caFile, ca.pem);
    await waitForSteadyState(t.clients, t.emb.stack, 30_000);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const cli = (a: string[]) => cliFor(t.emb)(a);
  const url = () => `https://${HOST}:${port}/`;
  const pin = () => `${HOST}:${port}:${ADDR}`;
  const mutations = (since: number) => t.emb.sandbox.world.events(since).filter((e) => e.type === 'instance-state' || e.type === 'nacl-association');
  const lastSeq = () => t.emb.sandbox.world.events().at(-1)?.seq ?? 0;

  it('an unknown CA: exit 3 before injecting, the reason names the certificate problem and what it covers', async () => {
    const seq = lastSeq();
    const r = await cli(fastRunArgs(t.dir, '--url', url(), '--resolve', pin(), '--yes', '--json'));
    expect(r.code, r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.reason).toBe(`baseline not steady: the TLS certificate did not verify for ${HOST} (UNABLE_TO_VERIFY_LEAF_SIGNATURE); it covers ${HOST}`);
    expect(report.hint).toMatch(/^pass --ca-cert FILE with the CA that signed it/);
    expect(report.probe?.errorsByKind).toEqual({ tls: report.probe?.failed });
    expect(report.probe?.host).toBe(HOST);
    expect(report.fault?.injectedAt ?? null).toBeNull();
    expect(mutations(seq)).toEqual([]);
  });

  it('the right CA but another name asked for: exit 3, and the hint is --host with the name it covers', async () => {
    const seq = lastSeq();
    const r = await cli(fastRunArgs(t.dir, '--url', url(), '--resolve', pin(), '--host', 'api.example.test', '--ca-cert', caFile, '--yes', '--json'));
    expect(r.code, r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.reason).toBe(`baseline not steady: the TLS certificate did not verify for api.example.test (ERR_TLS_CERT_ALTNAME_INVALID); it covers ${HOST}`);
    expect(report.hint).toMatch(new RegExp(`^pass --host ${HOST.replace(/\./g, '\\.')} `));
    expect(mutations(seq)).toEqual([]);
  });

  it('--insecure is flagged in the plan', async () => {
    const r = await cli(fastRunArgs(t.dir, '--url', url(), '--resolve', pin(), '--insecure', '--dry-run'));
    expect(r.stdout).toContain('!! TLS certificate verification is OFF (--insecure)');
  });

  it('probe: verified against --ca-cert, through the pinned address, with the service name', async () => {
    const r = await cli(['probe', url(), '--resolve', pin(), '--ca-cert', caFile, '--rate', '50', '--max-requests', '20', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { ok: number; sent: number; host: string; insecure: boolean; nodes: { address: string; sent: number }[] };
    expect(s).toMatchObject({ ok: 20, sent: 20, host: HOST, insecure: false });
    expect(s.nodes).toMatchObject([{ address: ADDR, sent: 20 }]);
    const bad = await cli(['probe', url(), '--resolve', pin(), '--rate', '50', '--max-requests', '5', '--json']);
    expect(JSON.parse(bad.stdout)).toMatchObject({ failed: 5, errorsByKind: { tls: 5 } });
  });

  it('NODE_EXTRA_CA_CERTS keeps working, alone and beside --ca-cert', async () => {
    const other = new TestCa('another CA');
    const otherFile = join(t.dir, 'other-ca.pem');
    writeFileSync(otherFile, other.pem);
    const withEnv = (a: string[]) => cliFor(t.emb, { NODE_EXTRA_CA_CERTS: caFile })(a);
    const alone = await withEnv(['probe', url(), '--resolve', pin(), '--rate', '50', '--max-requests', '5', '--json']);
    expect(JSON.parse(alone.stdout)).toMatchObject({ ok: 5 });
    // --ca-cert replaces Node's default store for the connection; the environment's CA must still count.
    const beside = await withEnv(['probe', url(), '--resolve', pin(), '--ca-cert', otherFile, '--rate', '50', '--max-requests', '5', '--json']);
    expect(JSON.parse(beside.stdout)).toMatchObject({ ok: 5 });
  });
});
