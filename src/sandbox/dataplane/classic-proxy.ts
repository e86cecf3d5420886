/**
 * One HTTP listener of a Classic Load Balancer: a real reverse proxy on a loopback port.
 *
 * Per request it plays what a Classic Load Balancer does (Classic Load Balancers user guide, "How Elastic
 * Load Balancing works" and "Troubleshoot a Classic Load Balancer: HTTP errors",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/ts-elb-http-errors.html):
 * - DNS spreads clients over one node per enabled AZ: the node is picked round-robin per request. A client
 *   that cannot reach the node (its subnet's NACL drops the packets) gets no answer at all.
 * - The node routes round-robin over InService instances only. Unlike an ALB, a Classic Load Balancer does
 *   not fail open: with no InService instance it answers 503 ("no registered instances or all of the
 *   registered instances are unhealthy"). Cross-zone load balancing is modelled as enabled.
 * - node → instance blocked by a NACL: 504 after the connect timeout; refused/reset → 502; no answer
 *   within the idle timeout → 504.
 * The traffic counters (lb-stats.ts) and the NACL evaluation (network.ts) are the ALB proxy's own.
 */
import { type Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxContext } from '../context.js';
import { inServiceInstances } from '../world/classic-state.js';
import type { ClassicListener } from '../world/classic-types.js';
import { forwardHttp } from './http-forward.js';
import { TrafficStats } from './lb-stats.js';
import { nodeIp, PUBLIC_CLIENT, reachable, type Endpoint } from './network.js';

/** How a Classic Load Balancer is named in ground-truth events that take a load balancer ARN. */
export function classicArn(ctx: SandboxContext, name: string): string {
  return `arn:aws:elasticloadbalancing:${ctx.world.region}:${ctx.world.accountId}:loadbalancer/${name}`;
}

export class ClassicProxy {
  readonly stats: TrafficStats;
  private server: Server | undefined;
  private nodeTurn = 0;
  private turn = 0;
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly ctx: SandboxContext,
    readonly loadBalancerName: string,
    readonly listener: ClassicListener,
  ) {
    this.stats = new TrafficStats(ctx.world, classicArn(ctx, loadBalancerName));
  }

  async open(): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = this.ctx.timings.lbIdleTimeoutMs;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
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

  dropAgent(instanceId: string): void {
    this.agents.get(instanceId)?.destroy();
    this.agents.delete(instanceId);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { world, timings, timers } = this.ctx;
    const finish = this.stats.begin();
    res.once('close', () => finish(res.headersSent ? res.statusCode : 'no-response'));
    const lb = world.classicLoadBalancers.get(this.loadBalancerName);
    const nodes = lb?.subnets ?? [];
    const node = nodes[this.nodeTurn++ % Math.max(1, nodes.length)];
    const nodeEp: Endpoint = node ? { subnetId: node.subnetId, ip: nodeIp(world, node.subnetId) } : PUBLIC_CLIENT;
    if (!lb || !node || !reachable(world, PUBLIC_CLIENT, nodeEp, this.listener.requestedPort)) {
      timers.after(timings.lbIdleTimeoutMs, () => req.socket.destroy());
      req.resume();
      return;
    }
    const serving = inServiceInstances(lb);
    if (serving.length === 0) return this.fail(res, 503, undefined, 'no InService instances');
    const reg = serving[this.turn++ % serving.length]!;
    const inst = world.instances.get(reg.instanceId);
    if (!inst || !reachable(world, nodeEp, { subnetId: inst.subnetId, ip: inst.privateIpAddress }, this.listener.instancePort)) {
      req.resume();
      timers.after(timings.lbConnectTimeoutMs, () => this.fail(res, 504, reg.instanceId, 'connect timeout (network)'));
      return;
    }
    if (inst.port === undefined) return this.fail(res, 502, reg.instanceId, 'connection refused');
    // X-Forwarded-* as a Classic Load Balancer adds them on HTTP listeners (user guide, "HTTP headers").
    forwardHttp(req, res, {
      agents: this.agents,
      targetId: reg.instanceId,
      port: inst.port,
      forwardedPort: this.listener.requestedPort,
      forwardedProto: 'http',
      idleTimeoutMs: this.ctx.timings.lbIdleTimeoutMs,
      fail: (status, detail) => this.fail(res, status, reg.instanceId, detail),
    });
  }

  /** An answer the load balancer itself gives: recorded as ground truth, with an empty body as Classic sends. */
  private fail(res: ServerResponse, status: number, instanceId: string | undefined, detail: string): void {
    if (res.headersSent || res.destroyed) return;
    this.ctx.world.emit({
      type: 'lb-routing',
      loadBalancerArn: classicArn(this.ctx, this.loadBalancerName),
      change: 'error',
      status,
      ...(instanceId ? { targetId: instanceId } : {}),
      detail,
    });
    res.writeHead(status, { 'content-length': '0' }).end();
  }
}
