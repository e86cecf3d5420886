/**
 * The sandbox's S3 endpoint: S3's REST-XML protocol on the sandbox's one host, path-style
 * (`/bucket/key`, "Path-style requests", https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html#path-style-access),
 * which is what an SDK with forcePathStyle and the AWS CLI with an IP --endpoint-url use. Virtual-hosted
 * style is not served. Requests are told from the query-protocol services by their SigV4 credential scope
 * (service `s3`) or, unsigned, by their shape (anything but `POST /` or an `?Action=` call).
 *
 * Signatures are not verified (like every sandbox service); a scope for another region is refused the way
 * S3 refuses it: 400 AuthorizationHeaderMalformed naming the expected region (S3 error code list,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_OBJECT_BYTES } from '../s3/store.js';
import { parseCredentialScope } from './credential-scope.js';
import { ApiError } from './errors.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets, listObjectsV2 } from './s3-buckets.js';
import type { S3Context } from './s3-common.js';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart } from './s3-multipart.js';
import { deleteObject, getObject, headObject, putObject } from './s3-objects.js';
import { entityTooLarge } from './s3-payload.js';
import { errorXml, hostId, notImplemented, S3Error, type S3Request, type S3Response } from './s3-wire.js';

export type { S3Context } from './s3-common.js';

/**
 * The fault knobs and stalls for one S3 call, as the query services get them (Router.gate): resolves when
 * the call may run (or throws the injected error), to a function to await after it ran, if any.
 */
export type S3Gate = (action: string) => Promise<(() => Promise<void>) | undefined>;

/** Query parameters that name a sub-resource or an operation the sandbox does not serve (NotImplemented). */
const UNSERVED = (
  'acl tagging versioning versions policy policyStatus lifecycle cors website logging notification ' +
  'replication encryption ownershipControls publicAccessBlock object-lock retention legal-hold attributes restore select torrent ' +
  'delete accelerate analytics inventory metrics intelligent-tiering requestPayment session'
).split(' ');

/** Whether the request speaks S3 rather than a query protocol (see the module comment). */
export function isS3Request(req: IncomingMessage, url: URL): boolean {
  const scope = parseCredentialScope(req.headers.authorization) ?? presignedScope(url);
  if (scope) return scope.service === 's3';
  return !(req.method === 'POST' && url.pathname === '/') && !url.searchParams.has('Action');
}

/** A presigned URL carries its scope in X-Amz-Credential (AKID/date/region/service/aws4_request). */
function presignedScope(url: URL): ReturnType<typeof parseCredentialScope> {
  const credential = url.searchParams.get('X-Amz-Credential');
  return credential ? parseCredentialScope(`Credential=${credential}`) : undefined;
}

type Operation = [name: string, run: (ctx: S3Context, req: S3Request) => S3Response];

/** Which operation a method, path and query name (the S3 API reference's "Request Syntax" of each). */
function operationOf(req: S3Request): Operation {
  const q = req.query;
  if (UNSERVED.some((name) => q.has(name))) throw notImplemented();
  // ListParts, ListMultipartUploads and GetObject by part number are not served.
  if (req.method === 'GET' && (q.has('uploadId') || q.has('uploads') || q.has('partNumber'))) throw notImplemented();
  if (req.bucket === undefined) {
    if (req.method === 'GET') return ['ListBuckets', (ctx) => listBuckets(ctx)];
  } else if (!req.key) {
    if (req.method === 'PUT') return ['CreateBucket', createBucket];
    if (req.method === 'HEAD') return ['HeadBucket', headBucket];
    if (req.method === 'DELETE') return ['DeleteBucket', deleteBucket];
    if (req.method === 'GET' && q.has('location')) return ['GetBucketLocation', getBucketLocation];
    if (req.method === 'GET' && q.get('list-type') === '2') return ['ListObjectsV2', listObjectsV2];
    if (req.method === 'GET') throw new S3Error('NotImplemented', 'ListObjects (version 1) is not implemented by the sandbox; use ListObjectsV2', 501);
  } else {
    if (req.method === 'POST' && q.has('uploads')) return ['CreateMultipartUpload', createMultipartUpload];
    if (req.method === 'POST' && q.has('uploadId')) return ['CompleteMultipartUpload', completeMultipartUpload];
    if (req.method === 'PUT' && q.has('uploadId')) return ['UploadPart', uploadPart];
    if (req.method === 'DELETE' && q.has('uploadId')) return ['AbortMultipartUpload', abortMultipartUpload];
    if (req.method === 'PUT') return ['PutObject', putObject];
    if (req.method === 'GET') return ['GetObject', getObject];
    if (req.method === 'HEAD') return ['HeadObject', headObject];
    if (req.method === 'DELETE') return ['DeleteObject', deleteObject];
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: req.method, ResourceType: req.key ? 'OBJECT' : 'BUCKET' });
}

