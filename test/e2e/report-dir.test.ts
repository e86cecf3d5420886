/**
 * An unusable --report-dir is caught with the flags: exit 2, one line naming the directory and why, and not
 * a single AWS request — checked against a local HTTP endpoint that counts what reaches it (the control
 * case, a usable directory, shows that the same command line does reach it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const GAMEDAY = fileURLToPath(new URL('../../examples/gameday.yaml', import.meta.url));

let server: Server;
let endpoint = '';
let requests = 0;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-e2e-reportdir-'));
  // Not AWS: every request is counted and answered 500, which the CLI reports as an AWS error (exit 5).
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' }).end('counting endpoint');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAREPORTDIRTEST000',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_PROFILE: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1',
  CHAOS_EC2_REPORT_DIR: undefined,
  NO_COLOR: '1',
});
const run = (...args: string[]) => runCli(['run', '--asg', 'web', '--yes', ...args], { env: env(), timeoutMs: 30_000 });

describe('an unusable --report-dir', () => {
  it('a file, a path under a file, and /proc/sys/nope: exit 2, one line naming the dir, no AWS request', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const bad = [file, join(file, 'reports'), ...(existsSync('/proc/sys') ? ['/proc/sys/nope'] : [])];
    for (const d of bad) {
      const before = requests;
      const r = await run('--report-dir', d);
      expect(r.code, `${d}: ${r.stderr}`).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^chaos-ec2: report directory ${d.replace(/[/.]/g, '\\$&')} is not usable: `));
      expect(lines[1]).toMatch(/^ {2}→ .*--report-dir/);
      expect(lines).toHaveLength(2);
      expect(requests - before, d).toBe(0);
    }
  });

  it('the control: the same command with a usable dir does reach the endpoint (so the zero above means something)', async () => {
    const before = requests;
    const r = await run('--report-dir', join(dir, 'fresh', 'reports'));
    expect(r.code, r.stderr).toBe(5);
    expect(requests - before).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'fresh', 'reports'))).toBe(true);
  });

  it('run -f and demo check it too, before their first experiment', async () => {
    const before = requests;
    const f = await runCli(['run', '-f', GAMEDAY, '--yes', '--report-dir', join(dir, 'a-file')], { env: env(), timeoutMs: 30_000 });
    expect(f.code, f.stderr).toBe(2);
    expect(f.stderr).toMatch(/^chaos-ec2: report directory .*a-file is not usable: .*a-file exists and is not a directory$/m);
    expect(f.stdout).not.toContain('▶ experiment');
    const d = await runCli(['demo', '--report-dir', join(dir, 'a-file', 'x')], { env: { NO_COLOR: '1' }, timeoutMs: 60_000 });
    expect(d.code, d.stderr).toBe(2);
    expect(d.stderr).toMatch(/report directory .*a-file\/x is not usable/);
    expect(requests - before).toBe(0);
  });

  it('--min-interval warns about a damaged report it had to skip (one line, naming it), then goes on', async () => {
    const reports = join(dir, 'paced');
    await mkdir(join(reports, 'half'), { recursive: true });
    await writeFile(join(reports, 'half', 'report.json'), '{"schemaVersion":1,');
    const r = await run('--report-dir', reports, '--min-interval', '1h');
    expect(r.stderr).toContain(`chaos-ec2: warning: --min-interval skipped ${join(reports, 'half', 'report.json')}: `);
    expect(r.code, r.stderr).toBe(5);
  });
});
