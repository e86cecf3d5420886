/**
 * What a probe request's ending means (its failure kind), and the connect-only attempts of `--probe tcp`.
 * HTTP requests themselves go through conn-pool.ts.
 */
import { connect, type Socket } from 'node:net';
import type { FailureKind } from './buckets.js';
import { CertificateError, type Connector, type DialTarget } from './transport.js';

/** The probe's own endings of a request: its deadline passed; the host has no address to send to. */
export const PROBE_TIMEOUT = Object.assign(new Error('probe deadline exceeded'), { code: 'PROBE_TIMEOUT' });
export const NO_ADDRESS = Object.assign(new Error('the probe host has no address'), { code: 'ENOTFOUND' });

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
    // PROBE_TIMEOUT: the probe's own deadline (also for a request pipelined behind one that ran out of time).
    if (code === 'PROBE_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
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

/**
 * `--probe tcp` on an https:// URL: success is the TCP connection AND the TLS handshake, with the same
 * certificate verification as an HTTP request (the connector's). A load balancer that terminates TLS (an NLB
 * TLS listener) completes it by itself, so this says the listener answers, not that a target does.
 */
export function handshakeOnly(connector: Connector, target: DialTarget, done: (err: unknown) => void): Exchange {
  let finished = false;
  let socket: Socket | undefined;
  socket = connector(target, (err, s) => {
    if (finished) return void s?.destroy();
    finished = true;
    s?.destroy();
    done(err);
  });
  return {
    abort() {
      finished = true;
      socket?.destroy();
      socket = undefined;
    },
  };
}
