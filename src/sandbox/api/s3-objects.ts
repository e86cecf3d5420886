/**
 * S3 object operations: PutObject (with the integrity checks S3 makes on the way in), GetObject, HeadObject
 * and DeleteObject. Every object is stored with server-side encryption SSE-S3, as S3 has applied by default
 * to every new object since January 2023 ("Setting default server-side encryption behavior for Amazon S3
 * buckets", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html), so responses carry
 * `x-amz-server-side-encryption: AES256`.
 */
import { checksum, checksumHeader, md5Hex } from '../s3/checksums.js';
import { MAX_OBJECT_BYTES, type S3Object } from '../s3/store.js';
import { bucketOf, checkAccess, keyOf, SSE, type S3Context } from './s3-common.js';
import { entityTooLarge, payload, verifiedChecksum } from './s3-payload.js';
import { header, httpDate, noSuchKey, S3Error, type S3Request, type S3Response } from './s3-wire.js';

/** PutObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html). */
export function putObject(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  const key = keyOf(req);
  checkAccess(ctx, bucket.name, key);
  if (header(req, 'x-amz-copy-source') !== undefined) throw new S3Error('NotImplemented', 'CopyObject is not implemented by the sandbox', 501);
  const { data, trailers } = payload(req);
  if (data.length > MAX_OBJECT_BYTES) throw entityTooLarge(data.length);
  const algorithm = verifiedChecksum(req, data, trailers);
  if (!ctx.store.fits(data.length, bucket.objects.get(key)?.body.length)) {
    // The sandbox's own memory bound, not an S3 limit: S3 would have taken it. 503 so no client mistakes it for its own fault.
    throw new S3Error('ServiceUnavailable', 'The sandbox holds too many bytes in S3; delete some objects.', 503);
  }
  const checksums: S3Object['checksums'] = { CRC32: checksum('CRC32', data) };
  if (algorithm) checksums[algorithm] = checksum(algorithm, data);
  const obj: S3Object = {
    key,
    body: data,
    // "Default: binary/octet-stream" when the upload names no Content-Type (API_PutObject.html).
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    etag: `"${md5Hex(data)}"`,
    lastModified: ctx.now(),
    checksums,
    ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
  };
  ctx.store.put(bucket, obj);
  const headers: Record<string, string> = { etag: obj.etag, ...SSE };
  if (algorithm) {
    headers[checksumHeader(algorithm)] = checksums[algorithm]!;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return { status: 200, headers };
}

/**
 * A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range of `size` bytes, per RFC 9110 as GetObject takes it;
 * undefined for no (or an ignored multi-) range. Unsatisfiable → InvalidRange 416.
 */
function rangeOf(req: S3Request, size: number): { start: number; end: number } | undefined {
  const value = header(req, 'range');
  const m = value ? /^bytes=(\d*)-(\d*)$/.exec(value.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: value!, ActualObjectSize: String(size) });
  }
  return { start, end };
}

/** The headers GetObject and HeadObject share. */
function objectHeaders(req: S3Request, obj: S3Object, ranged: boolean): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': obj.contentType,
    etag: obj.etag,
    'last-modified': httpDate(obj.lastModified),
    'accept-ranges': 'bytes',
    ...SSE,
  };
  // Checksums only when asked (x-amz-checksum-mode: ENABLED, API_GetObject.html) and for the whole object:
  // the value is the full object's, which a client cannot check against a range.
  if (!ranged && (header(req, 'x-amz-checksum-mode') ?? '').toUpperCase() === 'ENABLED') {
    const alg = obj.checksumAlgorithm ?? 'CRC32';
    headers[checksumHeader(alg)] = obj.checksums[alg]!;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return headers;
}

function objectOf(ctx: S3Context, req: S3Request): S3Object {
  const bucket = bucketOf(ctx, req);
  const key = keyOf(req);
  checkAccess(ctx, bucket.name, key);
  const obj = bucket.objects.get(key);
  if (!obj) throw noSuchKey(key);
  return obj;
}

/** GetObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html), with a single Range. */
export function getObject(ctx: S3Context, req: S3Request): S3Response {
  const obj = objectOf(ctx, req);
  const range = rangeOf(req, obj.body.length);
  if (!range) return { status: 200, headers: { ...objectHeaders(req, obj, false), 'content-length': obj.body.length }, body: obj.body };
  const part = obj.body.subarray(range.start, range.end + 1);
  return {
    status: 206,
    headers: { ...objectHeaders(req, obj, true), 'content-length': part.length, 'content-range': `bytes ${range.start}-${range.end}/${obj.body.length}` },
    body: part,
  };
}

/** HeadObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html): GetObject's headers, no body. */
export function headObject(ctx: S3Context, req: S3Request): S3Response {
  const obj = objectOf(ctx, req);
  return { status: 200, headers: { ...objectHeaders(req, obj, false), 'content-length': obj.body.length } };
}

/**
 * DeleteObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html): 204, whether or not
 * the key existed (an unversioned bucket has nothing to report).
 */
export function deleteObject(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  const key = keyOf(req);
  checkAccess(ctx, bucket.name, key);
  ctx.store.delete(bucket, key);
  return { status: 204 };
}
