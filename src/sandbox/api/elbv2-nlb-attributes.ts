/**
 * Load balancer attributes: DescribeLoadBalancerAttributes, ModifyLoadBalancerAttributes, and what a Network
 * Load Balancer is created with. The one that changes routing is `load_balancing.cross_zone.enabled`:
 * "With Network Load Balancers, cross-zone load balancing is off by default at the load balancer level, but
 * you can turn it on at any time. For target groups, the default is to use the load balancer setting"
 * ("Cross-zone load balancing for target groups", NLB user guide:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-cross-zone.html).
 * An Application Load Balancer's cross-zone load balancing is always on and cannot be turned off
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html).
 */
import { randomBytes } from 'node:crypto';
import { CROSS_ZONE } from '../dataplane/nlb-zones.js';
import type { LoadBalancer } from '../world/types.js';
import { missingParameter, validationError } from './errors.js';
import type { Handler } from './router.js';
import { requireLb } from './elbv2-common.js';
import { attributesXml } from './elbv2-render.js';

/** Route 53 hosted zone of Network Load Balancers in us-east-1 (ELB endpoints table); nothing resolves it. */
export const NLB_HOSTED_ZONE_ID = 'Z26RNL4JYFTOTI';

/**
 * `my-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com`: an NLB's name carries a hex id and `elb` before the
 * region (an ALB's is `<name>-<digits>.<region>.elb.amazonaws.com`); internal ones get `internal-` in front.
 * Like the ALB's, it resolves nowhere here: clients pin the nodes' addresses (GET /_sandbox/stack).
 */
export function nlbDnsName(name: string, scheme: LoadBalancer['scheme'], region: string): string {
  return `${scheme === 'internal' ? 'internal-' : ''}${name}-${randomBytes(8).toString('hex')}.elb.${region}.amazonaws.com`;
}

/** A Network Load Balancer may be enabled in a single AZ (CreateLoadBalancer API reference, Subnets). */
export const NLB_MIN_ZONES = 1;

/** The attributes an NLB starts with (DescribeLoadBalancerAttributes on a new NLB; the routing one first). */
export function nlbDefaultAttributes(): Map<string, string> {
  return new Map([
    [CROSS_ZONE, 'false'],
    ['deletion_protection.enabled', 'false'],
    ['access_logs.s3.enabled', 'false'],
    ['access_logs.s3.bucket', ''],
    ['access_logs.s3.prefix', ''],
    ['ipv6.deny_all_igw_traffic', 'false'],
    ['dns_record.client_routing_policy', 'any_availability_zone'],
  ]);
}

/** What an ALB reports: the sandbox keeps no ALB attributes, so these are AWS's defaults, read-only. */
function albAttributes(): Map<string, string> {
  return new Map([
    ['deletion_protection.enabled', 'false'],
    ['idle_timeout.timeout_seconds', '60'],
    ['routing.http2.enabled', 'true'],
    [CROSS_ZONE, 'true'],
  ]);
}

const describe: Handler = (p, ctx) => {
  const lb = requireLb(ctx, p.required('LoadBalancerArn'));
  return attributesXml(lb.attributes ?? albAttributes());
};

const modify: Handler = (p, ctx) => {
  const lb = requireLb(ctx, p.required('LoadBalancerArn'));
  const changes = p.structs('Attributes.member').map((a) => ({ key: a.required('Key'), value: a.str('Value') ?? '' }));
  if (!changes.length) throw missingParameter('Attributes');
  if (!lb.attributes) throw validationError('The sandbox keeps no attributes for Application Load Balancers; their defaults are read-only');
  for (const { key, value } of changes) {
    if (!lb.attributes.has(key)) throw validationError(`Load balancer attribute key '${key}' is not recognized`);
    if (key.endsWith('.enabled') && value !== 'true' && value !== 'false') {
      throw validationError(`Load balancer attribute value '${value}' for '${key}' is not valid: it must be 'true' or 'false'`);
    }
  }
  for (const { key, value } of changes) lb.attributes.set(key, value);
  // Cross-zone on/off changes which zones stay in DNS and which targets each node may use: now, not at the next health change.
  ctx.dataplane.refreshRouting?.();
  return attributesXml(lb.attributes);
};

export const LOAD_BALANCER_ATTRIBUTE_HANDLERS: Record<string, Handler> = {
  DescribeLoadBalancerAttributes: describe,
  ModifyLoadBalancerAttributes: modify,
};
