/**
 * Which targets a load balancer routes to, and the ground-truth record of every change to that set.
 *
 * ALB rules (ELB user guide, "Health checks for your target groups"): requests go to healthy targets; if no
 * target is healthy, the load balancer FAILS OPEN and routes to every registered target regardless of
 * health. Draining targets get no new requests; with nothing registered the answer is 503.
 */
import type { TargetRegistration } from '../world/types.js';
import type { World } from '../world/world.js';

export interface Routing {
  targets: TargetRegistration[];
  failOpen: boolean;
}

/** States that still count as registered for fail-open (not leaving, not an unusable instance). */
const FAIL_OPEN_STATES = new Set(['initial', 'healthy', 'unhealthy']);

export function routableTargets(world: World, targetGroupArn: string | undefined): Routing {
  if (!targetGroupArn) return { targets: [], failOpen: false };
  const all = [...(world.targets.get(targetGroupArn)?.values() ?? [])];
  const healthy = all.filter((t) => t.state === 'healthy');
  if (healthy.length > 0) return { targets: healthy, failOpen: false };
  const registered = all.filter((t) => FAIL_OPEN_STATES.has(t.state));
  return { targets: registered, failOpen: registered.length > 0 };
}

/**
 * Remembers the last routing set per (load balancer, target group) and emits an `lb-routing` 'targets'
 * event whenever it changes, so tests can line a client's error window up with what the LB really did.
 */
export class RoutingTracker {
  private readonly last = new Map<string, string>();

  constructor(private readonly world: World) {}

  current(loadBalancerArn: string, targetGroupArn: string | undefined): Routing {
    const routing = routableTargets(this.world, targetGroupArn);
    const ids = routing.targets.map((t) => t.targetId).sort();
    const key = `${routing.failOpen}|${ids.join(',')}`;
    const slot = `${loadBalancerArn}|${targetGroupArn ?? ''}`;
    if (this.last.get(slot) !== key) {
      this.last.set(slot, key);
      this.world.emit({ type: 'lb-routing', loadBalancerArn, change: 'targets', routable: ids, failOpen: routing.failOpen });
    }
    return routing;
  }

  forget(loadBalancerArn: string): void {
    for (const k of this.last.keys()) if (k.startsWith(`${loadBalancerArn}|`)) this.last.delete(k);
  }
}
