/**
 * ListObjectsV2's selection, per the API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): keys in UTF-8 binary order that
 * start with Prefix, after StartAfter or the ContinuationToken; with a Delimiter, keys that hold it after the
 * prefix are rolled up into one CommonPrefix each (prefix up to and including the first delimiter), and a
 * CommonPrefix counts as one entry toward MaxKeys (at most 1000). When the list is cut, IsTruncated is true
 * and NextContinuationToken (obfuscated, "not a real key") resumes after the last entry returned.
 */
import type { S3Object } from './store.js';

export interface ListRequest {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** Resume strictly after this key or common prefix (from StartAfter or a decoded token). */
  after: string;
  /** `after` is a common prefix returned earlier: every key under it was summed up in it. */
  afterPrefix: boolean;
}

export interface ListPage {
  contents: S3Object[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last entry returned, when truncated: what the next token encodes. */
  resumeAfter?: { after: string; afterPrefix: boolean };
}

/** S3 orders keys by their UTF-8 bytes, which differs from JS string order beyond the BMP. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function listPage(objects: Iterable<S3Object>, req: ListRequest): ListPage {
  const sorted = [...objects].filter((o) => o.key.startsWith(req.prefix)).sort((a, b) => byteOrder(a.key, b.key));
  const contents: S3Object[] = [];
  const commonPrefixes: string[] = [];
  let last: { after: string; afterPrefix: boolean } | undefined;
  let isTruncated = false;
  for (const obj of sorted) {
    if (req.after && byteOrder(obj.key, req.after) <= 0) continue;
    // Resuming after a common prefix skips every key under it: they were all summed up in that prefix.
    if (req.afterPrefix && obj.key.startsWith(req.after)) continue;
    const at = req.delimiter ? obj.key.indexOf(req.delimiter, req.prefix.length) : -1;
    const entry = at >= 0 ? obj.key.slice(0, at + req.delimiter.length) : obj.key;
    if (at >= 0 && entry === last?.after) continue; // another key under the prefix just returned
    if (contents.length + commonPrefixes.length >= req.maxKeys) {
      isTruncated = true;
      break;
    }
    if (at >= 0) commonPrefixes.push(entry);
    else contents.push(obj);
    last = { after: entry, afterPrefix: at >= 0 };
  }
  return { contents, commonPrefixes, isTruncated, ...(isTruncated && last !== undefined ? { resumeAfter: last } : {}) };
}

/** An opaque token for "after this entry" (S3's are opaque too; clients must not build them). */
export function encodeToken(resume: { after: string; afterPrefix: boolean }): string {
  return Buffer.from(JSON.stringify({ a: resume.after, p: resume.afterPrefix }), 'utf8').toString('base64');
}

/** The entry a token resumes after, or undefined when it is not one of ours. */
export function decodeToken(token: string): { after: string; afterPrefix: boolean } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { a?: unknown; p?: unknown } | null;
    if (parsed && typeof parsed.a === 'string' && typeof parsed.p === 'boolean') return { after: parsed.a, afterPrefix: parsed.p };
  } catch {
    // not ours
  }
  return undefined;
}
