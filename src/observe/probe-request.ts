/**
 * One probe request: sending it through undici's dispatch API (or, for `--probe tcp`, only opening a TCP
 * connection), and what its ending means.
 */
import { connect } from 'node:net';
import type { Dispatcher } from 'undici';
import type { FailureKind } from './buckets.js';
import { CertificateError } from './transport.js';

/**
 * Certificate verification failures as Node (OpenSSL) and undici name them: the certificate does not cover
 * the name, is not signed by a trusted CA, is self-signed, expired or not yet valid, or was revoked.
 */
const TLS_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
]);

/** The certificate failure behind an error, if that is what it was. */
export function certificateErrorOf(err: unknown): CertificateError | undefined {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e instanceof CertificateError) return e;
  }
  return undefined;
}

/** Why a request ended badly, from undici's and Node's error codes. */
export function classifyError(err: unknown): FailureKind {
  if (certificateErrorOf(err)) return 'tls';
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  for (const code of codes) {
    if (TLS_CODES.has(code)) return 'tls';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'ENODATA') return 'dns';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'connect_timeout';
    if (code === 'ECONNREFUSED') return 'connect_refused';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'connect_reset';
  }
  return 'other';
}

export interface Exchange {
  /** Ends the exchange now (the probe's deadline); its `done` callback is not called afterwards. */
  abort(reason: Error): void;
}

/**
 * One HTTP exchange through undici's dispatch API: no response stream, no promise, the body discarded chunk
 * by chunk (the same effect as body.dump(), at a fraction of the cost, which is what keeps closed-loop mode
 * in autocannon's class). `done` is called once, with the status at the end of the body or with the error.
 */
export function exchange(pool: Dispatcher, opts: Dispatcher.DispatchOptions, done: (statusCode: number | null, err: unknown) => void): Exchange {
  let controller: Dispatcher.DispatchController | null = null;
  let abortedWith: Error | null = null;
  let status = 0;
  let finished = false;
  const end = (statusCode: number | null, err: unknown): void => {
    if (finished || abortedWith) return;
    finished = true;
    done(statusCode, err);
  };
  try {
    pool.dispatch(opts, {
      onRequestStart(c) {
        controller = c;
        // A request that waited in the pool past its deadline starts here: do not send it at all.
        if (abortedWith) c.abort(abortedWith);
      },
      onResponseStart(_c, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        end(status, null);
      },
      onResponseError(_c, err) {
        end(null, err);
      },
    });
  } catch (err) {
    end(null, err);
  }
  return {
    abort(reason) {
      if (finished || abortedWith) return;
      abortedWith = reason;
      controller?.abort(reason);
    },
  };
}

/**
 * `--probe tcp`: success is the TCP handshake completing (the probe's deadline ends it otherwise); the
 * connection is closed at once. `done` is called once, with null on success or the error.
 */
export function connectOnly(address: string, port: number, done: (err: unknown) => void): Exchange {
  let finished = false;
  const socket = connect({ host: address, port });
  const end = (err: unknown): void => {
    if (finished) return;
    finished = true;
    socket.destroy();
    done(err);
  };
  socket.once('connect', () => end(null));
  socket.once('error', (err) => end(err));
  return {
    abort() {
      finished = true;
      socket.destroy();
    },
  };
}
