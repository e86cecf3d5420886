/**
 * One listener of a Network Load Balancer: a TCP proxy per load balancer node, each on the node's own
 * loopback address, all on the listener's one port ("Network Load Balancers", NLB user guide:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html).
 *
 * What it plays:
 * - TCP listener = pass-through: the node opens the client's connection to ONE target and relays bytes;
 *   a client is served only once that connection to a target succeeded. (Linux completes the client's
 *   handshake before user space sees it, so the sandbox cannot withhold the SYN-ACK itself: a client whose
 *   target connection fails gets a TCP RST right after connecting, its first read or write fails.)
 * - TLS listener: the node terminates TLS with the listener's certificate (chosen by SNI, the first is the
 *   default), then opens plain TCP to the target ("TLS listeners for your Network Load Balancer",
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-tls-listener.html).
 * - Which target: nlb-zones.ts (its own AZ's healthy targets with cross-zone off, the default; fail-open).
 *   A node whose zone has no healthy target while others do is out of DNS (an `lb-dns` event); a client
 *   that still connects to it (a cached or pinned address) gets a reset.
 * - "If a target becomes unhealthy, the load balancer sends a TCP RST for packets received on the client
 *   connections associated with the target, unless the unhealthy target triggers the load balancer to fail
 *   open" (target-group-health-checks.html): connections to a target that leaves routing are reset.
 * - Client → node dropped by a NACL: no answer from that address; node → target dropped: the target never
 *   answers, the client is reset after lbConnectTimeoutMs.
 */
