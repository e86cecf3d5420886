/**
 * The region, end to end: a malformed one is a usage error (exit 2) before any client exists, wherever it
 * came from; a well-formed one the endpoint does not serve is the AWS error AWS gives (exit 5), with a hint
 * to check --region, and nothing in the sandbox is touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxEnv } from '../helpers/cli.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('chaos-ec2 and the region', () => {
  let sb: TestSandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'chaos-region-'));
  });
  afterAll(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(['run', '--asg', 'demo-asg', '--report-dir', dir, '--yes', ...args], { env: { ...sandboxEnv(sb.endpoint), ...env } });

  it('--region that is not a region name: exit 2, one line saying so, no stack', async () => {
    const r = await run(['--region', 'mars-north-9!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos-ec2: --region: 'mars-north-9!' is not an AWS region name \(e\.g\. eu-west-1\)$/m);
    expect(r.stderr).not.toContain('no AWS region configured');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed AWS_REGION says where it came from (exit 2)', async () => {
    const r = await run([], { AWS_REGION: 'mars-north-9!' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("AWS region 'mars-north-9!' (from AWS_REGION or your AWS profile) is not an AWS region name");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('no region at all still says none is configured (exit 2)', async () => {
    const r = await run([], { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS region configured');
  });

  it('a region the endpoint does not serve: exit 5 with the AWS error and a hint to check --region; nothing touched', async () => {
    const before = sb.world.events().length;
    const r = await run(['--region', 'eu-west-1']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^chaos-ec2: GetCallerIdentity: SignatureDoesNotMatch: Credential should be scoped to a valid region, not 'eu-west-1'\.$/m);
    expect(r.stderr).toContain("→ the endpoint does not serve region 'eu-west-1': check --region");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sb.world.events().length).toBe(before);
  });
});
