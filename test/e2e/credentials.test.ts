/**
 * Credentials, end to end through the real binary: one provider for every client (a credential_process runs
 * once per run, not once per client), a profile that needs an MFA code refused without a TTY before any
 * request, and credentials that cannot be renewed refused (exit 3, world unchanged) when they would expire
 * before the run could be over. Shared config files live in a temp HOME, never the user's ~/.aws.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { Report } from '../../src/experiment/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { associations, blackholeArgs, cliFor, fastRunArgs, waitForSettled } from '../helpers/e2e.js';
import { runCli, sandboxEnv } from '../helpers/cli.js';
import { MFA_PROFILE_LINES } from '../helpers/aws-config.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

describe('chaos-ec2 and its credentials', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 6, azs: 3 }, 'chaos-creds-');
  let home: string;
  let counter: string;
  let config: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'chaos-creds-home-'));
    counter = join(home, 'process-runs');
    // A credential_process that leaves a line per run: the count is how often the SDK resolved credentials.
    const script = join(home, 'creds.cjs');
    writeFileSync(
      script,
      `require('node:fs').appendFileSync(${JSON.stringify(counter)}, 'run\\n');\n` +
        `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIASANDBOXPROCESS00', SecretAccessKey: 'sandbox-secret' }));\n`,
    );
    // The same keys, expiring in 3 minutes: a process the SDK runs again for new ones (a renewable source).
    const shortScript = join(home, 'short.cjs');
    writeFileSync(
      shortScript,
      `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIASANDBOXPROCESS00', SecretAccessKey: 'sandbox-secret', SessionToken: 't', Expiration: new Date(Date.now() + 180000).toISOString() }));\n`,
    );
    config = join(home, 'config');
    writeFileSync(
      config,
      [
        '[profile proc]',
        `credential_process = "${process.execPath}" "${script}"`,
        '[profile short]',
        `credential_process = "${process.execPath}" "${shortScript}"`,
        ...MFA_PROFILE_LINES,
        '',
      ].join('\n'),
    );
    writeFileSync(join(home, 'credentials'), '');
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  beforeEach(async () => {
    await waitForSettled(t.emb, t.clients);
  }, 45_000);

  /** The sandbox environment with no keys in it: credentials come from the temp HOME's config file only. */
  const profileEnv = (): Record<string, string | undefined> => ({
    ...sandboxEnv(t.emb.sandbox.endpoint),
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    HOME: home,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  });

  const inService = async () =>
    ((await t.clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }))).AutoScalingGroups?.[0]?.Instances ?? [])
      .filter((i) => i.LifecycleState === 'InService')
      .map((i) => i.InstanceId!)
      .sort();

  it('a credential_process profile runs its process once for the whole run, whatever the number of clients', async () => {
    if (existsSync(counter)) rmSync(counter);
    const r = await runCli(fastRunArgs(t.dir, '--dry-run', '--profile', 'proc'), { env: profileEnv(), timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    // The dry run used EC2 (DryRun checks), Auto Scaling, ELBv2 and STS: four clients, one process run.
    expect(readFileSync(counter, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stdout).toMatch(/^ {2}credentials {2}credential_process \(profile proc\)$/m);
  });

  it('a profile that needs an MFA code, stdin not a TTY: exit 2, one line naming the profile and device, no request sent', async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await runCli(fastRunArgs(t.dir, '--yes', '--profile', 'mfa', '--endpoint-url', endpoint), { env: profileEnv(), timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^chaos-ec2: profile mfa needs an MFA code \(mfa_serial arn:aws:iam::123456789012:mfa\/operator\) and stdin is not a TTY: /m);
      expect(r.stderr).toContain('aws sts get-session-token');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  const expiring = (ms: number) => ({
    ...sandboxEnv(t.emb.sandbox.endpoint),
    AWS_SESSION_TOKEN: 'sandbox-session-token',
    AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + ms).toISOString(),
  });

  for (const [fault, args] of [
    ['terminate', (dir: string, ...x: string[]) => fastRunArgs(dir, ...x)],
    ['blackhole-az', blackholeArgs],
  ] as const) {
    it(`${fault}: environment credentials expiring in 2 minutes, --recovery-timeout 10m: refused (exit 3), world unchanged`, async () => {
      const ids = await inService();
      const nacls = await associations(t.clients.ec2);
      const r = await cliFor(t.emb, expiring(120_000))(args(t.dir, '--yes', '--json', '--recovery-timeout', '10m'));
      expect(r.code, r.stderr).toBe(3);
      // The plan (on stderr with --json) shows where the credentials came from and when they expire.
      expect(r.stderr).toMatch(/^ {2}credentials {2}environment \(AWS_ACCESS_KEY_ID\), expire \S+Z \(cannot be renewed\)$/m);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.exitCode).toBe(3);
      expect(report.reason).toMatch(/^credentials from environment \(AWS_ACCESS_KEY_ID\) expire at \S+Z \(in (1m5\d|2m00)s\), but this run may take up to 1[12]m\d\ds /);
      expect(report.hint).toContain('a longer session');
      expect(report.hint).toContain('a shorter --recovery-timeout');
      expect(report.fault?.injectedAt ?? null).toBeNull();
      expect(await inService()).toEqual(ids);
      expect(await associations(t.clients.ec2)).toEqual(nacls);
    });
  }

  it('renewable credentials (credential_process) expiring in 3 minutes are not refused: the plan says the SDK renews them', async () => {
    const r = await runCli(blackholeArgs(t.dir, '--dry-run', '--profile', 'short', '--recovery-timeout', '10m'), { env: profileEnv(), timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}credentials {2}credential_process \(profile short\), expire \S+Z \(renewed by the SDK\)$/m);
  });

  it('environment credentials expiring in 2 hours: the same run is not refused for them (dry run), the plan shows their expiry', async () => {
    const r = await cliFor(t.emb, expiring(2 * 3_600_000))(blackholeArgs(t.dir, '--dry-run', '--recovery-timeout', '10m'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/credentials {2}environment \(AWS_ACCESS_KEY_ID\), expire \S+ \(cannot be renewed\)/);
    expect(r.stdout).toContain('dry run: nothing was changed.');
  });
});
