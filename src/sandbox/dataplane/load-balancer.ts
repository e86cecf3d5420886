/**
 * One listener of an Application Load Balancer: a real reverse proxy with one server per load balancer node.
 *
 * What it plays, as an ALB does it:
 * - One node per enabled AZ, each on its own loopback address (the load balancer's DNS name resolves to the
 *   nodes' addresses), all on the listener's one port. A client that cannot reach a node (the node subnet's
 *   NACL drops it) gets no answer from THAT address at all: the connection hangs, while the other nodes serve.
 *   Which node serves is the client's choice (the address it connected to), as with DNS on AWS.
 * - HTTPS listeners terminate TLS with the listener's certificates, choosing one by SNI (the first is the
 *   default) ("SSL certificates for your Application Load Balancer", ALB user guide).
 * - Each request goes through the listener's rules (dataplane/rules.ts): forward (weighted over target
 *   groups), redirect, or fixed-response.
 * - A forward routes round-robin over the group's healthy targets in every AZ (cross-zone load balancing is
 *   always on for ALBs), fail-open over all registered ones when none is healthy; 503 with none registered.
 * - node → target blocked by a NACL: the connect attempt times out → 504 after lbConnectTimeoutMs;
 *   refused/reset by the target → 502; no answer within the idle timeout → 504.
 */
import { type Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SandboxContext } from '../context.js';
import type { Listener, LoadBalancer } from '../world/types.js';
import { TrafficStats } from './lb-stats.js';
import { nodeIp, PUBLIC_CLIENT, reachable, type Endpoint } from './network.js';
import { authenticationOutcome, decide, redirectLocation, targetGroupsOfListener, WeightedPicker, wildcardMatch, type RequestFacts } from './rules.js';
import type { RoutingTracker } from './targets.js';
import { forwardHttp } from './http-forward.js';
import { NodeFronts } from './node-fronts.js';

const STATUS_TEXT: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

type Node = LoadBalancer['availabilityZones'][number];

export class ListenerProxy {
  readonly stats: TrafficStats;
  private inner: Server | undefined;
  private readonly fronts = new NodeFronts((socket) => this.accept(socket));
  private readonly sockets = new Set<Socket>();
  private targetTurn = 0;
  private readonly picker = new WeightedPicker();
  private readonly agents = new Map<string, Agent>();
  private readonly contexts = new Map<string, SecureContext>();
  /** Responses the load balancer gave itself (not its targets), for the CloudWatch 5XX counts. */
  private readonly ownAnswers = new WeakSet<ServerResponse>();

  constructor(
    private readonly ctx: SandboxContext,
    readonly listener: Listener,
    private readonly routing: RoutingTracker,
  ) {
    this.stats = new TrafficStats(ctx.world, listener.loadBalancerArn);
  }