/** Bucket and key from the raw path (not URL-normalised: a key may hold `..` or `//`). */
function parsePath(rawUrl: string): { bucket?: string; key?: string; query: URLSearchParams } {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const rest = path.replace(/^\//, '');
  if (!rest) return { query };
  const slash = rest.indexOf('/');
  try {
    if (slash < 0) return { bucket: decodeURIComponent(rest), query };
    return { bucket: decodeURIComponent(rest.slice(0, slash)), key: decodeURIComponent(rest.slice(slash + 1)), query };
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400, { URI: path });
  }
}

/**
 * The body, bounded: an object larger than MAX_OBJECT_BYTES is refused (EntityTooLarge) after the rest of
 * it is drained, so the client reads the answer instead of a reset connection. Some slack is allowed for
 * aws-chunked framing; the decoded size is checked again by PutObject.
 */
async function readBounded(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length'] ?? 0);
  const limit = MAX_OBJECT_BYTES + (1 << 20);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit && declared <= MAX_OBJECT_BYTES) chunks.push(chunk as Buffer);
  }
  if (declared > MAX_OBJECT_BYTES || size > limit) throw entityTooLarge(Math.max(declared, size));
  return Buffer.concat(chunks);
}

async function answer(req: IncomingMessage, ctx: S3Context, gate: S3Gate): Promise<S3Response> {
  const scope = parseCredentialScope(req.headers.authorization) ?? presignedScope(new URL(req.url ?? '/', 'http://sandbox'));
  const { bucket, key, query } = parsePath(req.url ?? '/');
  const body = await readBounded(req);
  if (scope && scope.region !== ctx.region) {
    throw new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${ctx.region}'`, 400, { Region: ctx.region });
  }
  const s3req: S3Request = { method: req.method ?? 'GET', ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}), query, headers: req.headers, body };
  const [action, run] = operationOf(s3req);
  let after: (() => Promise<void>) | undefined;
  try {
    after = await gate(action);
  } catch (err) {
    // The knobs speak ApiError (query protocols); S3 says the same in its own error document.
    if (err instanceof ApiError) throw new S3Error(err.code, err.message, err.status);
    throw err;
  }
  const out = run(ctx, s3req);
  if (after) await after();
  return out;
}

/** Serves one S3 request; never throws (a failure is an S3 error document, or a bare status for HEAD). */
export async function handleS3(req: IncomingMessage, res: ServerResponse, ctx: S3Context, gate: S3Gate, requestId: string): Promise<void> {
  let out: S3Response;
  try {
    out = await answer(req, ctx, gate);
  } catch (err) {
    const e = err instanceof S3Error ? err : new S3Error('InternalError', `We encountered an internal error. Please try again. (${(err as Error)?.message ?? String(err)})`, 500);
    // "HEAD … responses do not have a body": the SDK maps the bare 404 to NotFound (API_HeadObject.html).
    out = req.method === 'HEAD' ? { status: e.status } : { status: e.status, headers: { 'content-type': 'application/xml' }, body: errorXml(e, requestId) };
  }
  const headers: Record<string, string | number> = { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), server: 'AmazonS3', ...out.headers };
  const body = typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : out.body;
  if (body && headers['content-length'] === undefined) headers['content-length'] = body.length;
  if (!body && req.method !== 'HEAD' && out.status !== 204) headers['content-length'] = 0;
  res.writeHead(out.status, headers);
  res.end(req.method === 'HEAD' || out.status === 204 ? undefined : body);
}
