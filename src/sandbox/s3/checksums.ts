/**
 * The checksums S3 verifies on upload and can return on download: the flexible checksums
 * (x-amz-checksum-crc32 | crc32c | sha1 | sha256, base64 of the big-endian digest) and Content-MD5. See
 * "Checking object integrity in Amazon S3"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 * CRC64NVME is not computed here: an upload carrying it is stored, but its value is neither checked nor returned.
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { ChecksumAlgorithm } from './store.js';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/** The header (or trailer) that carries `algorithm`'s value. */
export const checksumHeader = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78): node:zlib only has the IEEE CRC32. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC32C_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
}

/** `algorithm`'s checksum of `data`, base64 as S3 sends it. */
export function checksum(algorithm: ChecksumAlgorithm, data: Buffer): string {
  switch (algorithm) {
    case 'CRC32':
      return u32(zlibCrc32(data));
    case 'CRC32C':
      return u32(crc32c(data));
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(data).digest('base64');
  }
}

export const md5Hex = (data: Buffer): string => createHash('md5').update(data).digest('hex');
export const md5Base64 = (data: Buffer): string => createHash('md5').update(data).digest('base64');
export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
