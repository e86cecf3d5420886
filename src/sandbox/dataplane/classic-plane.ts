/**
 * The Classic Load Balancers' data plane: one proxy per HTTP listener (classic-proxy.ts) and the health
 * checks (classic-health-checker.ts). Started and stopped with the rest of the data plane (index.ts).
 */
import type { ClassicDataPlaneApi, SandboxContext } from '../context.js';
import type { ClassicListener } from '../world/classic-types.js';
import { ClassicHealthChecker } from './classic-health-checker.js';
import { ClassicProxy } from './classic-proxy.js';

export class ClassicDataPlane implements ClassicDataPlaneApi {
  readonly healthChecker: ClassicHealthChecker;
  private readonly proxies = new Map<string, ClassicProxy[]>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly ctx: SandboxContext) {
    this.healthChecker = new ClassicHealthChecker(ctx);
  }

  start(): void {
    this.unsubscribe = this.ctx.world.subscribe((e) => {
      if (e.type === 'instance-state' && e.from === 'running') for (const list of this.proxies.values()) for (const p of list) p.dropAgent(e.instanceId);
    });
    this.healthChecker.sync();
    this.ctx.timers.every(1000, () => {
      for (const list of this.proxies.values()) for (const p of list) p.stats.flush();
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.healthChecker.stop();
    await Promise.all([...this.proxies.keys()].map((name) => this.closeAll(name)));
  }

  async openListener(loadBalancerName: string, listener: ClassicListener): Promise<number> {
    const proxy = new ClassicProxy(this.ctx, loadBalancerName, listener);
    const list = this.proxies.get(loadBalancerName) ?? [];
    list.push(proxy);
    this.proxies.set(loadBalancerName, list);
    return proxy.open();
  }

  async closeAll(loadBalancerName: string): Promise<void> {
    const list = this.proxies.get(loadBalancerName) ?? [];
    this.proxies.delete(loadBalancerName);
    await Promise.all(list.map((p) => p.close()));
  }

  sync(): void {
    this.healthChecker.sync();
  }
}
