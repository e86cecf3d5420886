/**
 * The sandbox's S3 world: buckets and their objects, in memory. Bodies are kept as Buffers, so the API
 * layer bounds every object (MAX_OBJECT_BYTES) and the whole store (MAX_STORE_BYTES) before it stores one:
 * a sandbox is a test fixture, and a runaway upload must not take the process' memory with it.
 */

/** Largest object the sandbox keeps (S3 allows 5 GiB in one PUT; reports are kilobytes). */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
/** Largest total of all bodies the sandbox keeps at once. */
export const MAX_STORE_BYTES = 512 * 1024 * 1024;

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';

export interface S3Object {
  key: string;
  body: Buffer;
  contentType: string;
  /** Quoted MD5 hex of the body, as S3 shows it for a single-part upload. */
  etag: string;
  lastModified: Date;
  /** Base64 checksums the sandbox computed itself (always CRC32; plus the algorithm the client sent). */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** The algorithm the client uploaded with, if any (ListObjectsV2 shows it as ChecksumAlgorithm). */
  checksumAlgorithm?: ChecksumAlgorithm;
}

/** A multipart upload in progress: its parts, until completed or aborted. */
export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  contentType: string;
  initiated: Date;
  parts: Map<number, { body: Buffer; etag: string }>;
}

export interface S3Bucket {
  name: string;
  region: string;
  createdAt: Date;
  objects: Map<string, S3Object>;
}

export class S3Store {
  readonly buckets = new Map<string, S3Bucket>();
  /** Multipart uploads in progress, by upload id. */
  readonly uploads = new Map<string, MultipartUpload>();
  /** Bytes of objects and of uploaded parts alike: both are held in memory. */
  private bytes = 0;

  /** Total body bytes held. */
  get storedBytes(): number {
    return this.bytes;
  }

  createBucket(name: string, region: string, now: Date): S3Bucket {
    const bucket: S3Bucket = { name, region, createdAt: now, objects: new Map() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  deleteBucket(name: string): void {
    this.buckets.delete(name);
  }

  /** Whether `size` more bytes fit, counting the `replaced` bytes (an object or part overwritten) as freed. */
  fits(size: number, replaced = 0): boolean {
    return this.bytes - replaced + size <= MAX_STORE_BYTES;
  }

  put(bucket: S3Bucket, obj: S3Object): void {
    this.bytes += obj.body.length - (bucket.objects.get(obj.key)?.body.length ?? 0);
    bucket.objects.set(obj.key, obj);
  }

  delete(bucket: S3Bucket, key: string): void {
    const old = bucket.objects.get(key);
    if (!old) return;
    this.bytes -= old.body.length;
    bucket.objects.delete(key);
  }

  /** Stores a part, replacing one uploaded before under the same number (as S3 does). */
  putPart(upload: MultipartUpload, partNumber: number, part: { body: Buffer; etag: string }): void {
    this.bytes += part.body.length - (upload.parts.get(partNumber)?.body.length ?? 0);
    upload.parts.set(partNumber, part);
  }

  /** Forgets an upload and its parts (completed: the object holds the bytes now; aborted: gone). */
  dropUpload(upload: MultipartUpload): void {
    for (const p of upload.parts.values()) this.bytes -= p.body.length;
    this.uploads.delete(upload.uploadId);
  }

  /** What /_sandbox/state shows: names and counts, never bodies. */
  summary(): { buckets: { name: string; region: string; objects: number; bytes: number }[]; uploads: number; bytes: number } {
    return {
      buckets: [...this.buckets.values()].map((b) => ({
        name: b.name,
        region: b.region,
        objects: b.objects.size,
        bytes: [...b.objects.values()].reduce((n, o) => n + o.body.length, 0),
      })),
      uploads: this.uploads.size,
      bytes: this.bytes,
    };
  }
}
