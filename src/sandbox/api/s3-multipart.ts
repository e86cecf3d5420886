/**
 * Multipart upload, which `aws s3 cp` uses for files above its 8 MiB threshold: CreateMultipartUpload,
 * UploadPart, CompleteMultipartUpload and AbortMultipartUpload ("Uploading and copying objects using
 * multipart upload", https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html). Parts are
 * numbered 1–10,000; every part but the last must be at least 5 MiB (EntityTooSmall); the completed object's
 * ETag is the MD5 of the parts' binary MD5s, then `-<part count>`. Listing parts or uploads is not served.
 */
import { createHash, randomBytes } from 'node:crypto';
import { checksum, checksumHeader, md5Hex } from '../s3/checksums.js';
import { MAX_OBJECT_BYTES, type MultipartUpload, type S3Object } from '../s3/store.js';
import { bucketOf, checkAccess, keyOf, SSE, type S3Context } from './s3-common.js';
import { entityTooLarge, payload, verifiedChecksum } from './s3-payload.js';
import { header, invalidArgument, S3Error, type S3Request, type S3Response, xmlResponse } from './s3-wire.js';
import { el } from './xml.js';

const MIN_PART_BYTES = 5 * 1024 * 1024;

/** The upload a call names (bucket, key and uploadId must all match), or NoSuchUpload 404. */
function uploadOf(ctx: S3Context, req: S3Request): MultipartUpload {
  const bucket = bucketOf(ctx, req);
  const key = keyOf(req);
  checkAccess(ctx, bucket.name, key);
  const id = req.query.get('uploadId') ?? '';
  const upload = ctx.store.uploads.get(id);
  if (!upload || upload.bucket !== bucket.name || upload.key !== key) {
    throw new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: id });
  }
  return upload;
}

/** CreateMultipartUpload (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html). */
export function createMultipartUpload(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  const key = keyOf(req);
  checkAccess(ctx, bucket.name, key);
  const uploadId = randomBytes(24).toString('base64url');
  ctx.store.uploads.set(uploadId, {
    uploadId,
    bucket: bucket.name,
    key,
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    initiated: ctx.now(),
    parts: new Map(),
  });
  const out = xmlResponse('InitiateMultipartUploadResult', `${el('Bucket', bucket.name)}${el('Key', key)}${el('UploadId', uploadId)}`);
  return { ...out, headers: { ...out.headers, ...SSE } };
}

/** UploadPart (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html): the part's body gets PutObject's checks. */
export function uploadPart(ctx: S3Context, req: S3Request): S3Response {
  const upload = uploadOf(ctx, req);
  if (header(req, 'x-amz-copy-source') !== undefined) throw new S3Error('NotImplemented', 'UploadPartCopy is not implemented by the sandbox', 501);
  const numberText = req.query.get('partNumber') ?? '';
  const partNumber = Number(numberText);
  if (!/^\d+$/.test(numberText) || partNumber < 1 || partNumber > 10_000) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', numberText);
  }
  const { data, trailers } = payload(req);
  const replaced = upload.parts.get(partNumber)?.body.length ?? 0;
  const total = [...upload.parts.values()].reduce((n, p) => n + p.body.length, 0) - replaced + data.length;
  // The sandbox's object bound applies to the object the parts will make.
  if (total > MAX_OBJECT_BYTES) throw entityTooLarge(total);
  const algorithm = verifiedChecksum(req, data, trailers);
  if (!ctx.store.fits(data.length, replaced)) throw new S3Error('ServiceUnavailable', 'The sandbox holds too many bytes in S3; delete some objects.', 503);
  const etag = `"${md5Hex(data)}"`;
  ctx.store.putPart(upload, partNumber, { body: data, etag });
  return { status: 200, headers: { etag, ...SSE, ...(algorithm ? { [checksumHeader(algorithm)]: checksum(algorithm, data) } : {}) } };
}

/** The <Part> list of a CompleteMultipartUpload body. */
function requestedParts(body: string): { partNumber: number; etag: string }[] {
  if (!/<CompleteMultipartUpload[\s>]/.test(body)) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  }
  return [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
    partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]!)?.[1] ?? NaN),
    etag: (/<ETag>([^<]*)<\/ETag>/.exec(m[1]!)?.[1] ?? '').replace(/&quot;/g, '"').trim(),
  }));
}

/**
 * CompleteMultipartUpload (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html):
 * the listed parts, in ascending order (InvalidPartOrder), each uploaded with that ETag (InvalidPart), become
 * the object.
 */
export function completeMultipartUpload(ctx: S3Context, req: S3Request): S3Response {
  const upload = uploadOf(ctx, req);
  const parts = requestedParts(req.body.toString('utf8'));
  if (parts.length === 0) throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  const bodies: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0 && !(p.partNumber > parts[i - 1]!.partNumber)) {
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400);
    }
    const stored = upload.parts.get(p.partNumber);
    const quoted = p.etag.startsWith('"') ? p.etag : `"${p.etag}"`;
    if (!stored || stored.etag !== quoted) {
      throw new S3Error(
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        400,
        {
          UploadId: upload.uploadId,
          PartNumber: String(p.partNumber),
          ETag: p.etag,
        },
      );
    }
    if (i < parts.length - 1 && stored.body.length < MIN_PART_BYTES) {
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, {
        ProposedSize: String(stored.body.length),
        MinSizeAllowed: String(MIN_PART_BYTES),
        PartNumber: String(p.partNumber),
      });
    }
    bodies.push(stored.body);
  });
  const bucket = bucketOf(ctx, req);
  const data = Buffer.concat(bodies);
  const md5s = Buffer.concat(bodies.map((b) => createHash('md5').update(b).digest()));
  const obj: S3Object = {
    key: upload.key,
    body: data,
    contentType: upload.contentType,
    etag: `"${createHash('md5').update(md5s).digest('hex')}-${bodies.length}"`,
    lastModified: ctx.now(),
    checksums: { CRC32: checksum('CRC32', data) },
  };
  // Parts become the object: drop the upload first so the store counts the bytes once.
  ctx.store.dropUpload(upload);
  ctx.store.put(bucket, obj);
  const out = xmlResponse(
    'CompleteMultipartUploadResult',
    `${el('Location', `/${bucket.name}/${encodeURIComponent(upload.key)}`)}${el('Bucket', bucket.name)}${el('Key', upload.key)}${el('ETag', obj.etag)}`,
  );
  return { ...out, headers: { ...out.headers, ...SSE } };
}

/** AbortMultipartUpload (https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html): 204, parts freed. */
export function abortMultipartUpload(ctx: S3Context, req: S3Request): S3Response {
  ctx.store.dropUpload(uploadOf(ctx, req));
  return { status: 204 };
}
