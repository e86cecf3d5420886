/**
 * Which targets a Network Load Balancer node routes to, and which nodes its DNS name answers with. Pure:
 * reads the World. AWS's rules:
 * - "By default, each load balancer node routes requests only to the healthy targets in its Availability
 *   Zone. If you enable cross-zone load balancing, each load balancer node routes requests to the healthy
 *   targets in all enabled Availability Zones." and "If a target group contains no healthy targets in an
 *   enabled Availability Zone, we remove the IP address for the corresponding subnet from DNS … If there are
 *   no healthy targets in all enabled Availability Zones at the same time, the load balancer fails open."
 *   ("Health checks for Network Load Balancer target groups",
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html)
 * - With cross-zone on, a zone stays in DNS while each target group has a healthy target in ANY zone;
 *   with it off, the zone itself needs a healthy target in each target group ("How do ELB DNS and traffic
 *   flow work with different cross-zone configurations?", AWS Knowledge Center:
 *   https://repost.aws/knowledge-center/elb-dns-cross-zone-balance-configuration).
 * Cross-zone is the target group's setting, else the load balancer's (api/elbv2-nlb-attributes.ts).
 */
import type { Listener, LoadBalancer, TargetGroup, TargetRegistration } from '../world/types.js';
import type { World } from '../world/world.js';

/** The attribute, on load balancers and target groups. */
export const CROSS_ZONE = 'load_balancing.cross_zone.enabled';

/**
 * Is cross-zone load balancing on for traffic from this load balancer to this target group? The target
 * group's own setting wins when it is `true`/`false`; `use_load_balancer_configuration` (the default) defers
 * to the load balancer's. ALBs: always on at the load balancer level.
 */
export function crossZoneEnabled(lb: LoadBalancer, tg: TargetGroup | undefined): boolean {
  const own = tg?.attributes.get(CROSS_ZONE);
  if (own === 'true' || own === 'false') return own === 'true';
  if (lb.type !== 'network') return true;
  return lb.attributes?.get(CROSS_ZONE) === 'true';
}

export type NlbNode = LoadBalancer['availabilityZones'][number];

/** States that still count as registered when the group fails open (not leaving, not an unusable instance). */
const FAIL_OPEN_STATES = new Set(['initial', 'healthy', 'unhealthy']);

/** The one target group an NLB listener forwards to. */
export function listenerTargetGroup(listener: Listener): string | undefined {
  const a = listener.defaultActions.find((x) => x.type === 'forward');
  return a?.type === 'forward' ? a.targetGroups[0]?.targetGroupArn : undefined;
}

function zoneOf(world: World, reg: TargetRegistration): string | undefined {
  return world.instances.get(reg.targetId)?.availabilityZone ?? reg.availabilityZone;
}

/** The groups the load balancer's listeners forward to. */
function groupsOf(world: World, lb: LoadBalancer): string[] {
  const arns = new Set<string>();
  for (const l of world.listeners.values()) {
    if (l.loadBalancerArn !== lb.loadBalancerArn) continue;
    const tg = listenerTargetGroup(l);
    if (tg) arns.add(tg);
  }
  return [...arns];
}

function healthyIn(world: World, tgArn: string): TargetRegistration[] {
  return [...world.targetsOf(tgArn).values()].filter((t) => t.state === 'healthy');
}

/** Does this zone keep its node in DNS for this target group? */
function zoneHealthyFor(world: World, lb: LoadBalancer, tgArn: string, zone: string): boolean {
  const healthy = healthyIn(world, tgArn);
  if (crossZoneEnabled(lb, world.targetGroups.get(tgArn))) return healthy.length > 0;
  return healthy.some((t) => zoneOf(world, t) === zone);
}

export interface DnsAnswer {
  nodes: NlbNode[];
  /** No zone qualifies: the load balancer fails open and DNS answers with every node. */
  failOpen: boolean;
}

/** The nodes the load balancer's DNS name resolves to now, in AZ order. */
export function dnsNodes(world: World, lb: LoadBalancer): DnsAnswer {
  if (lb.type !== 'network') return { nodes: lb.availabilityZones, failOpen: false };
  const groups = groupsOf(world, lb);
  if (!groups.length) return { nodes: lb.availabilityZones, failOpen: false };
  const healthy = lb.availabilityZones.filter((n) => groups.every((tg) => zoneHealthyFor(world, lb, tg, n.zoneName)));
  return healthy.length ? { nodes: healthy, failOpen: false } : { nodes: lb.availabilityZones, failOpen: true };
}

/**
 * The targets a node may open a connection to: healthy ones in its zone (all zones with cross-zone on);
 * none when its zone has none while others do (the zone is out of DNS, a client still arriving gets a
 * reset); every registered one (its zone's first) when the group has no healthy target at all — fail-open.
 */
export function nodeTargets(world: World, lb: LoadBalancer, tgArn: string, zone: string): { targets: TargetRegistration[]; failOpen: boolean } {
  const all = [...world.targetsOf(tgArn).values()];
  const crossZone = crossZoneEnabled(lb, world.targetGroups.get(tgArn));
  const local = (ts: TargetRegistration[]) => (crossZone ? ts : ts.filter((t) => zoneOf(world, t) === zone));
  const healthy = all.filter((t) => t.state === 'healthy');
  if (healthy.length) return { targets: local(healthy), failOpen: false };
  const registered = all.filter((t) => FAIL_OPEN_STATES.has(t.state));
  const mine = local(registered);
  return { targets: mine.length ? mine : registered, failOpen: registered.length > 0 };
}