import { connect, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { SandboxContext } from '../context.js';
import type { Listener, LoadBalancer } from '../world/types.js';
import { TrafficStats } from './lb-stats.js';
import { nodeIp, PUBLIC_CLIENT, reachable } from './network.js';
import { dnsNodes, listenerTargetGroup, nodeTargets, type NlbNode } from './nlb-zones.js';
import { NodeFronts } from './node-fronts.js';
import { wildcardMatch } from './rules.js';
import { streamOver } from './tls-over-socket.js';

interface Relay {
  targetId: string;
  /** What bytes are relayed with: the TCP socket, or the TLS session on it. */
  client: Socket;
  /** The client's TCP connection (the one a reset goes to). */
  raw: Socket;
  upstream?: Socket;
}

export class NlbListenerProxy {
  readonly stats: TrafficStats;
  private readonly fronts = new NodeFronts((socket) => this.accept(socket), true);
  private readonly sockets = new Set<Socket>();
  private readonly relays = new Set<Relay>();
  private readonly contexts = new Map<string, SecureContext>();
  private targetTurn = 0;
  private lastDns = '';

  constructor(
    private readonly ctx: SandboxContext,
    readonly listener: Listener,
  ) {
    this.stats = new TrafficStats(ctx.world, listener.loadBalancerArn);
  }

  private get lb(): LoadBalancer | undefined {
    return this.ctx.world.loadBalancers.get(this.listener.loadBalancerArn);
  }

  async open(): Promise<number> {
    const addresses = (this.lb?.availabilityZones ?? []).map((z) => z.nodeAddress);
    const port = await this.fronts.open(addresses);
    this.refreshRouting();
    return port;
  }

  async close(): Promise<void> {
    this.stats.flush(true);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.relays.clear();
    await this.fronts.close();
  }

  /**
   * Target health or membership changed: publish a new DNS answer if it changed, and reset the client
   * connections to a target that turned unhealthy or left the group.
   */
  refreshRouting(): void {
    const lb = this.lb;
    if (!lb) return;
    const dns = dnsNodes(this.ctx.world, lb);
    const key = `${dns.failOpen}|${dns.nodes.map((n) => n.nodeAddress).join(',')}`;
    if (key !== this.lastDns) {
      this.lastDns = key;
      this.ctx.world.emit({
        type: 'lb-dns',
        loadBalancerArn: lb.loadBalancerArn,
        addresses: dns.nodes.map((n) => n.nodeAddress),
        zones: dns.nodes.map((n) => n.zoneName),
        failOpen: dns.failOpen,
      });
    }
    const tg = listenerTargetGroup(this.listener);
    if (!tg) return;
    const regs = this.ctx.world.targetsOf(tg);
    const anyHealthy = [...regs.values()].some((t) => t.state === 'healthy');
    for (const r of this.relays) {
      // Unhealthy (unless the group fails open) or gone: RST. A draining target keeps its open flows until
      // the deregistration delay is over and it leaves the group (deregistration_delay.* attributes).
      const reg = regs.get(r.targetId);
      if (!reg || reg.state === 'unused' || (reg.state === 'unhealthy' && anyHealthy)) this.reset(r, 'target unhealthy or gone');
    }
  }

  /** The instance stopped running: its connections die with it (the proxy resets the client side). */
  dropAgent(targetId: string): void {
    for (const r of this.relays) if (r.targetId === targetId) this.reset(r, 'target instance stopped');
  }

  private nodeFor(localAddress: string | undefined): NlbNode | undefined {
    return this.lb?.availabilityZones.find((n) => n.nodeAddress === localAddress);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const node = this.nodeFor(socket.localAddress);
    const reachableNode = node && reachable(this.ctx.world, PUBLIC_CLIENT, { subnetId: node.subnetId, ip: nodeIp(this.ctx.world, node.subnetId) }, this.listener.port);
    if (!node || !reachableNode) {
      // The client's packets are dropped: nothing answers until the connection is given up. What it sends is
      // read and thrown away, so that closing does not turn into a reset (unread data makes Linux send RST).
      socket.resume();
      this.ctx.timers.after(this.ctx.timings.lbIdleTimeoutMs, () => socket.destroy());
      return;
    }
    if (this.listener.protocol !== 'TLS') return this.relay(socket, socket, node);
    // TLS listener: the node completes the TLS handshake itself, then relays the plaintext to a target.
    // Over a stream, not the socket itself: so that the socket can still be reset (tls-over-socket.ts).
    const tls = new TLSSocket(streamOver(socket), { isServer: true, ...this.tlsOptions() });
    tls.on('error', () => socket.destroy());
    tls.once('secure', () => this.relay(tls, socket, node));
  }

  /** Opens the node's connection to a target; the client is served only once it succeeded. */
  private relay(client: Socket, raw: Socket, node: NlbNode): void {
    const { world, timers, timings } = this.ctx;
    const finish = this.stats.begin();
    const lb = this.lb;
    const tg = listenerTargetGroup(this.listener);
    const { targets } = lb && tg ? nodeTargets(world, lb, tg, node.zoneName) : { targets: [] };
    if (!targets.length) {
      finish('reset');
      this.error(undefined, `no healthy target in ${node.zoneName} (zone out of DNS)`);
      resetOrClose(raw);
      return;
    }
    const reg = targets[this.targetTurn++ % targets.length]!;
    const r: Relay = { targetId: reg.targetId, client, raw };
    this.relays.add(r);
    client.once('close', () => {
      this.relays.delete(r);
      r.upstream?.destroy();
    });
    const inst = world.instances.get(reg.targetId);
    const nodeEp = { subnetId: node.subnetId, ip: nodeIp(world, node.subnetId) };
    if (!inst || !reachable(world, nodeEp, { subnetId: inst.subnetId, ip: inst.privateIpAddress }, reg.port)) {
      // The target never answers the node's SYN: the client waits, then is given up on.
      timers.after(timings.lbConnectTimeoutMs, () => {
        finish('reset');
        this.error(reg.targetId, 'connect timeout (network)');
        this.reset(r, 'connect timeout');
      });
      return;
    }
    if (inst.port === undefined) {
      finish('reset');
      this.error(reg.targetId, 'connection refused');
      return this.reset(r, 'connection refused');
    }
    const upstream = connect({ host: '127.0.0.1', port: inst.port });
    r.upstream = upstream;
    upstream.once('connect', () => {
      finish('connected');
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      finish('reset');
      this.error(reg.targetId, err.code ?? err.message);
      this.reset(r, 'target connection failed');
    });
    upstream.once('close', () => client.destroy());
  }

  /** A TCP RST to the client (for a TLS listener: under the TLS session), and the target side closed. */
  private reset(r: Relay, _why: string): void {
    this.relays.delete(r);
    r.upstream?.destroy();
    resetOrClose(r.raw);
    r.client.destroy();
  }

  private error(targetId: string | undefined, detail: string): void {
    this.ctx.world.emit({ type: 'lb-routing', loadBalancerArn: this.listener.loadBalancerArn, change: 'error', ...(targetId ? { targetId } : {}), detail });
  }

  private tlsOptions(): { SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void; secureContext?: SecureContext } {
    const certs = (this.listener.certificateArns ?? []).map((arn) => this.ctx.world.certificates.get(arn)).filter((c) => c !== undefined);
    const contextOf = (c: (typeof certs)[number]): SecureContext => {
      let sc = this.contexts.get(c.certificateArn);
      if (!sc) this.contexts.set(c.certificateArn, (sc = createSecureContext({ cert: c.certPem, key: c.keyPem })));
      return sc;
    };
    const first = certs[0];
    return {
      ...(first ? { secureContext: contextOf(first) } : {}),
      SNICallback: (name, cb) => {
        const c = certs.find((x) => wildcardMatch(x.domainName, name, true)) ?? first;
        if (!c) return cb(new Error('no certificate'));
        cb(null, contextOf(c));
      },
    };
  }
}

/**
 * An RST to the client while the node's sending side is open. Once the node has ended it (the target ended
 * the response: FIN sent or being sent), libuv refuses the RST (EINVAL: no reset during a shutdown), and Node
 * then marks the socket closing without closing it: it stays open, and the process can never exit (its
 * teardown waits on that socket forever, spinning a core). The client has the whole response and its FIN
 * already; a reset would add nothing it could tell apart, so it gets a close.
 */
function resetOrClose(raw: Socket): void {
  if (raw.writableEnded) raw.destroy();
  else if (!raw.destroyed) raw.resetAndDestroy();
}
