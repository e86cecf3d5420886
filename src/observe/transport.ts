/**
 * How the probe reaches one load balancer node: a connection to that node's ADDRESS, while the request's
 * Host header and the TLS server name (SNI) stay the service's own name. A production ALB listens on HTTPS
 * with a certificate for `api.example.com`, never for its `*.elb.amazonaws.com` name, so connecting by the
 * load balancer's DNS name with that name as SNI fails verification on every request.
 *
 * Certificate verification is ALWAYS on unless the operator passes --insecure. It is done here, after the
 * handshake, rather than by Node's rejectUnauthorized, so that a failure can say which names the certificate
 * covers (Node's chain errors carry no certificate). The safety invariant: a socket whose certificate did not
 * verify (chain AND name) is destroyed before a request is written on it, and no TLS session is ever resumed
 * (Node resumes only a session it is handed), since a resumed session skips the name check.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

export interface TransportOptions {
  /** PEM text of extra CA certificates (added to the default ones). */
  caCert?: string;
  /** No certificate verification at all (flagged in the plan and the report). */
  insecure?: boolean;
  /** Connect (TCP + TLS handshake) deadline, ms. */
  connectTimeoutMs: number;
}

/** A certificate that did not verify; `altNames` is what the certificate covers (`DNS:shop.example.test, …`). */
export class CertificateError extends Error {
  constructor(
    readonly code: string,
    readonly servername: string | undefined,
    readonly altNames: string | undefined,
    readonly subject: string | undefined,
    /** Whether the certificate covers the name asked for (a chain error says nothing about the name). */
    readonly nameMatches: boolean | undefined,
  ) {
    super(`certificate for ${servername ?? 'the server'} did not verify: ${code}${altNames ? ` (it covers ${altNames})` : ''}`);
    this.name = 'CertificateError';
  }
}

/**
 * The CA bundle: Node's bundled roots, NODE_EXTRA_CA_CERTS (Node ignores it once `ca` is given explicitly,
 * so it is read here to keep working) and the operator's --ca-cert. Undefined when nothing is added, so
 * Node's own default store applies unchanged.
 */
export function caBundle(caCert: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  if (!caCert) return undefined;
  const extra: string[] = [];
  if (env.NODE_EXTRA_CA_CERTS) {
    try {
      extra.push(readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so does this (by ignoring it).
    }
  }
  return [...rootCertificates, ...extra, caCert];
}

/** Where and how to dial: the scheme, the service's name (TLS server name and certificate name) and the port. */
export interface DialTarget {
  protocol: 'http:' | 'https:';
  servername: string;
  port: number;
}

/** Dials; calls back once, with the connected (and for https verified) socket or the error. */
export type Connector = (target: DialTarget, callback: (err: Error | null, socket: Socket | null) => void) => Socket;

/**
 * Connectors for one probe: `to(address)` dials that address, whatever the name the target carries (Host and
 * SNI). The CA bundle becomes one secure context, built once: parsing ~140 root certificates for every
 * connection would cost more CPU than the handshake itself.
 */
export function transport(o: TransportOptions): { to(address: string): Connector } {
  const ca = caBundle(o.caCert);
  const secureContext = ca ? createSecureContext({ ca }) : undefined;
  return { to: (address) => connectorTo(address, o, secureContext) };
}

const connectTimeout = (o: TransportOptions, address: string): Error =>
  Object.assign(new Error(`connect timeout (${o.connectTimeoutMs}ms) to ${address}`), { code: 'UND_ERR_CONNECT_TIMEOUT' });

function connectorTo(address: string, o: TransportOptions, secureContext: SecureContext | undefined): Connector {
  return (t, callback) => {
    let settled = false;
    const done = (err: Error | null, s: Socket | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(err, s);
    };
    let socket: Socket;
    if (t.protocol === 'https:') {
      const name = isIP(t.servername) ? undefined : t.servername;
      // Verified below (see the header). Node offers no session to resume unless given one: every
      // connection is verified in full.
      const tls = tlsConnect({
        host: address,
        port: t.port,
        ...(name ? { servername: name } : {}),
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
        ...(secureContext ? { secureContext } : {}),
      });
      tls.once('secureConnect', () => {
        if (!o.insecure && !tls.authorized) {
          const cert = tls.getPeerCertificate?.();
          const e = new CertificateError(
            String(tls.authorizationError ?? 'CERT_UNKNOWN'),
            t.servername,
            cert?.subjectaltname || undefined,
            [cert?.subject?.CN ?? []].flat().join(', ') || undefined,
            cert?.raw ? checkServerIdentity(t.servername, cert) === undefined : undefined,
          );
          tls.destroy();
          return done(e, null);
        }
        tls.setNoDelay(true);
        done(null, tls);
      });
      socket = tls;
    } else {
      socket = netConnect({ host: address, port: t.port, noDelay: true });
      socket.once('connect', () => done(null, socket));
    }
    socket.once('error', (err) => {
      socket.destroy();
      done(err, null);
    });
    socket.once('close', () => done(Object.assign(new Error(`connection to ${address} closed during the handshake`), { code: 'ECONNRESET' }), null));
    // Exact, unlike a timer wheel: a hung handshake to a blackholed node reads as connect_timeout, before the
    // request's own deadline (twice this) reads it as a timeout.
    const timer = setTimeout(() => socket.destroy(connectTimeout(o, address)), o.connectTimeoutMs);
    return socket;
  };
}
