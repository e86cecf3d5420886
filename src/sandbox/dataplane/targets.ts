/**
 * Which targets a load balancer routes to, and the ground-truth record of every change to that set.
 *
 * ALB rules (ELB user guide, "Health checks for your target groups"): requests go to healthy targets; if no
 * target is healthy, the load balancer FAILS OPEN and routes to every registered target regardless of
 * health. Draining targets get no new requests; with nothing registered the answer is 503.
 */
import type { TargetRegistration } from '../world/types.js';
import type { SandboxEvent } from '../world/events.js';
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

/** A target group's routing, kept up to date from its target-health events (O(1) per event, O(1) per request). */
interface GroupRouting {
  /** The World's registration map it mirrors (a deleted and recreated group is a new map: rebuilt). */
  registrations: Map<string, TargetRegistration>;
  /** Registrations seen: a mismatch with the map's size means a change without an event (rebuilt). */
  size: number;
  healthy: Set<string>;
  /** Registered in a state that counts for fail-open (a superset of `healthy`). */
  failOpenEligible: Set<string>;
  /** Bumped whenever the routing (its targets or fail-open) changes. */
  version: number;
  /** The routing at `routingVersion`, built on first use after a change. */
  routing: Routing | undefined;
  routingVersion: number;
}

/**
 * Which targets each load balancer routes to, and the ground-truth record of every change to that set: an
 * `lb-routing` 'targets' event whenever it changes, per (load balancer, target group), so tests can line a
 * client's error window up with what the LB really did.
 *
 * At scale (issue 13: 1,000 targets) the routing must not be recomputed from every registration on each request
 * or each health transition: each group's healthy and fail-open sets are kept from its `target-health` events
 * (`note`), the routable list is rebuilt only after a change, and a request reads the cached one.
 */
export class RoutingTracker {
  private readonly groups = new Map<string, GroupRouting>();
  /** Per (load balancer, target group): the group's routing version last announced. */
  private readonly announced = new Map<string, number>();

  constructor(private readonly world: World) {}

  /** Follows one World event: a target's health transition changes its group's sets. */
  note(e: SandboxEvent): void {
    if (e.type !== 'target-health') return;
    const g = this.groups.get(e.targetGroupArn);
    if (!g) return; // built from the World on first use
    const reg = g.registrations.get(e.targetId);
    const live = reg !== undefined && e.to !== null;
    if (e.from === null && live) g.size++;
    else if (e.to === null) g.size--;
    const wasHealthy = g.healthy.has(e.targetId);
    const wasEligible = g.failOpenEligible.has(e.targetId);
    const healthy = live && reg.state === 'healthy';
    const eligible = live && FAIL_OPEN_STATES.has(reg.state);
    if (healthy) g.healthy.add(e.targetId);
    else g.healthy.delete(e.targetId);
    if (eligible) g.failOpenEligible.add(e.targetId);
    else g.failOpenEligible.delete(e.targetId);
    // Routed to: the healthy targets, or (none healthy) every eligible one. A change to the eligible set
    // matters only while no target is healthy (before or after this one).
    if (wasHealthy !== healthy || (g.healthy.size === 0 && wasEligible !== eligible)) g.version++;
  }

  current(loadBalancerArn: string, targetGroupArn: string | undefined): Routing {
    if (!targetGroupArn) return { targets: [], failOpen: false };
    const g = this.group(targetGroupArn);
    if (!g.routing || g.routingVersion !== g.version) {
      const failOpen = g.healthy.size === 0 && g.failOpenEligible.size > 0;
      const ids = failOpen ? g.failOpenEligible : g.healthy;
      g.routing = { targets: [...ids].map((id) => g.registrations.get(id)!), failOpen };
      g.routingVersion = g.version;
    }
    const slot = `${loadBalancerArn}|${targetGroupArn}`;
    if (this.announced.get(slot) !== g.version) {
      this.announced.set(slot, g.version);
      const routable = g.routing.targets.map((t) => t.targetId).sort();
      this.world.emit({ type: 'lb-routing', loadBalancerArn, change: 'targets', routable, failOpen: g.routing.failOpen });
    }
    return g.routing;
  }

  forget(loadBalancerArn: string): void {
    for (const k of this.announced.keys()) if (k.startsWith(`${loadBalancerArn}|`)) this.announced.delete(k);
  }

  /** The group's routing state, (re)built from the World when unknown or out of step with it. */
  private group(targetGroupArn: string): GroupRouting {
    const registrations = this.world.targetsOf(targetGroupArn);
    const known = this.groups.get(targetGroupArn);
    if (known && known.registrations === registrations && known.size === registrations.size) return known;
    const all = [...registrations.values()];
    const g: GroupRouting = {
      registrations,
      size: registrations.size,
      healthy: new Set(all.filter((t) => t.state === 'healthy').map((t) => t.targetId)),
      failOpenEligible: new Set(all.filter((t) => FAIL_OPEN_STATES.has(t.state)).map((t) => t.targetId)),
      // A rebuilt group starts a new version line: whatever was announced for it is announced again.
      version: (known?.version ?? 0) + 1,
      routing: undefined,
      routingVersion: 0,
    };
    this.groups.set(targetGroupArn, g);
    return g;
  }
}
