/**
 * One HTTP(S) request with full control over what a load balancer sees: the address connected to, the Host
 * header and the TLS SNI (fetch cannot set Host), so tests can play a client that resolved the load
 * balancer's name to one node's address, as curl's --resolve does.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpOptions {
  /** Address to connect to instead of the URL's host (the URL's host stays the Host header and SNI). */
  connectTo?: string;
  /** Host header (and SNI) instead of the URL's. */
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  /** PEM of a CA to trust (HTTPS). */
  ca?: string;
  timeoutMs?: number;
}

export function httpGet(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const host = opts.host ?? u.hostname;
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      {
        host: opts.connectTo ?? u.hostname,
        port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers: { host: port === (https ? 443 : 80) ? host : `${host}:${port}`, ...opts.headers },
        agent: false,
        ...(https ? { servername: host, ...(opts.ca ? { ca: opts.ca } : {}) } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
