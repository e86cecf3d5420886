/**
 * ELBv2 load balancers: CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer. Only Application
 * Load Balancers are modelled. Their DNSName has AWS's shape (`<name>-<digits>.<region>.elb.amazonaws.com`,
 * `internal-` in front for Scheme internal) and, like a real one seen from outside AWS's DNS, resolves
 * nowhere here: the nodes answer on loopback addresses (the node interfaces' Association.PublicIp, or
 * PrivateIpAddress when internal), which a client pins with curl-style `--resolve` (GET /_sandbox/stack).
 */
import { randomInt } from 'node:crypto';
import type { ApiContext } from '../context.js';
import type { LoadBalancer } from '../world/types.js';
import { ApiError, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { arnPrefix, checkName, hex16, lbNotFound, page } from './elbv2-common.js';
import { closeListenerOf } from './elbv2-listeners.js';
import { loadBalancerXml } from './elbv2-render.js';
import { readTagList } from './elbv2-tags.js';

/**
 * Route 53 hosted zone of ALBs in us-east-1 (ELB endpoints table). The sandbox uses it in every region;
 * nothing resolves it anyway.
 */
const ALB_HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K';

/**
 * `my-alb-1234567890.us-east-1.elb.amazonaws.com`; internal load balancers get `internal-` in front, as AWS
 * names them ("Internal load balancers", ELB user guide). The digits are random, as AWS's are.
 */
function dnsNameFor(name: string, scheme: LoadBalancer['scheme'], region: string): string {
  return `${scheme === 'internal' ? 'internal-' : ''}${name}-${randomInt(1_000_000_000, 2_000_000_000)}.${region}.elb.amazonaws.com`;
}

function subnetIdsParam(p: Params): string[] {
  const plain = p.members('Subnets');
  const mapped = p.structs('SubnetMappings.member').map((s) => s.required('SubnetId'));
  return [...plain, ...mapped];
}

function placement(ctx: ApiContext, subnetIds: string[]): { vpcId: string; zones: LoadBalancer['availabilityZones'] } {
  if (!subnetIds.length) throw validationError('At least two subnets in two different Availability Zones must be specified');
  const zones: LoadBalancer['availabilityZones'] = [];
  let vpcId: string | undefined;
  for (const id of subnetIds) {
    const s = ctx.world.subnets.get(id);
    if (!s) throw new ApiError('SubnetNotFound', `The subnet ID '${id}' is not valid`);
    if (vpcId && s.vpcId !== vpcId) throw new ApiError('InvalidConfigurationRequest', 'The subnets must all belong to the same VPC');
    vpcId = s.vpcId;
    if (zones.some((z) => z.zoneName === s.availabilityZone)) {
      throw new ApiError('InvalidConfigurationRequest', 'A load balancer cannot be attached to multiple subnets in the same Availability Zone');
    }
    zones.push({ zoneName: s.availabilityZone, subnetId: s.subnetId, nodeAddress: '' });
  }
  // An Application Load Balancer needs subnets in at least two AZs (CreateLoadBalancer API reference).
  if (zones.length < 2) throw validationError('At least two subnets in two different Availability Zones must be specified');
  return { vpcId: vpcId!, zones: zones.sort((a, b) => a.zoneName.localeCompare(b.zoneName)) };
}

function oneOf<T extends string>(p: Params, name: string, allowed: readonly T[], fallback: T): T {
  const v = p.str(name);
  if (v === undefined || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw validationError(
      `1 validation error detected: Value '${v}' at '${name.charAt(0).toLowerCase() + name.slice(1)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return v as T;
}

const create: Handler = (p, ctx) => {
  const name = p.required('Name');
  checkName('load balancer', name);
  const type = oneOf(p, 'Type', ['application', 'network', 'gateway'] as const, 'application');
  if (type !== 'application') throw validationError(`Load balancer type '${type}' is not supported by the sandbox; only 'application' is.`);
  const scheme = oneOf(p, 'Scheme', ['internet-facing', 'internal'] as const, 'internet-facing');
  const ipAddressType = oneOf(p, 'IpAddressType', ['ipv4', 'dualstack'] as const, 'ipv4');
  const { vpcId, zones } = placement(ctx, subnetIdsParam(p));
  const tags = readTagList(p);

  const existing = [...ctx.world.loadBalancers.values()].find((l) => l.loadBalancerName === name);
  if (existing) {
    // CreateLoadBalancer is idempotent: the same name with the same settings returns the existing one.
    const same =
      existing.availabilityZones
        .map((z) => z.subnetId)
        .sort()
        .join() ===
        zones
          .map((z) => z.subnetId)
          .sort()
          .join() && existing.scheme === scheme;
    if (!same) throw new ApiError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`);
    return list('LoadBalancers', [existing], loadBalancerXml, 'member');
  }
  // Each node gets its own loopback address, which its listeners' servers bind (see world/loopback.ts).
  for (const z of zones) z.nodeAddress = ctx.world.loopback.next();
  const lb: LoadBalancer = {
    loadBalancerArn: `${arnPrefix(ctx)}:loadbalancer/app/${name}/${hex16()}`,
    loadBalancerName: name,
    dnsName: dnsNameFor(name, scheme, ctx.world.region),
    canonicalHostedZoneId: ALB_HOSTED_ZONE_ID,
    createdTime: new Date(ctx.world.now()),
    scheme,
    vpcId,
    state: 'active',
    type: 'application',
    ipAddressType,
    availabilityZones: zones,
    securityGroups: p.members('SecurityGroups'),
  };
  ctx.world.loadBalancers.set(lb.loadBalancerArn, lb);
  ctx.world.ordinal(lb.loadBalancerArn); // page order = creation order
  for (const t of tags) ctx.world.setTag(lb.loadBalancerArn, t.key, t.value);
  return list('LoadBalancers', [lb], loadBalancerXml, 'member');
};

const describe: Handler = (p, ctx) => {
  const arns = p.members('LoadBalancerArns');
  const names = p.members('Names');
  if (arns.length && names.length) throw validationError('Load balancer names and load balancer ARNs cannot be specified at the same time');
  let lbs = [...ctx.world.loadBalancers.values()];
  if (arns.length) {
    if (arns.some((a) => !ctx.world.loadBalancers.has(a))) throw lbNotFound();
    lbs = lbs.filter((l) => arns.includes(l.loadBalancerArn));
  } else if (names.length) {
    const missing = names.filter((n) => !lbs.some((l) => l.loadBalancerName === n));
    if (missing.length) throw new ApiError('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`);
    lbs = lbs.filter((l) => names.includes(l.loadBalancerName));
  }
  const { items, nextMarkerXml } = page(p, ctx, lbs, (l) => l.loadBalancerArn);
  return list('LoadBalancers', items, loadBalancerXml, 'member') + nextMarkerXml;
};

const remove: Handler = async (p, ctx) => {
  const arn = p.required('LoadBalancerArn');
  const lb = ctx.world.loadBalancers.get(arn);
  // Deleting a load balancer that does not exist (any more) succeeds (DeleteLoadBalancer API reference).
  if (!lb) return '';
  for (const l of [...ctx.world.listeners.values()].filter((x) => x.loadBalancerArn === arn)) await closeListenerOf(ctx, l);
  for (const tg of ctx.world.targetGroups.values()) tg.loadBalancerArns = tg.loadBalancerArns.filter((a) => a !== arn);
  ctx.world.loadBalancers.delete(arn);
  ctx.world.tags.delete(arn);
  return '';
};

export const LOAD_BALANCER_HANDLERS: Record<string, Handler> = {
  CreateLoadBalancer: create,
  DescribeLoadBalancers: describe,
  DeleteLoadBalancer: remove,
};
