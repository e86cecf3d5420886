/**
 * A profile that assumes a role with MFA (role_arn + source_profile + mfa_serial), as users configure it, against
 * the sandbox's STS: chaos-ec2's clients ask for the code once for all of them, AssumeRole gets SerialNumber and
 * TokenCode, and the resulting credentials count as not renewable (a renewal would need a new code). Config files
 * live in a temp folder; the environment is restored afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { MFA_PROFILE_LINES, MFA_SERIAL } from '../helpers/aws-config.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('assume-role with MFA through one shared provider', () => {
  let sb: TestSandbox;
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const setEnv = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in saved)) saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };

  beforeAll(async () => {
    sb = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'chaos-mfa-'));
    writeFileSync(join(dir, 'config'), [...MFA_PROFILE_LINES, ''].join('\n'));
    writeFileSync(join(dir, 'credentials'), '');
    // The SDK's nested STS client (the one that calls AssumeRole) takes its endpoint from the environment.
    setEnv({
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_ENDPOINT_URL: sb.endpoint,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the sandbox answers AssumeRole as STS does: AccessDenied without the code, credentials for the asked duration with it', async () => {
    const base = { RoleArn: 'arn:aws:iam::123456789012:role/chaos-operator', RoleSessionName: 'chaos-ec2', SerialNumber: MFA_SERIAL };
    const denied = await sb.sts.send(new AssumeRoleCommand(base)).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name}/${e.$metadata?.httpStatusCode}`);
    expect(denied).toBe('AccessDenied/403');
    const before = Date.now();
    const out = await sb.sts.send(new AssumeRoleCommand({ ...base, TokenCode: '123456', DurationSeconds: 900 }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials!.Expiration!.getTime()).toBeGreaterThanOrEqual(before + 900_000 - 1000);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/chaos-operator/chaos-ec2');
  });

  it('asks for the code once for every client, and the plan-facing info says it cannot be renewed', async () => {
    const asked: string[] = [];
    const clients = await createClients({
      region: 'us-east-1',
      endpoint: sb.endpoint,
      profile: 'mfa',
      maxAttempts: 1,
      mfaCode: (serial) => {
        asked.push(serial);
        return Promise.resolve('123456');
      },
    });
    try {
      await Promise.all([
        clients.sts.send(new GetCallerIdentityCommand({})),
        clients.ec2.send(new DescribeVpcsCommand({})),
        clients.asg.send(new DescribeAutoScalingGroupsCommand({})),
        clients.elb.send(new DescribeLoadBalancersCommand({})),
      ]);
      await clients.ec2.send(new DescribeVpcsCommand({}));
      expect(asked).toEqual([MFA_SERIAL]);
      const info = await clients.credentialInfo();
      expect(info.source).toBe('assume-role with MFA (profile mfa)');
      expect(info.refreshable).toBe(false);
      expect(info.expiration!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    } finally {
      clients.destroy();
    }
  });
});
