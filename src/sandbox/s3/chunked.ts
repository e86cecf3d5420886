/**
 * Decoding an `aws-chunked` request body (Content-Encoding: aws-chunked), which the SDKs send for streamed
 * uploads with a trailing checksum. Per "Signature Calculations for the Authorization Header: Transferring
 * Payload in Multiple Chunks" (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) and
 * "Signature calculations for trailing headers"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html), the body is a series of
 *   <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n
 * ending with a zero-size chunk, then optional trailing headers (`x-amz-checksum-crc32:<b64>`, and for the
 * signed variant `x-amz-trailer-signature:<sig>`), each `\r\n`-terminated, then an empty line. The unsigned
 * variant (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what the JS SDK sends) has no `;chunk-signature`. Chunk
 * signatures are not verified, like every signature in the sandbox.
 */

export interface DecodedChunks {
  data: Buffer;
  /** Trailing headers, lower-cased names. */
  trailers: Map<string, string>;
}

const CRLF = Buffer.from('\r\n');

/** The decoded body, or a string saying why the encoding is malformed. */
export function decodeAwsChunked(body: Buffer): DecodedChunks | string {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf(CRLF, pos);
    if (eol < 0) return 'a chunk header is not terminated by CRLF';
    const header = body.subarray(pos, eol).toString('latin1');
    const sizeText = header.split(';', 1)[0]!.trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) return `chunk size "${sizeText.slice(0, 20)}" is not hexadecimal`;
    const size = Number.parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size + 2 > body.length) return 'a chunk is shorter than its declared size';
    parts.push(body.subarray(pos, pos + size));
    pos += size;
    if (!body.subarray(pos, pos + 2).equals(CRLF)) return 'a chunk is not followed by CRLF';
    pos += 2;
  }
  const trailers = new Map<string, string>();
  // Trailers up to the empty line; a body that just ends after the last chunk (no final CRLF) is accepted.
  while (pos < body.length) {
    const eol = body.indexOf(CRLF, pos);
    const line = body.subarray(pos, eol < 0 ? body.length : eol).toString('latin1');
    pos = eol < 0 ? body.length : eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) return `trailer line "${line.slice(0, 40)}" is not name:value`;
    trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { data: Buffer.concat(parts), trailers };
}
