/**
 * S3 object operations: PutObject (with the integrity checks S3 makes on the way in), GetObject, HeadObject
 * and DeleteObject. Every object is stored with server-side encryption SSE-S3, as S3 has applied by default
 * to every new object since January 2023 ("Setting default server-side encryption behavior for Amazon S3
 * buckets", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html), so responses carry
 * `x-amz-server-side-encryption: AES256`.
 */
import { CHECKSUM_ALGORITHMS, checksum, checksumHeader, md5Base64, md5Hex, sha256Hex } from '../s3/checksums.js';
import { decodeAwsChunked } from '../s3/chunked.js';
import { MAX_OBJECT_BYTES, type ChecksumAlgorithm, type S3Object } from '../s3/store.js';
import { bucketOf, checkAccess, type S3Context } from './s3-common.js';
import { header, httpDate, noSuchKey, S3Error, type S3Request, type S3Response } from './s3-wire.js';

const SSE = { 'x-amz-server-side-encryption': 'AES256' };

export const entityTooLarge = (size: number): S3Error =>
  new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { ProposedSize: String(size), MaxSizeAllowed: String(MAX_OBJECT_BYTES) });

/** The key of an object call, checked against S3's limit ("up to 1,024 bytes long" in UTF-8). */
function keyOf(req: S3Request): string {
  const key = req.key ?? '';
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
  return key;
}

/**
 * The object's bytes as the client meant them. An aws-chunked body (Content-Encoding: aws-chunked, or a
 * STREAMING-* x-amz-content-sha256) is decoded and must add up to x-amz-decoded-content-length; a plain body
 * signed with its SHA-256 must match it (XAmzContentSHA256Mismatch), as S3 checks both
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 */
function payload(req: S3Request): { data: Buffer; trailers: Map<string, string> } {
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  const encoding = (header(req, 'content-encoding') ?? '').toLowerCase();
  if (encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-')) {
    const decoded = decodeAwsChunked(req.body);
    if (typeof decoded === 'string') throw new S3Error('IncompleteBody', `The request body terminated unexpectedly (${decoded}).`, 400);
    const declared = header(req, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== decoded.data.length) {
      throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header', 400);
    }
    return decoded;
  }
  if (/^[0-9a-f]{64}$/.test(sha)) {
    const computed = sha256Hex(req.body);
    if (computed !== sha) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
        ClientComputedContentSHA256: sha,
        S3ComputedContentSHA256: computed,
      });
    }
  }
  return { data: req.body, trailers: new Map() };
}

const ALGORITHM_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32 };

/**
 * The flexible checksum the client sent (header, or trailer of an aws-chunked body), verified: "If the
 * checksum that you provide doesn't match the checksum that Amazon S3 calculates, S3 rejects the request"
 * ("Checking object integrity", https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html);
 * the wire answer is 400 BadDigest. Content-MD5 likewise (InvalidDigest when malformed, BadDigest when it
 * differs; API_PutObject.html).
 */
function verifiedChecksum(req: S3Request, data: Buffer, trailers: Map<string, string>): ChecksumAlgorithm | undefined {
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    if (Buffer.from(md5, 'base64').length !== 16) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { 'Content-MD5': md5 });
    if (md5 !== md5Base64(data)) throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  const declaredTrailer = (header(req, 'x-amz-trailer') ?? '').toLowerCase().trim();
  if (declaredTrailer && !trailers.has(declaredTrailer)) {
    throw new S3Error('IncompleteBody', `The request declared the trailer ${declaredTrailer} but did not send it.`, 400);
  }
  const given = CHECKSUM_ALGORITHMS.flatMap((alg) => {
    const value = header(req, checksumHeader(alg)) ?? trailers.get(checksumHeader(alg));
    return value === undefined ? [] : [{ alg, value }];
  });
  if (given.length > 1) throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.', 400);
  const one = given[0];
  if (!one) return undefined;
  if (Buffer.from(one.value, 'base64').length !== ALGORITHM_BYTES[one.alg]) {
    throw new S3Error('InvalidRequest', `Value for ${checksumHeader(one.alg)} header is invalid.`, 400);
  }
  if (checksum(one.alg, data) !== one.value) throw new S3Error('BadDigest', `The ${one.alg} you specified did not match the calculated checksum.`, 400);
  return one.alg;
}

/** PutObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html). */
export function putObject(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  const key = keyOf(req);
  checkAccess(ctx, bucket.name, key);
  if (header(req, 'x-amz-copy-source') !== undefined) throw new S3Error('NotImplemented', 'CopyObject is not implemented by the sandbox', 501);
  const { data, trailers } = payload(req);
  if (data.length > MAX_OBJECT_BYTES) throw entityTooLarge(data.length);
  const algorithm = verifiedChecksum(req, data, trailers);
  if (!ctx.store.fits(bucket, key, data.length)) {
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
