import { describe, expect, it } from 'vitest';
import { ProtocolError, requestBytes, ResponseParser } from '../../src/observe/http1.js';

/** Feeds `text` to a parser in pieces of `size` bytes; returns the statuses of the responses completed. */
function parse(text: string, size = Infinity, head = false): { statuses: number[]; parser: ResponseParser } {
  const parser = new ResponseParser(head);
  const buf = Buffer.from(text, 'latin1');
  const statuses: number[] = [];
  const step = Number.isFinite(size) ? size : buf.length;
  for (let i = 0; i < buf.length; i += step) {
    const n = parser.feed(buf.subarray(i, i + step));
    statuses.push(...parser.statuses.slice(0, n));
  }
  return { statuses, parser };
}

const ok = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;

describe('http1 request bytes', () => {
  it('builds the head once: method, path, Host with the port, the given headers, a body with its length', () => {
    const get = requestBytes({ method: 'GET', path: '/health?x=1', host: 'shop.example.test:8443', headers: { 'x-probe': 'chaos' } }).toString();
    expect(get).toBe('GET /health?x=1 HTTP/1.1\r\nhost: shop.example.test:8443\r\nx-probe: chaos\r\n\r\n');
    const post = requestBytes({ method: 'POST', path: '/', host: 'a', headers: { Host: 'b' }, body: 'héllo' }).toString();
    expect(post).toBe('POST / HTTP/1.1\r\nHost: b\r\ncontent-length: 6\r\n\r\nhéllo');
  });

  it('refuses a header that would split the request', () => {
    expect(() => requestBytes({ method: 'GET', path: '/', host: 'a', headers: { x: 'a\r\nInjected: 1' } })).toThrow(/invalid header/);
    expect(() => requestBytes({ method: 'GET', path: '/', host: 'a', headers: { 'bad name': '1' } })).toThrow(/invalid header/);
  });
});

describe('http1 response parser', () => {
  it('finds each response of a keep-alive stream, whole or split at every byte', () => {
    const stream = ok('hello world\n') + `HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n` + ok('x');
    for (const size of [Infinity, 1, 2, 7, 50]) expect(parse(stream, size).statuses).toEqual([200, 503, 200]);
  });

  it('chunked bodies with extensions and trailers; header names in any case', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nx-trailer: y\r\n\r\n';
    for (const size of [Infinity, 1, 3]) expect(parse(chunked + ok('z'), size).statuses).toEqual([200, 200]);
  });

  it('1xx responses are skipped; 204, 304 and answers to HEAD have no body', () => {
    expect(parse(`HTTP/1.1 100 Continue\r\n\r\n${ok('a')}`).statuses).toEqual([200]);
    expect(parse('HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n').statuses).toEqual([204, 304]);
    expect(parse(`HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n${ok('b')}`, Infinity, true).statuses).toEqual([200, 200]);
  });

  it('Connection: close and HTTP/1.0 end the connection after the response; a body without length ends at the close', () => {
    expect(parse(ok('a', 'Connection: close\r\n')).parser.closeAfter).toBe(true);
    expect(parse(ok('a', 'connection: keep-alive\r\n')).parser.closeAfter).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\na').parser.closeAfter).toBe(true);
    const { statuses, parser } = parse('HTTP/1.1 200 OK\r\n\r\nbody until the end');
    expect(statuses).toEqual([]);
    expect(parser.midResponse).toBe(true);
    expect(parser.end()).toBe(1);
    expect(parser.statuses[0]).toBe(200);
  });

  it('anything that is not an HTTP/1.x response is a protocol error', () => {
    expect(() => parse('SSH-2.0-OpenSSH\r\n\r\n')).toThrow(ProtocolError);
    expect(() => parse('HTTP/1.1 2x0 OK\r\n\r\n')).toThrow(ProtocolError);
    expect(() => parse('HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n')).toThrow(ProtocolError);
    expect(() => parse('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n')).toThrow(ProtocolError);
    expect(() => parse(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(70_000)}`)).toThrow(/64 KiB/);
  });
});
