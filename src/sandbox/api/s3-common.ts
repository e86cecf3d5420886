/**
 * What every S3 operation checks before it acts: the bucket exists, the caller's ExpectedBucketOwner (if
 * any) is the sandbox's account, and the s3AccessDenied knob does not deny the bucket or key.
 */
import type { S3Bucket, S3Store } from '../s3/store.js';
import { accessDenied, header, noSuchBucket, S3Error, type S3Request } from './s3-wire.js';

export interface S3Context {
  store: S3Store;
  region: string;
  accountId: string;
  /** The s3AccessDenied knob's current value (read per call, so a knob change applies at once). */
  denied: () => readonly string[];
  now: () => Date;
}

/**
 * The request's bucket, or NoSuchBucket. Then ExpectedBucketOwner: "If the account ID that you provide does
 * not match the actual owner of the bucket, the request fails with the HTTP status code 403 Forbidden
 * (access denied)" (e.g. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, and "Verifying
 * bucket ownership with bucket owner condition",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html). Every bucket here is
 * owned by the sandbox's one account.
 */
export function bucketOf(ctx: S3Context, req: S3Request): S3Bucket {
  const name = req.bucket ?? '';
  const bucket = ctx.store.buckets.get(name);
  if (!bucket) throw noSuchBucket(name);
  const expected = header(req, 'x-amz-expected-bucket-owner');
  if (expected !== undefined && expected !== ctx.accountId) throw accessDenied();
  return bucket;
}

/**
 * The s3AccessDenied knob, as a bucket policy's Deny would answer (403 AccessDenied): an entry `bucket`
 * denies every call on the bucket; `bucket/prefix` denies object calls on keys under the prefix and
 * listings whose Prefix lies under it.
 */
export function checkAccess(ctx: S3Context, bucket: string, keyOrPrefix?: string): void {
  for (const entry of ctx.denied()) {
    const slash = entry.indexOf('/');
    if (slash < 0 ? entry === bucket : entry.slice(0, slash) === bucket && keyOrPrefix !== undefined && keyOrPrefix.startsWith(entry.slice(slash + 1))) {
      throw accessDenied();
    }
  }
}

/** Every object is stored with SSE-S3 (see s3-objects.ts), so every object answer says so. */
export const SSE = { 'x-amz-server-side-encryption': 'AES256' };

/** The key of an object call, checked against S3's limit ("up to 1,024 bytes long" in UTF-8). */
export function keyOf(req: S3Request): string {
  const key = req.key ?? '';
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
  return key;
}
