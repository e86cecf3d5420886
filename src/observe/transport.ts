/**
 * How the probe reaches one load balancer node: a connection to that node's ADDRESS, while the request's
 * Host header and the TLS server name (SNI) stay the service's own name. A production ALB listens on HTTPS
 * with a certificate for `api.example.com`, never for its `*.elb.amazonaws.com` name, so connecting by the
 * load balancer's DNS name with that name as SNI fails verification on every request.
 *
 * Certificate verification is ALWAYS on unless the operator passes --insecure. It is done here, after the
 * handshake, rather than by Node's rejectUnauthorized, so that a failure can say which names the certificate
 * covers (Node's chain errors carry no certificate). The safety invariant: a socket whose certificate did not
 * verify (chain AND name) is destroyed before undici ever sees it, and TLS session resumption is off, since a
 * resumed session skips the name check.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createSecureContext, rootCertificates, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

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

/**
 * Connectors for one probe: `to(address)` dials that address whatever the pool's origin host (which gives
 * Host and SNI). The CA bundle becomes one secure context, built once: parsing ~140 root certificates for
 * every connection would cost more CPU than the handshake itself.
 */
export function transport(o: TransportOptions): { to(address: string): buildConnector.connector } {
  const ca = caBundle(o.caCert);
  const secureContext = ca ? createSecureContext({ ca }) : undefined;
  return { to: (address) => connectorTo(address, o, secureContext) };
}

function connectorTo(address: string, o: TransportOptions, secureContext: ReturnType<typeof createSecureContext> | undefined): buildConnector.connector {
  const base = buildConnector({
    // A backstop only: undici's connect timer ticks on a ~0.5 s wheel, so a short timeout fires late, after
    // the probe's own deadline, and a hung handshake would read as `timeout`. The timer below is exact.
    timeout: o.connectTimeoutMs + 1000,
    // Verified below (see the header); resumption off so every connection is verified in full.
    rejectUnauthorized: false,
    maxCachedSessions: 0,
    ...(secureContext ? { secureContext } : {}),
  });
  return (opts, callback) => {
    const socket = base({ ...opts, hostname: address }, (err, socket) => {
      clearTimeout(timer);
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      const tls = socket as TLSSocket;
      if (opts.protocol === 'https:' && !o.insecure && !tls.authorized) {
        const cert = tls.getPeerCertificate?.();
        const e = new CertificateError(
          String(tls.authorizationError ?? 'CERT_UNKNOWN'),
          opts.servername || opts.hostname || undefined,
          cert?.subjectaltname || undefined,
          [cert?.subject?.CN ?? []].flat().join(', ') || undefined,
        );
        tls.destroy();
        return callback(e, null);
      }
      callback(null, socket);
    }) as unknown as Socket | undefined;
    const timer = setTimeout(
      () => socket?.destroy(Object.assign(new Error(`connect timeout (${o.connectTimeoutMs}ms) to ${address}`), { code: 'UND_ERR_CONNECT_TIMEOUT' })),
      o.connectTimeoutMs,
    );
  };
}
