/**
 * The S3 calls of the report store (`--report-dir s3://bucket/prefix`). Every call names the bucket owner
 * (`ExpectedBucketOwner` = the caller's account): a bucket name that was deleted and re-created by someone
 * else (bucket names are global) answers 403 instead of receiving a team's reports. Encryption is the
 * bucket's: S3 encrypts every object by default (SSE-S3) and applies the bucket's default encryption (SSE-KMS
 * included) to objects written without encryption headers, so none are sent.
 */
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ChaosError, ExitCode, type Phase } from '../core/errors.js';
import { awsCode, awsError, call } from './errors.js';

export interface S3Location {
  bucket: string;
  /** No leading or trailing slash; '' for the bucket's root. */
  prefix: string;
}

/** `s3://bucket/some/prefix/` → { bucket, prefix: 'some/prefix' }; undefined for anything that is not an s3:// URL. */
export function parseS3Url(raw: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(raw.trim());
  if (!m) return undefined;
  return { bucket: m[1]!, prefix: m[2]!.replace(/^\/+|\/+$/g, '') };
}

export const s3Url = (l: S3Location, ...parts: string[]): string => `s3://${l.bucket}/${[l.prefix, ...parts].filter(Boolean).join('/')}`;
export const keyOf = (l: S3Location, ...parts: string[]): string => [l.prefix, ...parts].filter(Boolean).join('/');

/** Bucket names: 3-63 characters, lower case letters, digits, dots and hyphens, starting and ending alphanumeric. */
export const isBucketName = (b: string): boolean => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b);

const NOT_FOUND = new Set(['NotFound', 'NoSuchBucket', '404']);
const FORBIDDEN = new Set(['Forbidden', 'AccessDenied', '403']);

/**
 * The bucket exists, is the caller's account's, and the prefix can be written: HeadBucket, then a small marker
 * object (overwritten each time; it needs no delete permission). Both answers are exit 5 with a hint — it took
 * an AWS call to find out — and come before anything is injected.
 */
export async function checkWritable(s3: S3Client, l: S3Location, owner: string, phase: Phase): Promise<void> {
  await checkBucket(s3, l, owner, phase);
  await putText(s3, l, owner, keyOf(l, '.chaos-ec2-write-check'), `written by chaos-ec2 to check access; safe to delete\n`, 'text/plain; charset=utf-8', phase);
}

/** The bucket exists and is the caller's account's (HeadBucket): exit 5 with a hint otherwise. */
export async function checkBucket(s3: S3Client, l: S3Location, owner: string, phase: Phase): Promise<void> {
  const where = s3Url(l);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: l.bucket, ExpectedBucketOwner: owner }));
  } catch (err) {
    const code = awsCode(err);
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (NOT_FOUND.has(code) || status === 404) {
      throw new ChaosError(ExitCode.AwsError, `report store ${where}: bucket ${l.bucket} does not exist`, {
        phase,
        hint: `create it (aws s3 mb s3://${l.bucket}) or pass another --report-dir`,
        cause: err,
      });
    }
    if (FORBIDDEN.has(code) || status === 403) {
      throw new ChaosError(ExitCode.AwsError, `report store ${where}: access to bucket ${l.bucket} denied (or it belongs to another account than ${owner})`, {
        phase,
        hint: 'grant s3:ListBucket on the bucket and s3:PutObject/s3:GetObject on the prefix (chaos-ec2 iam-policy --report-dir …), or pass another --report-dir',
        cause: err,
      });
    }
    throw awsError(err, 'HeadBucket', { phase, target: l.bucket });
  }
}

export async function putText(s3: S3Client, l: S3Location, owner: string, key: string, body: string | Uint8Array, contentType: string, phase: Phase): Promise<void> {
  await call('PutObject', { phase, target: `s3://${l.bucket}/${key}` }, () =>
    s3.send(new PutObjectCommand({ Bucket: l.bucket, Key: key, Body: body, ContentType: contentType, ExpectedBucketOwner: owner })),
  );
}

/** The object's text, or undefined when there is no such key. */
export async function getText(s3: S3Client, l: S3Location, owner: string, key: string, phase: Phase): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: l.bucket, Key: key, ExpectedBucketOwner: owner }));
    return await out.Body!.transformToString('utf-8');
  } catch (err) {
    if (awsCode(err) === 'NoSuchKey') return undefined;
    throw awsError(err, 'GetObject', { phase, target: `s3://${l.bucket}/${key}` });
  }
}

/** The "folders" right under the prefix (CommonPrefixes with delimiter '/'), every page, without the prefix. */
export async function listFolders(s3: S3Client, l: S3Location, owner: string, phase: Phase): Promise<string[]> {
  const base = l.prefix ? `${l.prefix}/` : '';
  const out: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await call('ListObjectsV2', { phase, target: s3Url(l) }, () =>
      s3.send(new ListObjectsV2Command({ Bucket: l.bucket, Prefix: base, Delimiter: '/', ExpectedBucketOwner: owner, ...(ContinuationToken ? { ContinuationToken } : {}) })),
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(base.length).replace(/\/$/, ''));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return out;
}
