/**
 * `chaos-ec2 sandbox` given what it cannot use: a busy port or a region name no client can sign for is one
 * line and exit 2, before anything starts.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('chaos-ec2 sandbox misuse', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('a port already in use: exit 2, one line naming it, and --port 0 suggested; no stack', async () => {
    const r = await runCli(['sandbox', '--port', String(port)], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^chaos-ec2: --port: ${port} is already in use on 127\\.0\\.0\\.1$`, 'm'));
    expect(r.stderr).toContain('--port 0');
    expect(r.stderr).not.toContain('EADDRINUSE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toContain('sandbox ready');
  });

  it('a region that is not a region name: exit 2 before starting', async () => {
    const r = await runCli(['sandbox', '--port', '0', '--region', 'mars-north-9!'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos-ec2: --region: 'mars-north-9!' is not an AWS region name \(e\.g\. eu-west-1\)$/m);
    expect(r.stdout).not.toContain('starting the sandbox');
  });
});
