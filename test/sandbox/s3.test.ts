/**
 * The sandbox's S3 through the real @aws-sdk/client-s3 (path-style, as chaos-ec2 uses it with an endpoint):
 * buckets, objects with the SDK's default flexible checksums (header for a buffer, aws-chunked with a
 * trailer for a stream), ListObjectsV2 pagination, S3's error codes, ExpectedBucketOwner and the
 * s3AccessDenied knob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS } from '../../src/sandbox/knobs.js';
import { s3Client } from '../helpers/s3.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const crc32b64 = (data: Buffer): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
};
/** The HTTP status of a call that must fail. */
async function failedStatus(p: Promise<unknown>): Promise<number | undefined> {
  const outcome = await p.then(
    () => 'succeeded' as const,
    (e: unknown) => e as { $metadata?: { httpStatusCode?: number } },
  );
  if (outcome === 'succeeded') throw new Error('expected the call to fail, but it succeeded');
  return outcome.$metadata?.httpStatusCode;
}
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

describe('sandbox S3 through @aws-sdk/client-s3', () => {
  let sb: TestSandbox;
  let s3: S3Client;
  /** Headers of the last request the client sent (after signing), to see which encoding it chose. */
  let sent: Record<string, string> = {};

  beforeAll(async () => {
    sb = await startTestSandbox();
    s3 = s3Client(sb.endpoint);
    s3.middlewareStack.add(
      (next) => async (args) => {
        sent = { ...(args.request as { headers: Record<string, string> }).headers };
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'recordHeaders' },
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'chaos-reports' }));
  });
  afterEach(() => Object.assign(sb.ctx.knobs, DEFAULT_KNOBS, { failActions: [], s3AccessDenied: [] }));
  afterAll(async () => {
    s3?.destroy();
    await sb?.close();
  });

  const put = (Key: string, Body: string | Buffer | Readable, extra: object = {}) => s3.send(new PutObjectCommand({ Bucket: 'chaos-reports', Key, Body, ...extra }));
  const getBytes = async (Key: string, Bucket = 'chaos-reports') => {
    const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
    return { out, body: Buffer.from(await out.Body!.transformToByteArray()) };
  };

  it('creates, heads and lists buckets; a missing one is NotFound (404, no body) on HEAD and NoSuchBucket elsewhere', async () => {
    await s3.send(new HeadBucketCommand({ Bucket: 'chaos-reports' }));
    await expectAwsError(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })), 'NotFound', 404);
    await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
    await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
    await expectAwsError(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })), 'InvalidBucketName', 400);
    // us-east-1 answers 200 to re-creating a bucket you own (legacy); elsewhere BucketAlreadyOwnedByYou.
    await s3.send(new CreateBucketCommand({ Bucket: 'chaos-reports' }));
    await expectAwsError(
      s3.send(new CreateBucketCommand({ Bucket: 'other-region', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
      'IllegalLocationConstraintException',
      400,
    );
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual(['chaos-reports']);
  });

  it('answers BucketAlreadyOwnedByYou (409) outside us-east-1, where the LocationConstraint must name the region', async () => {
    const eu = await startTestSandbox({ region: 'eu-west-1' });
    const client = s3Client(eu.endpoint, 'eu-west-1');
    try {
      // (Without a configuration the SDK itself adds the client's region as LocationConstraint.)
      await expectAwsError(
        client.send(new CreateBucketCommand({ Bucket: 'eu-reports', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
        'IllegalLocationConstraintException',
        400,
      );
      await client.send(new CreateBucketCommand({ Bucket: 'eu-reports', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await expectAwsError(client.send(new CreateBucketCommand({ Bucket: 'eu-reports', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'BucketAlreadyOwnedByYou', 409);
      const head = await client.send(new HeadBucketCommand({ Bucket: 'eu-reports' }));
      expect(head.BucketRegion).toBe('eu-west-1');
    } finally {
      client.destroy();
      await eu.close();
    }
  });

  it('puts with the default CRC32 header and gets the same bytes, type, ETag, SSE and checksum back', async () => {
    const body = '{"verdict":"pass"}\n';
    const out = await put('team/run-1/report.json', body, { ContentType: 'application/json' });
    expect(sent['x-amz-checksum-crc32']).toBe(crc32b64(Buffer.from(body)));
    expect(out.ETag).toBe(`"${md5(body)}"`);
    expect(out.ChecksumCRC32).toBe(crc32b64(Buffer.from(body)));
    expect(out.ServerSideEncryption).toBe('AES256');

    // The SDK asks for the checksum (x-amz-checksum-mode) and validates the body against it.
    const { out: got, body: bytes } = await getBytes('team/run-1/report.json');
    expect(bytes.toString()).toBe(body);
    expect(got.ContentType).toBe('application/json');
    expect(got.ETag).toBe(`"${md5(body)}"`);
    expect(got.ChecksumCRC32).toBe(crc32b64(Buffer.from(body)));
    expect(got.ServerSideEncryption).toBe('AES256');

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'chaos-reports', Key: 'team/run-1/report.json' }));
    expect(head.ContentLength).toBe(Buffer.byteLength(body));
    expect(head.ContentType).toBe('application/json');
    expect(head.LastModified).toBeInstanceOf(Date);
    expect(Math.abs(head.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('decodes a streamed upload (aws-chunked with a trailing CRC32) and returns it byte-identical', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 123);
    await put('big/blob.bin', Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), { ContentLength: data.length });
    expect(sent['content-encoding']).toContain('aws-chunked');
    expect(sent['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    const { out, body } = await getBytes('big/blob.bin');
    expect(body.equals(data)).toBe(true);
    expect(out.ETag).toBe(`"${md5(data)}"`);
  });

  it('verifies and returns the other checksum algorithms the SDK offers (CRC32C, SHA-1, SHA-256)', async () => {
    const body = Buffer.from('checksummed body');
    for (const [ChecksumAlgorithm, field] of [
      ['CRC32C', 'ChecksumCRC32C'],
      ['SHA1', 'ChecksumSHA1'],
      ['SHA256', 'ChecksumSHA256'],
    ] as const) {
      const key = `algo/${ChecksumAlgorithm}.txt`;
      const out = await put(key, body, { ChecksumAlgorithm });
      expect(sent[`x-amz-checksum-${ChecksumAlgorithm.toLowerCase()}`]).toBe(out[field]);
      if (ChecksumAlgorithm !== 'CRC32C')
        expect(out[field]).toBe(
          createHash(ChecksumAlgorithm === 'SHA1' ? 'sha1' : 'sha256')
            .update(body)
            .digest('base64'),
        );
      // The SDK validates the body it reads against the returned value.
      const { out: got, body: bytes } = await getBytes(key);
      expect(bytes.equals(body)).toBe(true);
      expect(got[field]).toBe(out[field]);
    }
  });

  it('refuses a body whose CRC32 does not match it (BadDigest), storing nothing', async () => {
    await expectAwsError(put('bad/crc.txt', 'payload', { ChecksumCRC32: crc32b64(Buffer.from('other')) }), 'BadDigest', 400);
    await expectAwsError(s3.send(new HeadObjectCommand({ Bucket: 'chaos-reports', Key: 'bad/crc.txt' })), 'NotFound', 404);
  });

  it('decodes a signed aws-chunked body with a trailer and checks the trailing checksum', async () => {
    const data = Buffer.from('hello, chunks');
    const chunked = (trailer: string) =>
      Buffer.concat([
        Buffer.from(`${(8).toString(16)};chunk-signature=${'a'.repeat(64)}\r\n`),
        data.subarray(0, 8),
        Buffer.from(`\r\n${(data.length - 8).toString(16)};chunk-signature=${'b'.repeat(64)}\r\n`),
        data.subarray(8),
        Buffer.from(`\r\n0;chunk-signature=${'c'.repeat(64)}\r\nx-amz-checksum-crc32:${trailer}\r\nx-amz-trailer-signature:${'d'.repeat(64)}\r\n\r\n`),
      ]);
    const send = (trailer: string) =>
      fetch(`${sb.endpoint}/chaos-reports/raw/chunked.txt`, {
        method: 'PUT',
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
          'x-amz-decoded-content-length': String(data.length),
          'x-amz-trailer': 'x-amz-checksum-crc32',
          'content-type': 'text/plain',
        },
        body: chunked(trailer),
      });
    const bad = await send(crc32b64(Buffer.from('nope')));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/<Code>BadDigest<\/Code>/);
    const ok = await send(crc32b64(data));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-amz-checksum-crc32')).toBe(crc32b64(data));
    const stored = await getBytes('raw/chunked.txt');
    expect(stored.body.toString()).toBe('hello, chunks');
    expect(stored.out.ContentType).toBe('text/plain');
  });

  it('serves a single Range (206, no whole-object checksum), refuses an oversized or mis-hashed body before storing it', async () => {
    await put('range/r.txt', '0123456789');
    const part = await s3.send(new GetObjectCommand({ Bucket: 'chaos-reports', Key: 'range/r.txt', Range: 'bytes=2-5' }));
    expect(part.$metadata.httpStatusCode).toBe(206);
    expect(part.ContentRange).toBe('bytes 2-5/10');
    expect(part.ChecksumCRC32).toBeUndefined();
    expect(await part.Body!.transformToString()).toBe('2345');
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'chaos-reports', Key: 'range/r.txt', Range: 'bytes=20-' })), 'InvalidRange', 416);

    const raw = (key: string, headers: Record<string, string>, body: string) => fetch(`${sb.endpoint}/chaos-reports/${key}`, { method: 'PUT', headers, body });
    // Declared larger than the sandbox keeps (64 MiB): refused without holding the body.
    const big = await raw('range/big.bin', { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(65 * 1024 * 1024) }, '0\r\n\r\n');
    expect(big.status).toBe(400);
    expect(await big.text()).toMatch(/<Code>EntityTooLarge<\/Code>/);
    const wrongSha = await raw('range/sha.txt', { 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') }, 'body');
    expect(wrongSha.status).toBe(400);
    expect(await wrongSha.text()).toMatch(/<Code>XAmzContentSHA256Mismatch<\/Code>/);
    expect(sb.ctx.s3.buckets.get('chaos-reports')!.objects.has('range/big.bin')).toBe(false);
    expect(sb.ctx.s3.buckets.get('chaos-reports')!.objects.has('range/sha.txt')).toBe(false);
  });

  it('assembles a multipart upload (MD5-of-MD5s ETag), refusing small middle parts, unknown ETags and aborted uploads', async () => {
    const Bucket = 'chaos-reports';
    const start = async (Key: string) => (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'text/html' }))).UploadId!;
    const part = (Key: string, UploadId: string, PartNumber: number, Body: Buffer) => s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }));
    const a = randomBytes(5 * 1024 * 1024);
    const b = randomBytes(1000);
    const id = await start('mpu/report.html');
    const [pa, pb] = [await part('mpu/report.html', id, 1, a), await part('mpu/report.html', id, 2, b)];
    expect(pa.ETag).toBe(`"${md5(a)}"`);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'mpu/report.html',
        UploadId: id,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: pa.ETag },
            { PartNumber: 2, ETag: pb.ETag },
          ],
        },
      }),
    );
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat([createHash('md5').update(a).digest(), createHash('md5').update(b).digest()]))
      .digest('hex')}-2"`;
    expect(done.ETag).toBe(expectedEtag);
    const { out, body } = await getBytes('mpu/report.html');
    expect(body.equals(Buffer.concat([a, b]))).toBe(true);
    expect([out.ETag, out.ContentType]).toEqual([expectedEtag, 'text/html']);
    // The upload is gone once completed.
    await expectAwsError(part('mpu/report.html', id, 3, b), 'NoSuchUpload', 404);

    const small = await start('mpu/small.bin');
    const [s1, s2] = [await part('mpu/small.bin', small, 1, b), await part('mpu/small.bin', small, 2, b)];
    const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu/small.bin', UploadId: small, MultipartUpload: { Parts } }));
    await expectAwsError(
      complete([
        { PartNumber: 1, ETag: s1.ETag },
        { PartNumber: 2, ETag: s2.ETag },
      ]),
      'EntityTooSmall',
      400,
    );
    await expectAwsError(complete([{ PartNumber: 1, ETag: `"${md5('other')}"` }]), 'InvalidPart', 400);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'mpu/small.bin', UploadId: small }));
    await expectAwsError(complete([{ PartNumber: 1, ETag: s1.ETag }]), 'NoSuchUpload', 404);
    expect(sb.ctx.s3.uploads.size).toBe(0);
  });

  it('lists with prefix and delimiter (CommonPrefixes) and pages MaxKeys 2 with continuation tokens, also past a common prefix', async () => {
    const keys = ['list/a.json', 'list/b.json', 'list/c.json', 'list/d.json', 'list/e.json'];
    for (const k of [...keys].reverse()) await put(k, k);
    await put('list/sub/x.json', 'x');
    await put('list/sub/y.json', 'y');
    await put('list/zz.json', 'zz');
    await put('listing-not-under-prefix.txt', 'z');

    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'chaos-reports', Prefix: 'list/', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      pages.push(page);
      token = page.NextContinuationToken;
    } while (token);
    // 6 keys + 1 common prefix, 2 entries per page; the prefix sorts after e.json, and the page after it
    // skips the keys it summed up.
    expect(pages.map((p) => [...(p.Contents ?? []).map((c) => c.Key), ...(p.CommonPrefixes ?? []).map((c) => c.Prefix)])).toEqual([
      ['list/a.json', 'list/b.json'],
      ['list/c.json', 'list/d.json'],
      ['list/e.json', 'list/sub/'],
      ['list/zz.json'],
    ]);
    expect(pages.map((p) => [p.KeyCount, p.IsTruncated])).toEqual([
      [2, true],
      [2, true],
      [2, true],
      [1, false],
    ]);
    expect(pages[1]!.ContinuationToken).toBe(pages[0]!.NextContinuationToken);
    expect(pages[0]!.Contents![0]).toMatchObject({ Size: 'list/a.json'.length, ETag: `"${md5('list/a.json')}"`, StorageClass: 'STANDARD', ChecksumAlgorithm: ['CRC32'] });

    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'chaos-reports', Prefix: 'list/', StartAfter: 'list/d.json' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['list/e.json', 'list/sub/x.json', 'list/sub/y.json', 'list/zz.json']);
    expect(after.KeyCount).toBe(4);
    expect(after.CommonPrefixes).toBeUndefined();

    await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: 'chaos-reports', ContinuationToken: 'not-a-token' })), 'InvalidArgument', 400);
  });

  it('deletes an object (204 even when already gone); a missing key is NoSuchKey (404)', async () => {
    await put('gone/once.txt', 'bye');
    await s3.send(new DeleteObjectCommand({ Bucket: 'chaos-reports', Key: 'gone/once.txt' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'chaos-reports', Key: 'gone/once.txt' }));
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'chaos-reports', Key: 'gone/once.txt' })), 'NoSuchKey', 404);
    await expectAwsError(s3.send(new HeadObjectCommand({ Bucket: 'chaos-reports', Key: 'gone/once.txt' })), 'NotFound', 404);
  });

  it('refuses a call whose ExpectedBucketOwner is another account (403 AccessDenied) and serves the right one', async () => {
    const owner = sb.world.accountId;
    await put('owned/x.txt', 'x', { ExpectedBucketOwner: owner });
    await expectAwsError(put('owned/y.txt', 'y', { ExpectedBucketOwner: '999999999999' }), 'AccessDenied', 403);
    await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: 'chaos-reports', ExpectedBucketOwner: '999999999999' })), 'AccessDenied', 403);
    // A HEAD error has no body, so the SDK knows only the status.
    expect(await failedStatus(s3.send(new HeadBucketCommand({ Bucket: 'chaos-reports', ExpectedBucketOwner: '999999999999' })))).toBe(403);
  });

  it('denies a prefix or a whole bucket through the s3AccessDenied knob (POST /_sandbox/knobs)', async () => {
    const setKnob = (value: unknown) => fetch(`${sb.endpoint}/_sandbox/knobs`, { method: 'POST', body: JSON.stringify({ s3AccessDenied: value }) });
    expect((await setKnob([''])).status).toBe(400);
    expect((await setKnob('chaos-reports')).status).toBe(400);
    expect((await setKnob(['chaos-reports/locked/'])).status).toBe(200);
    await expectAwsError(put('locked/r.json', '{}'), 'AccessDenied', 403);
    await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: 'chaos-reports', Prefix: 'locked/' })), 'AccessDenied', 403);
    await put('open/r.json', '{}');
    await s3.send(new HeadBucketCommand({ Bucket: 'chaos-reports' }));

    expect((await setKnob(['chaos-reports'])).status).toBe(200);
    await expectAwsError(getBytes('open/r.json'), 'AccessDenied', 403);
    await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: 'chaos-reports' })), 'AccessDenied', 403);
    expect(await failedStatus(s3.send(new HeadBucketCommand({ Bucket: 'chaos-reports' })))).toBe(403);

    expect((await setKnob([])).status).toBe(200);
    expect((await getBytes('open/r.json')).body.toString()).toBe('{}');
  });

  it('applies failActions to S3 operations by name and refuses a credential scope for another region', async () => {
    sb.ctx.knobs.failActions = ['PutObject'];
    await expectAwsError(put('fail/x.txt', 'x'), 'ServiceUnavailable', 503);
    sb.ctx.knobs.failActions = [];
    const west = s3Client(sb.endpoint, 'us-west-2');
    try {
      await expectAwsError(west.send(new ListObjectsV2Command({ Bucket: 'chaos-reports' })), 'AuthorizationHeaderMalformed', 400);
    } finally {
      west.destroy();
    }
  });

  it('leaves the query services and /_sandbox/state working beside it, with bucket counts (no bodies) in the state', async () => {
    const who = await sb.sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(sb.world.accountId);
    const state = (await (await fetch(`${sb.endpoint}/_sandbox/state`)).json()) as { s3: { buckets: { name: string; objects: number; bytes: number }[] } };
    const bucket = state.s3.buckets.find((b) => b.name === 'chaos-reports')!;
    expect(bucket.objects).toBe(sb.ctx.s3.buckets.get('chaos-reports')!.objects.size);
    expect(bucket.objects).toBeGreaterThan(0);
    expect(JSON.stringify(state)).not.toContain('verdict');
  });
});
