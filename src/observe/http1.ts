/**
 * HTTP/1.1 on the wire, as little of it as the probe needs: one request head built ONCE per probe (every
 * request of a probe is the same bytes), and an incremental response parser that finds each response's
 * status and end without building header objects, strings per header or a body.
 *
 * Why not undici: measured on this machine (bench/README.md "Transport"), undici's dispatcher alone ran at
 * 0.6–0.8× autocannon's rate before the probe did any bookkeeping; a pre-built head on a raw socket and this
 * parser is what autocannon does, and what puts the probe in its class.
 */

export interface RequestSpec {
  method: string;
  /** Path and query, e.g. `/health?x=1`. */
  path: string;
  /** The Host header: the service's name, with the port when it is not the scheme's default. */
  host: string;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The request's bytes; a header name or value that could split the request is refused (it is a bug or an attack). */
export function requestBytes(r: RequestSpec): Buffer {
  const lines = [`${r.method} ${r.path || '/'} HTTP/1.1`];
  const given = Object.entries(r.headers ?? {});
  const has = (name: string): boolean => given.some(([k]) => k.toLowerCase() === name);
  if (!has('host')) lines.push(`host: ${r.host}`);
  for (const [k, v] of given) {
    if (!TOKEN.test(k) || /[\r\n\0]/.test(v)) throw new Error(`invalid header ${JSON.stringify(k)}`);
    lines.push(`${k}: ${v}`);
  }
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  if (body && !has('content-length')) lines.push(`content-length: ${body.length}`);
  else if (!body && (r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') && !has('content-length')) lines.push('content-length: 0');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

const enum S {
  Head,
  Length,
  ChunkSize,
  ChunkExt,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

/** A response that is not HTTP/1.x (or is too big to be a response head): the connection is unusable. */
export class ProtocolError extends Error {
  readonly code = 'HPE_INVALID';
}

/**
 * Incremental response parser for one connection. `feed` returns how many responses COMPLETED in the chunk;
 * their statuses are in `statuses[0..n)` (a reused array). A body read "until close" completes at `end()`.
 */
export class ResponseParser {
  readonly statuses: number[] = [];
  /** The server said `Connection: close` (or spoke HTTP/1.0 without keep-alive): no request after this one. */
  closeAfter = false;
  private state = S.Head;
  private status = 0;
  private remaining = 0;
  private pendingHead: Buffer | undefined;
  private lineHasText = false;

  constructor(private readonly headRequest: boolean) {}

  /** True while a response has started but not ended (a close now cuts it). */
  get midResponse(): boolean {
    return this.state !== S.Head || this.pendingHead !== undefined;
  }

  /** Parses `chunk`; returns the number of responses completed in it. Throws ProtocolError. */
  feed(chunk: Buffer): number {
    let buf = chunk;
    let pos = 0;
    let n = 0;
    if (this.pendingHead) {
      buf = Buffer.concat([this.pendingHead, chunk]);
      this.pendingHead = undefined;
    }
    const len = buf.length;
    while (pos < len) {
      switch (this.state) {
        case S.Head: {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end < 0) {
            if (len - pos > MAX_HEAD) throw new ProtocolError('response head larger than 64 KiB');
            this.pendingHead = buf.subarray(pos);
            return n;
          }
          if (this.head(buf, pos, end)) {
            this.statuses[n++] = this.status;
            this.state = S.Head;
          }
          pos = end + 4;
          break;
        }
        case S.Length: {
          const take = Math.min(this.remaining, len - pos);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) {
            this.statuses[n++] = this.status;
            this.state = S.Head;
          }
          break;
        }
        case S.UntilClose:
          return n;
        case S.ChunkData: {
          const take = Math.min(this.remaining, len - pos);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) {
            this.state = S.ChunkDataEnd;
            this.remaining = 2;
          }
          break;
        }
        case S.ChunkDataEnd: {
          // The CRLF after a chunk's data.
          const take = Math.min(this.remaining, len - pos);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) this.state = S.ChunkSize;
          break;
        }
        case S.ChunkSize:
        case S.ChunkExt:
        case S.Trailers: {
          // Chunk-size lines, their extensions and the trailer section: short lines, scanned byte by byte.
          const b = buf[pos++] as number;
          if (this.state === S.ChunkSize) {
            const d = hexValue(b);
            if (d >= 0) {
              this.remaining = this.remaining * 16 + d;
              if (this.remaining > Number.MAX_SAFE_INTEGER / 16) throw new ProtocolError('chunk size too large');
            } else if (b === 0x3b /* ; */ || b === 0x20 || b === 0x09) this.state = S.ChunkExt;
            else if (b === 0x0a) this.endChunkSize();
            else if (b !== 0x0d) throw new ProtocolError('invalid chunk size');
          } else if (this.state === S.ChunkExt) {
            if (b === 0x0a) this.endChunkSize();
          } else if (b === 0x0a) {
            // Trailers: an empty line ends the response.
            if (!this.lineHasText) {
              this.statuses[n++] = this.status;
              this.state = S.Head;
            }
            this.lineHasText = false;
          } else if (b !== 0x0d) this.lineHasText = true;
        }
      }
    }
    return n;
  }

  /** The connection ended: a body delimited by the close completes now (returns 1), anything else was cut. */
  end(): number {
    if (this.state === S.UntilClose) {
      this.state = S.Head;
      this.statuses[0] = this.status;
      return 1;
    }
    return 0;
  }

  private endChunkSize(): void {
    if (this.remaining === 0) {
      this.state = S.Trailers;
      this.lineHasText = false;
    } else this.state = S.ChunkData;
  }

  /** Parses a head in buf[start, end); returns true when the response has no body (it is complete). */
  private head(buf: Buffer, start: number, end: number): boolean {
    // "HTTP/1.1 200 ..." — the version, then a three-digit status.
    if (end - start < 12 || buf[start] !== 0x48 || buf[start + 4] !== 0x2f || buf[start + 8] !== 0x20) throw new ProtocolError('not an HTTP/1.x response');
    const d1 = buf[start + 9]! - 48;
    const d2 = buf[start + 10]! - 48;
    const d3 = buf[start + 11]! - 48;
    if (!(d1 >= 1 && d1 <= 9 && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9)) throw new ProtocolError('invalid status');
    const status = d1 * 100 + d2 * 10 + d3;
    this.status = status;
    const http10 = buf[start + 7] === 0x30;
    // Header names are case-insensitive: one lower-cased latin1 string per response head, searched.
    const h = buf.toString('latin1', start, end).toLowerCase();
    const conn = headerValue(h, 'connection');
    this.closeAfter = conn === undefined ? http10 : conn.includes('close') || (http10 && !conn.includes('keep-alive'));
    // 1xx (100 Continue, 103 Early Hints): informational, the real response follows.
    if (status < 200) {
      if (status === 101) throw new ProtocolError('unexpected protocol upgrade');
      this.state = S.Head;
      return false;
    }
    if (this.headRequest || status === 204 || status === 304) return true;
    const te = headerValue(h, 'transfer-encoding');
    if (te !== undefined && te.includes('chunked')) {
      this.state = S.ChunkSize;
      this.remaining = 0;
      return false;
    }
    const cl = headerValue(h, 'content-length');
    if (cl !== undefined) {
      const v = Number(cl);
      if (!Number.isSafeInteger(v) || v < 0) throw new ProtocolError('invalid content-length');
      if (v === 0) return true;
      this.remaining = v;
      this.state = S.Length;
      return false;
    }
    this.state = S.UntilClose;
    this.closeAfter = true;
    return false;
  }
}

/** The value of header `name` in a lower-cased head, or undefined. */
function headerValue(h: string, name: string): string | undefined {
  const at = h.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const from = at + name.length + 3;
  const to = h.indexOf('\r\n', from);
  return h.slice(from, to < 0 ? h.length : to).trim();
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}