  /** Binds every node address on one port (the first bind picks it) and returns that port. */
  async open(): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    const inner = this.listener.protocol === 'HTTPS' ? createHttpsServer(this.tlsOptions(), handler) : createServer(handler);
    inner.keepAliveTimeout = this.ctx.timings.lbIdleTimeoutMs;
    this.inner = inner;
    const lb = this.ctx.world.loadBalancers.get(this.listener.loadBalancerArn);
    const addresses = (lb?.availabilityZones ?? []).map((z) => z.nodeAddress);
    const port = await this.fronts.open(addresses);
    this.refreshRouting();
    return port;
  }

  async close(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    this.stats.flush(true);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await this.fronts.close();
    inner?.closeAllConnections();
  }

  refreshRouting(): void {
    for (const tg of targetGroupsOfListener(this.ctx.world, this.listener)) this.routing.current(this.listener.loadBalancerArn, tg);
  }

  /** Drops the keep-alive pool of a target whose instance went away. */
  dropAgent(targetId: string): void {
    this.agents.get(targetId)?.destroy();
    this.agents.delete(targetId);
  }

  /** The node a connection reached: the one whose address it connected to. */
  private nodeFor(localAddress: string | undefined): Node | undefined {
    return this.ctx.world.loadBalancers.get(this.listener.loadBalancerArn)?.availabilityZones.find((n) => n.nodeAddress === localAddress);
  }

  private blocked(node: Node | undefined): boolean {
    return !node || !reachable(this.ctx.world, PUBLIC_CLIENT, { subnetId: node.subnetId, ip: nodeIp(this.ctx.world, node.subnetId) }, this.listener.port);
  }

  /**
   * A new TCP connection on one node's address. If the client's packets to that node are dropped, nothing
   * answers — not even the TLS handshake — until the connection is given up (closed after the idle timeout).
   */
  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.blocked(this.nodeFor(socket.localAddress))) {
      // Counted as a client left with no answer, as for a request dropped on a kept-alive connection.
      const finish = this.stats.begin();
      socket.once('close', () => finish('no-response'));
      // Read and drop what the client sends (its packets never arrive), so its giving up is seen at once.
      socket.resume();
      this.ctx.timers.after(this.ctx.timings.lbIdleTimeoutMs, () => socket.destroy());
      return;
    }
    if (!this.inner) return void socket.destroy();
    this.inner.emit('connection', socket);
  }

  private tlsOptions(): { SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void; cert?: string; key?: string } {
    const certs = (this.listener.certificateArns ?? []).map((arn) => this.ctx.world.certificates.get(arn)).filter((c) => c !== undefined);
    const first = certs[0];
    return {
      ...(first ? { cert: first.certPem, key: first.keyPem } : {}),
      // SNI picks the certificate whose domain matches, else the default (first) one.
      SNICallback: (name, cb) => {
        const c = certs.find((x) => wildcardMatch(x.domainName.replace(/^\*\./, '*.'), name, true)) ?? first;
        if (!c) return cb(new Error('no certificate'));
        let sc = this.contexts.get(c.certificateArn);
        if (!sc) this.contexts.set(c.certificateArn, (sc = createSecureContext({ cert: c.certPem, key: c.keyPem })));
        cb(null, sc);
      },
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { world, timings, timers } = this.ctx;
    const finish = this.stats.begin();
    res.once('close', () => finish(res.headersSent ? res.statusCode : 'no-response'));
    const node = this.nodeFor(req.socket.localAddress);
    if (this.blocked(node)) {
      // The client's packets are dropped: no answer at all, not even an error, until someone gives up.
      timers.after(timings.lbIdleTimeoutMs, () => req.socket.destroy());
      req.resume();
      return;
    }
    const nodeEp: Endpoint = { subnetId: node!.subnetId, ip: nodeIp(world, node!.subnetId) };
    const facts = requestFacts(req);
    const { actions } = decide(world, this.listener, facts);
    // Actions run in order: an authentication action first (it may answer itself), then the routing one.
    for (const a of actions) {
      if (a.type !== 'authenticate-oidc' && a.type !== 'authenticate-cognito') break;
      const auth = authenticationOutcome(a, facts, world.region);
      if ('next' in auth) continue;
      req.resume();
      res
        .writeHead(auth.status, { server: 'awselb/2.0', 'content-type': 'text/html', ...(auth.status === 302 ? { location: auth.location } : {}) })
        .end(`<html><body>${auth.status}</body></html>\r\n`);
      return;
    }
    const action = actions.find((a) => a.type === 'forward' || a.type === 'redirect' || a.type === 'fixed-response');
    if (!action) return this.fail(res, 503, undefined, 'no action');
    if (action.type === 'fixed-response') {
      const f = action.fixedResponse;
      req.resume();
      res.writeHead(Number(f.statusCode), { server: 'awselb/2.0', 'content-type': f.contentType ?? 'text/plain; charset=utf-8' }).end(f.messageBody ?? '');
      return;
    }
    if (action.type === 'redirect') {
      req.resume();
      const location = redirectLocation(action.redirect, facts, this.listener);
      const status = action.redirect.statusCode === 'HTTP_301' ? 301 : 302;
      res.writeHead(status, { server: 'awselb/2.0', 'content-type': 'text/html', location }).end(`<html><body>${status}</body></html>\r\n`);
      return;
    }
    const targetGroupArn = this.picker.pick(action);
    if (!targetGroupArn) return this.fail(res, 503, undefined, 'no target group with weight');
    const { targets } = this.routing.current(this.listener.loadBalancerArn, targetGroupArn);
    if (targets.length === 0) return this.fail(res, 503, undefined, 'no registered targets');
    const reg = targets[this.targetTurn++ % targets.length]!;
    const routed = this.ctx.cloudwatch.lbMetrics.routed(this.listener.loadBalancerArn, targetGroupArn);
    res.once('close', () => routed(res.headersSent ? res.statusCode : undefined, this.ownAnswers.has(res)));
    const inst = world.instances.get(reg.targetId);
    if (!inst || !reachable(world, nodeEp, { subnetId: inst.subnetId, ip: inst.privateIpAddress }, reg.port)) {
      req.resume();
      timers.after(timings.lbConnectTimeoutMs, () => this.fail(res, 504, reg.targetId, 'connect timeout (network)'));
      return;
    }
    if (inst.port === undefined) return this.fail(res, 502, reg.targetId, 'connection refused');
    forwardHttp(req, res, {
      agents: this.agents,
      targetId: reg.targetId,
      port: inst.port,
      forwardedPort: this.listener.port,
      forwardedProto: this.listener.protocol.toLowerCase(),
      idleTimeoutMs: this.ctx.timings.lbIdleTimeoutMs,
      fail: (status, detail) => this.fail(res, status, reg.targetId, detail),
    });
  }

  /** An answer the load balancer itself gives (not the target): recorded as ground truth. */
  private fail(res: ServerResponse, status: number, targetId: string | undefined, detail: string): void {
    if (res.headersSent || res.destroyed) return;
    this.ownAnswers.add(res);
    this.ctx.cloudwatch.lbMetrics.loadBalancerAnswered(this.listener.loadBalancerArn, status);
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

function requestFacts(req: IncomingMessage): RequestFacts {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawHost = req.headers.host ?? '';
  // Host without its port; an IPv6 literal keeps its brackets.
  const host = rawHost.startsWith('[') ? rawHost.slice(0, rawHost.indexOf(']') + 1) : rawHost.replace(/:\d+$/, '');
  return { host, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1), method: req.method ?? 'GET', headers: req.headers, sourceIp: PUBLIC_CLIENT.ip };
}
