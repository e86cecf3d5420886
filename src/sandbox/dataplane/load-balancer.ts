/**
 * One listener of an Application Load Balancer: a real reverse proxy on a loopback port.
 *
 * Per request it plays what an ALB does:
 * - DNS spreads clients over one node per enabled AZ, so the node is picked round-robin per request. If the
 *   client cannot reach that node (the node subnet's NACL drops it), nothing answers: the request hangs
 *   until the client gives up (closed after the idle timeout).
 * - The node routes round-robin over healthy targets (fail-open over all registered ones when none is
 *   healthy; 503 with none registered). Cross-zone load balancing is on, as it always is for ALBs.
 * - node → target blocked by a NACL: the connect attempt times out → 504 after lbConnectTimeoutMs;
 *   refused/reset by the target → 502; no answer within the idle timeout → 504.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxContext } from '../context.js';
import type { Listener } from '../world/types.js';
import { TrafficStats } from './lb-stats.js';
import { nodeIp, PUBLIC_CLIENT, reachable, type Endpoint } from './network.js';
import type { RoutingTracker } from './targets.js';

const STATUS_TEXT: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class ListenerProxy {
  readonly stats: TrafficStats;
  private server: Server | undefined;
  private nodeTurn = 0;
  private targetTurn = 0;
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly ctx: SandboxContext,
    readonly listener: Listener,
    private readonly routing: RoutingTracker,
  ) {
    this.stats = new TrafficStats(ctx.world, listener.loadBalancerArn);
  }

  async open(): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = this.ctx.timings.lbIdleTimeoutMs;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.refreshRouting();
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    this.stats.flush(true);
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  refreshRouting(): void {
    this.routing.current(this.listener.loadBalancerArn, this.targetGroupArn);
  }

  /** Drops the keep-alive pool of a target whose instance went away. */
  dropAgent(targetId: string): void {
    this.agents.get(targetId)?.destroy();
    this.agents.delete(targetId);
  }

  private get targetGroupArn(): string | undefined {
    return this.listener.defaultActions.find((a) => a.type === 'forward')?.targetGroupArn;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { world, timings, timers } = this.ctx;
    const finish = this.stats.begin();
    res.once('close', () => finish(res.headersSent ? res.statusCode : 'no-response'));
    const lb = world.loadBalancers.get(this.listener.loadBalancerArn);
    const nodes = lb?.availabilityZones ?? [];
    const node = nodes[this.nodeTurn++ % Math.max(1, nodes.length)];
    const nodeEp: Endpoint = node ? { subnetId: node.subnetId, ip: nodeIp(world, node.subnetId) } : PUBLIC_CLIENT;
    if (!node || !reachable(world, PUBLIC_CLIENT, nodeEp, this.listener.port)) {
      // The client's packets are dropped: no answer at all, not even an error, until someone gives up.
      timers.after(timings.lbIdleTimeoutMs, () => req.socket.destroy());
      req.resume();
      return;
    }
    const { targets } = this.routing.current(this.listener.loadBalancerArn, this.targetGroupArn);
    if (targets.length === 0) return this.fail(res, 503, undefined, 'no registered targets');
    const reg = targets[this.targetTurn++ % targets.length]!;
    const inst = world.instances.get(reg.targetId);
    if (!inst || !reachable(world, nodeEp, { subnetId: inst.subnetId, ip: inst.privateIpAddress }, reg.port)) {
      req.resume();
      timers.after(timings.lbConnectTimeoutMs, () => this.fail(res, 504, reg.targetId, 'connect timeout (network)'));
      return;
    }
    if (inst.port === undefined) return this.fail(res, 502, reg.targetId, 'connection refused');
    this.forward(req, res, reg.targetId, inst.port);
  }

  private forward(req: IncomingMessage, res: ServerResponse, targetId: string, port: number): void {
    let agent = this.agents.get(targetId);
    if (!agent) this.agents.set(targetId, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers['x-forwarded-for'] = PUBLIC_CLIENT.ip;
    headers['x-forwarded-port'] = String(this.listener.port);
    headers['x-forwarded-proto'] = 'http';
    let settled = false;
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (up) => {
      settled = true;
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.once('error', () => res.destroy());
    });
    upstream.setTimeout(this.ctx.timings.lbIdleTimeoutMs, () => {
      if (settled) return;
      settled = true;
      upstream.destroy();
      this.fail(res, 504, targetId, 'target idle timeout');
    });
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      if (settled) return res.headersSent ? void res.destroy() : undefined;
      settled = true;
      this.fail(res, 502, targetId, err.code ?? err.message);
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /** An answer the load balancer itself gives (not the target): recorded as ground truth. */
  private fail(res: ServerResponse, status: number, targetId: string | undefined, detail: string): void {
    if (res.headersSent || res.destroyed) return;
    this.ctx.world.emit({
      type: 'lb-routing',
      loadBalancerArn: this.listener.loadBalancerArn,
      change: 'error',
      status,
      ...(targetId ? { targetId } : {}),
      detail,
    });
    const text = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
    res
      .writeHead(status, { server: 'awselb/2.0', 'content-type': 'text/html' })
      .end(`<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n</body>\r\n</html>\r\n`);
  }
}
