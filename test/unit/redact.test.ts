/** The secrets redactor: what is noted where values are parsed never passes a boundary (core/redact.ts). */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { headers, url } from '../../src/core/options.js';
import { forgetSecrets, noteSecret, noteUrlSecrets, redact, redacting, redactUrl } from '../../src/core/redact.js';
import { interpolate } from '../../src/experiment/file.js';

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('hides every noted secret wherever it appears, URL-encoded too, longest first', () => {
    noteSecret('s3cr3t-value');
    noteSecret('s3cr3t');
    expect(redact('token s3cr3t-value and s3cr3t, encoded s3cr3t-value')).toBe('token *** and ***, encoded ***');
    noteSecret('a b/c');
    expect(redact('q=a%20b%2Fc')).toBe('q=***');
    // Too short to be a secret, and hiding it would shred ordinary text.
    noteSecret('abc');
    expect(redact('abc')).toBe('abc');
  });

  it("a URL's user, password and secret-looking query values are noted; other query values are not", () => {
    noteUrlSecrets('https://alice:p%40ssw0rd@host/x?token=tok-123&page=2&api_key=k-456');
    expect(redact('alice p@ssw0rd p%40ssw0rd tok-123 k-456 page 2')).toBe('*** *** *** *** *** page 2');
    // Even when the URL does not parse as one, its userinfo is found by shape.
    noteUrlSecrets('ftp://root:hunter2hunter@ not a url');
    expect(redact('root hunter2hunter')).toBe('*** ***');
    expect(redactUrl('https://alice:pw12@host/x?token=t&page=2')).toBe('https://***:***@host/x?token=***&page=***');
  });

  it('the option parsers note secrets before any message can quote them; a header value with CR/LF is refused by name', () => {
    expect(() => url().parse('ftp://admin:Hunter2Secret@host/')).toThrow(/must be http/);
    expect(redact("'ftp://admin:Hunter2Secret@host/'")).toBe("'ftp://***:***@host/'");
    expect(headers().parse(['Authorization: Bearer tok-abcdef'])).toEqual({ Authorization: 'Bearer tok-abcdef' });
    expect(redact('Bearer tok-abcdef')).toBe('***');
    let message = '';
    try {
      headers().parse(['X-Debug: a\r\nX-Evil: injected-value']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('the value of X-Debug contains CR, LF or NUL, which HTTP header values cannot carry');
    expect(message).not.toContain('injected-value');
  });

  it('values interpolated from the environment into an experiment file are secrets', () => {
    expect(interpolate('Bearer ${TOKEN}', { TOKEN: 'env-token-99' }, () => undefined)).toBe('Bearer env-token-99');
    expect(redact('Authorization: Bearer env-token-99')).toBe('Authorization: Bearer ***');
  });

  it('a redacting stream scrubs what is written and is otherwise the same stream', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const r = redacting(out as unknown as NodeJS.WriteStream);
    noteSecret('stream-secret');
    r.write('a stream-secret b\n');
    expect(text).toBe('a *** b\n');
    expect(r.writable).toBe(true);
  });
});
