/**
 * Classic Elastic Load Balancing (awsQuery 2012-06-01) result XML. Element names follow the API reference
 * one-to-one: LoadBalancerDescription
 * (https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html),
 * HealthCheck, InstanceState.
 */
import type { ClassicHealthCheck, ClassicInstanceHealth, ClassicLoadBalancer } from '../world/classic-types.js';
import { el, esc, list, node } from './xml.js';

const m = 'member' as const;

export function healthCheckXml(hc: ClassicHealthCheck): string {
  return el('Target', hc.target) + el('Interval', hc.interval) + el('Timeout', hc.timeout) + el('UnhealthyThreshold', hc.unhealthyThreshold) + el('HealthyThreshold', hc.healthyThreshold);
}

export function instanceStateXml(s: Pick<ClassicInstanceHealth, 'instanceId' | 'state' | 'reasonCode' | 'description'>): string {
  return el('InstanceId', s.instanceId) + el('State', s.state) + el('ReasonCode', s.reasonCode) + el('Description', s.description);
}

export function instancesXml(lb: ClassicLoadBalancer): string {
  return list('Instances', lb.instances.keys(), (id) => el('InstanceId', id), m);
}

export function classicLoadBalancerXml(lb: ClassicLoadBalancer, ownerAlias: string): string {
  return (
    el('LoadBalancerName', lb.loadBalancerName) +
    el('DNSName', lb.dnsName) +
    el('CanonicalHostedZoneName', lb.scheme === 'internal' ? undefined : lb.dnsName) +
    el('CanonicalHostedZoneNameID', lb.canonicalHostedZoneNameId) +
    list(
      'ListenerDescriptions',
      lb.listeners,
      (l) =>
        node('Listener', el('Protocol', l.protocol) + el('LoadBalancerPort', l.loadBalancerPort) + el('InstanceProtocol', l.instanceProtocol) + el('InstancePort', l.instancePort)) +
        '<PolicyNames/>',
      m,
    ) +
    node('Policies', '<AppCookieStickinessPolicies/><LBCookieStickinessPolicies/><OtherPolicies/>') +
    '<BackendServerDescriptions/>' +
    list('AvailabilityZones', lb.subnets, (s) => esc(s.zoneName), m) +
    list('Subnets', lb.subnets, (s) => esc(s.subnetId), m) +
    el('VPCId', lb.vpcId) +
    instancesXml(lb) +
    node('HealthCheck', healthCheckXml(lb.healthCheck)) +
    node('SourceSecurityGroup', el('OwnerAlias', ownerAlias) + el('GroupName', 'default')) +
    list('SecurityGroups', lb.securityGroups, (g) => esc(g), m) +
    el('CreatedTime', lb.createdTime) +
    el('Scheme', lb.scheme)
  );
}
