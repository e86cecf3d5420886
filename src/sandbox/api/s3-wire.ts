/**
 * S3's REST-XML wire format as the sandbox speaks it: the parsed request the operations take, the response
 * they give, and S3's error document. Per "Error responses" in the S3 API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): an error is
 * `<Error><Code/><Message/>…<RequestId/><HostId/></Error>` with the status of its code, some codes adding
 * fields (BucketName, Key); a HEAD request's error has no body at all, only the status.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { esc } from './xml.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Request {
  method: string;
  /** Undefined for the service (GET / = ListBuckets). */
  bucket?: string;
  /** Undefined or '' for bucket-level calls. */
  key?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface S3Response {
  status: number;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
}

export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** Extra elements of the error document, e.g. { BucketName: 'x' }. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

/** The codes and messages of the S3 error list (ErrorResponses.html#ErrorCodeList). */
export const noSuchBucket = (bucket: string): S3Error => new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
export const noSuchKey = (key: string): S3Error => new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
export const accessDenied = (): S3Error => new S3Error('AccessDenied', 'Access Denied', 403);
export const invalidArgument = (message: string, name: string, value: string): S3Error => new S3Error('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value });
export const notImplemented = (): S3Error => new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', 501);

export function errorXml(e: S3Error, requestId: string): string {
  const fields = Object.entries(e.fields)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(e.code)}</Code><Message>${esc(e.message)}</Message>${fields}<RequestId>${esc(requestId)}</RequestId><HostId>${esc(hostId(requestId))}</HostId></Error>`;
}

/** S3's x-amz-id-2 / HostId: an opaque base64 token; derived from the request id so it is stable per call. */
export function hostId(requestId: string): string {
  return Buffer.from(`sandbox-s3/${requestId}`).toString('base64');
}

/** An XML document answer (`<?xml…?>` plus the root element in S3's namespace). */
export function xmlResponse(root: string, inner: string, status = 200): S3Response {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`,
  };
}

/** A single request header's value (Node joins repeated ones; S3 headers are never repeated). */
export function header(req: S3Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** RFC 7231 date, as S3 writes Last-Modified. */
export const httpDate = (d: Date): string => d.toUTCString();

/** ISO 8601 with milliseconds, as S3 writes LastModified / CreationDate in XML. */
export const isoDate = (d: Date): string => d.toISOString();
