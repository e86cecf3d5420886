/**
 * `--notify`: the real binary posts the run's result to local receivers (HTTP servers on port 0). One POST with
 * the verdict and the figures; a receiver that answers 500 gets three attempts and a warning, and the verdict
 * and exit code stay what the run decided. The webhook URL is a credential and never appears in any output or
 * report file.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifySummary } from '../../src/report/notify.js';
import { cliFor, fastRunArgs } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

interface Receiver {
  url: string;
  bodies: unknown[];
  hits: number;
  server: Server;
}

async function receiver(status: number, path: string): Promise<Receiver> {
  const r = { bodies: [] as unknown[], hits: 0 } as Receiver;
  r.server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      r.hits++;
      if (req.method === 'POST' && req.url === path && req.headers['content-type'] === 'application/json') r.bodies.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((ok) => r.server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}${path}`;
  return r;
}

const SECRET_PATH = '/hooks/T0SECRET/B0SECRET/xoxSecretWebhookToken';

describe('--notify', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-notify-');
  let ok: Receiver;
  let down: Receiver;
  beforeAll(async () => {
    ok = await receiver(200, SECRET_PATH);
    down = await receiver(500, '/down');
  });
  afterAll(() => {
    ok.server.close();
    down.server.close();
  });

  it('posts the verdict and figures once; a receiver answering 500 is retried 3 times and changes nothing', async () => {
    const r = await cliFor(t.emb)(fastRunArgs(t.dir, '--yes', '--seed', 'notify', '--notify', ok.url, '--notify', down.url, '--notify-format', 'json'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(ok.bodies).toHaveLength(1);
    const s = ok.bodies[0] as NotifySummary;
    expect(s).toMatchObject({ verdict: 'pass', exitCode: 0, asg: 'demo-asg', fault: 'terminate-instances' });
    expect(s.figures.capacityRecoveredMs).toEqual(expect.any(Number));
    expect(s.report).toMatch(/report\.json$/);
    // The failing receiver: three attempts, then one warning naming it by position and host only.
    expect(down.hits).toBe(3);
    expect(r.stderr).toMatch(/warning: webhook 2 \(127\.0\.0\.1:\d+\) did not take the json notification \(HTTP 500\); the run's result and exit code stand/);
    // The webhook URL is a secret: not in the output, not in the report files.
    const id = readdirSync(t.dir).find((d) => d === s.experimentId)!;
    const report = readFileSync(join(t.dir, id, 'report.json'), 'utf8');
    for (const text of [r.stdout, r.stderr, report]) expect(text).not.toContain('xoxSecretWebhookToken');
    expect((JSON.parse(report) as { settings: { notify: unknown } }).settings.notify).toBe(2);
  });

  it('a webhook that is not a URL: exit 2 before any AWS call, without quoting it', async () => {
    const r = await cliFor(t.emb)(fastRunArgs(t.dir, '--yes', '--notify', 'hooks.slack.com/services/T0/B0/notAUrlSecret'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--notify: webhook 1 is not a URL/);
    expect(r.stderr).not.toContain('notAUrlSecret');
  });
});
