/**
 * S3 bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, and
 * ListObjectsV2 (a GET on the bucket).
 */
import { createHash } from 'node:crypto';
import { decodeToken, encodeToken, listPage } from '../s3/listing.js';
import { bucketOf, checkAccess, type S3Context } from './s3-common.js';
import { invalidArgument, isoDate, S3Error, type S3Request, type S3Response, xmlResponse } from './s3-wire.js';
import { el, esc } from './xml.js';

/** The account's canonical user ID (64 hex digits in S3), derived from the account id so it is stable. */
const canonicalId = (accountId: string): string => createHash('sha256').update(`canonical/${accountId}`).digest('hex');

const owner = (ctx: S3Context): string => `<Owner><ID>${canonicalId(ctx.accountId)}</ID><DisplayName>sandbox</DisplayName></Owner>`;

/**
 * Bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
 * 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or
 * digit, no two adjacent periods, not formatted as an IP address.
 */
function validBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

/** ListBuckets (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html): every bucket, by name. */
export function listBuckets(ctx: S3Context): S3Response {
  const buckets = [...ctx.store.buckets.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', isoDate(b.createdAt))}${el('BucketRegion', b.region)}</Bucket>`)
    .join('');
  return xmlResponse('ListAllMyBucketsResult', `${owner(ctx)}<Buckets>${buckets}</Buckets>`);
}

/**
 * CreateBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html). The optional
 * CreateBucketConfiguration body names the LocationConstraint: outside us-east-1 it must be the endpoint's
 * region (else IllegalLocationConstraintException); in us-east-1 it is omitted. Re-creating a bucket you
 * own is BucketAlreadyOwnedByYou (409) "in all AWS Regions except in the North Virginia Region", where,
 * "for legacy compatibility", S3 answers 200 OK.
 */
export function createBucket(ctx: S3Context, req: S3Request): S3Response {
  const name = req.bucket ?? '';
  if (!validBucketName(name)) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
  const body = req.body.toString('utf8');
  const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(body)?.[1]?.trim() ?? '';
  if (body.trim() && !/<CreateBucketConfiguration[\s>]/.test(body)) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  }
  if (ctx.region === 'us-east-1' ? constraint !== '' : constraint !== ctx.region) {
    if (constraint === 'us-east-1') throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: constraint });
    throw new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint || 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  }
  if (ctx.store.buckets.has(name)) {
    if (ctx.region === 'us-east-1') return { status: 200, headers: { location: `/${name}` } };
    throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: name });
  }
  ctx.store.createBucket(name, ctx.region, ctx.now());
  return { status: 200, headers: { location: `/${name}` } };
}

/** HeadBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html): 200 with the bucket's region. */
export function headBucket(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  checkAccess(ctx, bucket.name);
  return { status: 200, headers: { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' } };
}

/** DeleteBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html): only an empty one (BucketNotEmpty 409). */
export function deleteBucket(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  checkAccess(ctx, bucket.name);
  if (bucket.objects.size > 0) {
    throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket.name });
  }
  ctx.store.deleteBucket(bucket.name);
  return { status: 204 };
}

/** GetBucketLocation (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html): empty for us-east-1. */
export function getBucketLocation(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  checkAccess(ctx, bucket.name);
  return xmlResponse('LocationConstraint', bucket.region === 'us-east-1' ? '' : esc(bucket.region));
}

/**
 * ListObjectsV2 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html). With
 * encoding-type=url (what the AWS CLI asks for), "Amazon S3 encodes Delimiter, Prefix, Key, and StartAfter"
 * in the response; the CLI decodes them.
 */
export function listObjectsV2(ctx: S3Context, req: S3Request): S3Response {
  const bucket = bucketOf(ctx, req);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  checkAccess(ctx, bucket.name, prefix);
  const delimiter = q.get('delimiter') ?? '';
  const encoding = q.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  const maxKeysText = q.get('max-keys');
  const maxKeys = maxKeysText === null ? 1000 : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > 2 ** 31 - 1) {
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxKeysText ?? '');
  }
  const token = q.get('continuation-token');
  const resume = token === null ? undefined : decodeToken(token);
  if (token !== null && !resume) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  const startAfter = q.get('start-after');
  const page = listPage(bucket.objects.values(), {
    prefix,
    delimiter,
    maxKeys: Math.min(maxKeys, 1000),
    // "StartAfter can be any key in the bucket"; a continuation token, which comes from a later page, wins.
    after: resume?.after ?? startAfter ?? '',
    afterPrefix: resume?.afterPrefix ?? false,
  });
  const enc = (s: string): string => (encoding === 'url' ? encodeURIComponent(s) : s);
  const fetchOwner = q.get('fetch-owner') === 'true';
  const contents = page.contents
    .map(
      (o) =>
        `<Contents>${el('Key', enc(o.key))}${el('LastModified', o.lastModified)}${el('ETag', o.etag)}${el('ChecksumAlgorithm', o.checksumAlgorithm)}${o.checksumAlgorithm ? el('ChecksumType', 'FULL_OBJECT') : ''}${el('Size', o.body.length)}${fetchOwner ? owner(ctx) : ''}${el('StorageClass', 'STANDARD')}</Contents>`,
    )
    .join('');
  const prefixes = page.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('');
  const inner = [
    el('Name', bucket.name),
    el('Prefix', enc(prefix)),
    token !== null ? el('ContinuationToken', token) : '',
    page.resumeAfter ? el('NextContinuationToken', encodeToken(page.resumeAfter)) : '',
    startAfter !== null ? el('StartAfter', enc(startAfter)) : '',
    el('KeyCount', page.contents.length + page.commonPrefixes.length),
    el('MaxKeys', maxKeys),
    delimiter ? el('Delimiter', enc(delimiter)) : '',
    encoding ? el('EncodingType', encoding) : '',
    el('IsTruncated', page.isTruncated),
    contents,
    prefixes,
  ].join('');
  return xmlResponse('ListBucketResult', inner);
}
