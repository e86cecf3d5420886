/**
 * What S3 checks of an uploaded body (PutObject, UploadPart) before it keeps it: the aws-chunked framing,
 * the signed payload hash, Content-MD5 and the flexible checksums, and the size.
 */
import { CHECKSUM_ALGORITHMS, checksum, checksumHeader, md5Base64, sha256Hex } from '../s3/checksums.js';
import { decodeAwsChunked } from '../s3/chunked.js';
import { MAX_OBJECT_BYTES, type ChecksumAlgorithm } from '../s3/store.js';
import { header, S3Error, type S3Request } from './s3-wire.js';

export const entityTooLarge = (size: number): S3Error =>
  new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { ProposedSize: String(size), MaxSizeAllowed: String(MAX_OBJECT_BYTES) });

/**
 * The object's bytes as the client meant them. An aws-chunked body (Content-Encoding: aws-chunked, or a
 * STREAMING-* x-amz-content-sha256) is decoded and must add up to x-amz-decoded-content-length; a plain body
 * signed with its SHA-256 must match it (XAmzContentSHA256Mismatch), as S3 checks both
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 */
export function payload(req: S3Request): { data: Buffer; trailers: Map<string, string> } {
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
export function verifiedChecksum(req: S3Request, data: Buffer, trailers: Map<string, string>): ChecksumAlgorithm | undefined {
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
