/**
 * What differs for Network Load Balancer target groups (Protocol TCP, TLS, UDP or TCP_UDP), as the
 * CreateTargetGroup API reference and "Health checks for Network Load Balancer target groups"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html) put it:
 * - HealthCheckProtocol: "For Network Load Balancers … the default is TCP. The TCP protocol is not supported
 *   for health checks if the protocol of the target group is HTTP or HTTPS." TLS, UDP and TCP_UDP are never
 *   health-check protocols; an NLB group may check with HTTP or HTTPS (an HTTP app behind an NLB).
 * - An HTTP(S) check of an NLB group succeeds on 200–399 by default (Matcher.HttpCode).
 * Intervals, timeouts and thresholds keep the sandbox's timing profile, as ALB groups do: AWS's own
 * registration of NLB targets can take minutes, which the fast profile deliberately does not copy.
 */
import type { HealthCheckSettings, TargetGroup } from '../world/types.js';
import { validationError } from './errors.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP'] as const;
const NLB_PROTOCOLS = new Set<string>(['TCP', 'TLS', 'UDP', 'TCP_UDP']);

export function isTargetGroupProtocol(p: string): p is TargetGroup['protocol'] {
  return (PROTOCOLS as readonly string[]).includes(p);
}

/** A Network Load Balancer's kind of group. */
export function isNlbProtocol(p: string): boolean {
  return NLB_PROTOCOLS.has(p);
}

/** Defaults that differ from an ALB group's: a TCP check for an NLB group; none otherwise. */
export function nlbHealthCheckDefaults(protocol: TargetGroup['protocol']): Partial<HealthCheckSettings> {
  return isNlbProtocol(protocol) ? { protocol: 'TCP', matcher: '200-399' } : {};
}

/**
 * An NLB group's attributes ("Edit target group attributes for your Network Load Balancer",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html, and the
 * TargetGroupAttribute API reference): source_ip stickiness instead of lb_cookie, client IP preservation on
 * for instance targets, proxy protocol v2 off, open flows kept through deregistration and unhealthiness.
 * The deregistration delay keeps the sandbox profile's value, as ALB groups do.
 */
export function nlbTargetGroupAttributes(deregistrationDelaySeconds: number): Map<string, string> {
  return new Map([
    ['deregistration_delay.timeout_seconds', String(deregistrationDelaySeconds)],
    ['deregistration_delay.connection_termination.enabled', 'false'],
    ['stickiness.enabled', 'false'],
    ['stickiness.type', 'source_ip'],
    ['preserve_client_ip.enabled', 'true'],
    ['proxy_protocol_v2.enabled', 'false'],
    ['load_balancing.cross_zone.enabled', 'use_load_balancer_configuration'],
    ['target_health_state.unhealthy.connection_termination.enabled', 'true'],
    ['target_group_health.dns_failover.minimum_healthy_targets.count', '1'],
    ['target_group_health.dns_failover.minimum_healthy_targets.percentage', 'off'],
    ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', '1'],
    ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', 'off'],
  ]);
}

export function checkNlbHealthCheck(protocol: TargetGroup['protocol'], hc: HealthCheckSettings): void {
  if (hc.protocol === 'TCP' && !isNlbProtocol(protocol)) {
    throw validationError(`Health check protocol 'TCP' is not supported for target groups with protocol '${protocol}'`);
  }
}
