/**
 * The sandbox's S3 driven by the real AWS CLI v2 (`aws s3 cp/ls --endpoint-url`): botocore's own signer,
 * serializers and parsers (Content-MD5 and a signed x-amz-content-sha256 on upload, encoding-type=url on
 * listings), so a user can read chaos-ec2's reports back from `chaos-ec2 sandbox` the way they would from S3.
 * With an IP endpoint the CLI addresses buckets path-style.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLI, runAwsCli } from '../helpers/aws-cli.js';
import { requireTool } from '../helpers/ci.js';
import { s3Client } from '../helpers/s3.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

// Skipped without the CLI on a developer's machine; in CI a missing CLI fails every test below.
const cli = requireTool(AWS_CLI, 'AWS CLI v2', 's3-awscli.test.ts');

describe.skipIf(!cli.run)('AWS CLI v2 `aws s3` against the sandbox', () => {
  let sb: TestSandbox;
  let s3: S3Client;
  let dir: string;

  const aws = (args: string[]) => runAwsCli(sb.endpoint, args);

  beforeAll(async () => {
    if (cli.missing) throw new Error(cli.missing);
    sb = await startTestSandbox();
    s3 = s3Client(sb.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'chaos-reports' }));
    dir = mkdtempSync(join(tmpdir(), 'chaos-s3-cli-'));
  });
  afterAll(async () => {
    s3?.destroy();
    await sb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('aws s3 cp uploads a report the SDK reads back byte for byte, with the type the CLI guessed', async () => {
    const body = JSON.stringify({ verdict: 'pass', recoverySeconds: 42.5 }, null, 2);
    writeFileSync(join(dir, 'report.json'), body);
    const r = await aws(['s3', 'cp', '--no-progress', join(dir, 'report.json'), 's3://chaos-reports/team/run 1+a/report.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('upload:');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'chaos-reports', Key: 'team/run 1+a/report.json' }));
    expect(await got.Body!.transformToString()).toBe(body);
    expect(got.ContentType).toBe('application/json');
  });

  it('aws s3 cp downloads what the SDK uploaded', async () => {
    const body = Buffer.from('# Chaos report\n\nverdict: **pass**\n');
    await s3.send(new PutObjectCommand({ Bucket: 'chaos-reports', Key: 'team/run-2/report.md', Body: body, ContentType: 'text/markdown' }));
    const r = await aws(['s3', 'cp', '--no-progress', 's3://chaos-reports/team/run-2/report.md', join(dir, 'down.md')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'down.md')).equals(body)).toBe(true);
  });

  it('aws s3 cp moves a file above the CLI multipart threshold (8 MiB) up and down intact', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 7);
    writeFileSync(join(dir, 'big.html'), data);
    const up = await aws(['s3', 'cp', '--no-progress', join(dir, 'big.html'), 's3://chaos-reports/big/report.html']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    // A multipart object's ETag ends with its part count.
    expect(sb.ctx.s3.buckets.get('chaos-reports')!.objects.get('big/report.html')!.etag).toMatch(/-2"$/);
    const down = await aws(['s3', 'cp', '--no-progress', 's3://chaos-reports/big/report.html', join(dir, 'big-down.html')]);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(readFileSync(join(dir, 'big-down.html')).equals(data)).toBe(true);
  });

  it('aws s3 ls lists a prefix (objects and PRE sub-prefixes, keys URL-decoded) and, without a bucket, the buckets', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'chaos-reports', Key: 'team/history.json', Body: '[]' }));
    const r = await aws(['s3', 'ls', 's3://chaos-reports/team/']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim());
    expect(lines).toEqual([expect.stringMatching(/^PRE run 1\+a\/$/), expect.stringMatching(/^PRE run-2\/$/), expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +2 history\.json$/)]);

    const buckets = await aws(['s3', 'ls']);
    expect(buckets.code).toBe(0);
    expect(buckets.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d chaos-reports$/m);
  });

  it('aws s3 ls on a bucket that does not exist fails with NoSuchBucket', async () => {
    const r = await aws(['s3', 'ls', 's3://no-such-bucket/team/']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('NoSuchBucket');
  });
});
