/**
 * ELBv2 (awsQuery 2015-12-01) result XML for load balancers, target groups, listeners and target health.
 * Element names follow the botocore model one-to-one.
 */
import type { Listener, LoadBalancer, TargetGroup, TargetRegistration } from '../world/types.js';
import { el, esc, list, node } from './xml.js';

const m = 'member' as const;

/**
 * The API speaks whole seconds; the fast profile keeps fractional ones internally (profiles.ts), shown
 * rounded up and never below 1.
 */
export function wholeSeconds(x: number): number {
  return Math.max(1, Math.ceil(x));
}

/**
 * Interval and timeout as whole seconds that still keep AWS's rule timeout < interval (the fast
 * profile's 0.5 s / 0.3 s would both round to 1): the timeout rounds up, the interval is at least one
 * second more. Real settings are integers with timeout < interval, so they show unchanged.
 */
export function healthCheckSeconds(hc: { intervalSeconds: number; timeoutSeconds: number }): { interval: number; timeout: number } {
  const timeout = wholeSeconds(hc.timeoutSeconds);
  return { interval: Math.max(wholeSeconds(hc.intervalSeconds), timeout + 1), timeout };
}

export function loadBalancerXml(lb: LoadBalancer): string {
  return (
    el('LoadBalancerArn', lb.loadBalancerArn) +
    el('DNSName', lb.dnsName) +
    el('CanonicalHostedZoneId', lb.canonicalHostedZoneId) +
    el('CreatedTime', lb.createdTime) +
    el('LoadBalancerName', lb.loadBalancerName) +
    el('Scheme', lb.scheme) +
    el('VpcId', lb.vpcId) +
    node('State', el('Code', lb.state)) +
    el('Type', lb.type) +
    list('AvailabilityZones', lb.availabilityZones, (z) => el('ZoneName', z.zoneName) + el('SubnetId', z.subnetId) + '<LoadBalancerAddresses/>', m) +
    list('SecurityGroups', lb.securityGroups, (g) => esc(g), m) +
    el('IpAddressType', lb.ipAddressType)
  );
}

export function targetGroupXml(tg: TargetGroup): string {
  const hc = tg.healthCheck;
  const shown = healthCheckSeconds(hc);
  return (
    el('TargetGroupArn', tg.targetGroupArn) +
    el('TargetGroupName', tg.targetGroupName) +
    el('Protocol', tg.protocol) +
    el('Port', tg.port) +
    el('VpcId', tg.vpcId) +
    el('HealthCheckProtocol', hc.protocol) +
    el('HealthCheckPort', hc.port) +
    el('HealthCheckEnabled', hc.enabled) +
    el('HealthCheckIntervalSeconds', shown.interval) +
    el('HealthCheckTimeoutSeconds', shown.timeout) +
    el('HealthyThresholdCount', hc.healthyThresholdCount) +
    el('UnhealthyThresholdCount', hc.unhealthyThresholdCount) +
    el('HealthCheckPath', hc.path) +
    node('Matcher', el('HttpCode', hc.matcher)) +
    list('LoadBalancerArns', tg.loadBalancerArns, (a) => esc(a), m) +
    el('TargetType', tg.targetType) +
    el('ProtocolVersion', 'HTTP1') +
    el('IpAddressType', 'ipv4')
  );
}

export function listenerXml(l: Listener): string {
  return (
    el('ListenerArn', l.listenerArn) +
    el('LoadBalancerArn', l.loadBalancerArn) +
    el('Port', l.port) +
    el('Protocol', l.protocol) +
    list(
      'DefaultActions',
      l.defaultActions,
      (a) =>
        el('Type', a.type) +
        el('TargetGroupArn', a.targetGroupArn) +
        node(
          'ForwardConfig',
          list('TargetGroups', [a.targetGroupArn], (arn) => el('TargetGroupArn', arn) + el('Weight', 1), m),
          node('TargetGroupStickinessConfig', el('Enabled', false)),
        ),
      m,
    )
  );
}

export function attributesXml(attrs: Map<string, string>): string {
  return list(
    'Attributes',
    [...attrs.entries()].sort(([a], [b]) => a.localeCompare(b)),
    ([k, v]) => el('Key', k) + el('Value', v),
    m,
  );
}

/** HealthCheckPort: traffic-port resolves to the target's own port, as DescribeTargetHealth reports it. */
export function targetHealthXml(tg: TargetGroup, reg: Pick<TargetRegistration, 'targetId' | 'port' | 'state' | 'reason' | 'description'>): string {
  const hcPort = tg.healthCheck.port === 'traffic-port' ? String(reg.port) : tg.healthCheck.port;
  return (
    node('Target', el('Id', reg.targetId), el('Port', reg.port)) +
    el('HealthCheckPort', hcPort) +
    node('TargetHealth', el('State', reg.state), el('Reason', reg.reason), el('Description', reg.description))
  );
}
