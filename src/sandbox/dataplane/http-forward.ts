/**
 * One request relayed from a load balancer node to a target over HTTP, as the ALB and the Classic Load
 * Balancer both do: hop-by-hop headers dropped, X-Forwarded-For/-Port/-Proto added, the target's answer piped
 * back; a target that does not answer within the idle timeout is the load balancer's 504, one that refuses or
 * resets the connection its 502 (ALB troubleshooting: "HTTP 502/504"; Classic: "HTTP 502/504 errors").
 */
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { PUBLIC_CLIENT } from './network.js';

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export interface ForwardTo {
  /** Keep-alive agents, one per target, owned (and destroyed on close) by the proxy. */
  agents: Map<string, Agent>;
  targetId: string;
  port: number;
  /** X-Forwarded-Port and -Proto: the listener the client reached. */
  forwardedPort: number;
  forwardedProto: string;
  idleTimeoutMs: number;
  /** The load balancer's own answer (502/504) with what went wrong. */
  fail(status: number, detail: string): void;
}

export function forwardHttp(req: IncomingMessage, res: ServerResponse, to: ForwardTo): void {
  let agent = to.agents.get(to.targetId);
  if (!agent) to.agents.set(to.targetId, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  headers['x-forwarded-for'] = PUBLIC_CLIENT.ip;
  headers['x-forwarded-port'] = String(to.forwardedPort);
  headers['x-forwarded-proto'] = to.forwardedProto;
  let settled = false;
  const upstream = httpRequest({ host: '127.0.0.1', port: to.port, method: req.method, path: req.url, headers, agent }, (up) => {
    settled = true;
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
    up.once('error', () => res.destroy());
  });
  upstream.setTimeout(to.idleTimeoutMs, () => {
    if (settled) return;
    settled = true;
    upstream.destroy();
    to.fail(504, 'target idle timeout');
  });
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    if (settled) return res.headersSent ? void res.destroy() : undefined;
    settled = true;
    to.fail(502, err.code ?? err.message);
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
