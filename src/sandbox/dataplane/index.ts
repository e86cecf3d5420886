/**
 * The sandbox's data plane: real sockets behind the simulated control plane. Instance servers follow EC2
 * state, listener proxies play the ALB, and the health checker moves target health — all driven by World
 * events, and all changes recorded back into the World as ground-truth events.
 */
import type { DataPlaneApi, SandboxContext } from '../context.js';
import type { SandboxEvent } from '../world/events.js';
import type { Listener } from '../world/types.js';
import { ClassicDataPlane } from './classic-plane.js';
import { HealthChecker } from './health-checker.js';
import { InstanceServers } from './instance-servers.js';
import { ListenerProxy } from './load-balancer.js';
import { NlbListenerProxy } from './nlb-proxy.js';
import { RoutingTracker } from './targets.js';

export class DataPlane implements DataPlaneApi {
  readonly instanceServers: InstanceServers;
  readonly healthChecker: HealthChecker;
  /** Classic Load Balancers (API 2012-06-01): their listeners and health checks. */
  readonly classic: ClassicDataPlane;
  private readonly routing: RoutingTracker;
  private readonly proxies = new Map<string, ListenerProxy | NlbListenerProxy>();
  private unsubscribe: (() => void) | undefined;
  private refreshPending = false;

  constructor(readonly ctx: SandboxContext) {
    this.instanceServers = new InstanceServers(ctx);
    this.healthChecker = new HealthChecker(ctx);
    this.routing = new RoutingTracker(ctx.world);
    this.classic = new ClassicDataPlane(ctx);
  }

  start(): void {
    this.instanceServers.start();
    this.unsubscribe = this.ctx.world.subscribe((e) => this.onEvent(e));
    this.healthChecker.sync();
    this.classic.start();
    // Once a second: publish finished traffic seconds, and pick up target groups created or modified.
    this.ctx.timers.every(1000, () => {
      for (const p of this.proxies.values()) p.stats.flush();
      this.healthChecker.sync();
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.healthChecker.stop();
    await this.classic.stop();
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    this.proxies.clear();
    await this.instanceServers.stop();
  }

  async openListener(listener: Listener): Promise<number> {
    await this.closeListener(listener.listenerArn);
    // A Network Load Balancer's listener is a TCP (or TLS-terminating) proxy per node, not an HTTP one.
    const nlb = this.ctx.world.loadBalancers.get(listener.loadBalancerArn)?.type === 'network';
    const proxy = nlb ? new NlbListenerProxy(this.ctx, listener) : new ListenerProxy(this.ctx, listener, this.routing);
    this.proxies.set(listener.listenerArn, proxy);
    return proxy.open();
  }

  async closeListener(listenerArn: string): Promise<void> {
    const proxy = this.proxies.get(listenerArn);
    if (!proxy) return;
    this.proxies.delete(listenerArn);
    await proxy.close();
    if (![...this.proxies.values()].some((p) => p.listener.loadBalancerArn === proxy.listener.loadBalancerArn)) {
      this.routing.forget(proxy.listener.loadBalancerArn);
    }
  }

  refreshRouting(): void {
    for (const p of this.proxies.values()) p.refreshRouting();
  }

  /**
   * Announces routing changes once per turn of the event loop, not once per health transition: a health-check
   * round over 1,000 targets settles hundreds of them in one turn, and each announcement carries the whole
   * routable list (issue 13). A request in between still routes on, and announces, the current set first
   * (RoutingTracker.current), so the record never lags what the load balancer did.
   */
  private refreshSoon(): void {
    if (this.refreshPending) return;
    this.refreshPending = true;
    setImmediate(() => {
      this.refreshPending = false;
      if (!this.ctx.timers.isClosed) this.refreshRouting();
    });
  }

  private onEvent(e: SandboxEvent): void {
    if (e.type === 'target-health') {
      this.routing.note(e);
      if (e.from === null) this.healthChecker.sync(); // a registration may be the first sign of a new group
      this.refreshSoon();
    } else if (e.type === 'instance-state' && e.from === 'running') {
      for (const p of this.proxies.values()) p.dropAgent(e.instanceId);
    }
  }
}
