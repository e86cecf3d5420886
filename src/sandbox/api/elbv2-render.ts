/**
 * ELBv2 (awsQuery 2015-12-01) result XML for load balancers, target groups, listeners and target health.
 * Element names follow the botocore model one-to-one.
 */
import type { Listener, ListenerAction, LoadBalancer, RuleCondition, TargetGroup, TargetRegistration } from '../world/types.js';
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
    (l.certificateArns ? list('Certificates', l.certificateArns.slice(0, 1), (arn) => el('CertificateArn', arn), m) : '') +
    el('SslPolicy', l.sslPolicy) +
    list('DefaultActions', l.defaultActions, actionXml, m)
  );
}

/** An Action as DescribeListeners/DescribeRules show it: a plain forward also carries its ForwardConfig. */
export function actionXml(a: ListenerAction): string {
  const order = el('Order', a.order);
  if (a.type === 'forward') {
    return (
      el('Type', a.type) +
      el('TargetGroupArn', a.targetGroupArn ?? (a.targetGroups.length === 1 ? a.targetGroups[0]!.targetGroupArn : undefined)) +
      order +
      node(
        'ForwardConfig',
        list('TargetGroups', a.targetGroups, (g) => el('TargetGroupArn', g.targetGroupArn) + el('Weight', g.weight), m),
        node('TargetGroupStickinessConfig', el('Enabled', a.stickiness?.enabled ?? false), el('DurationSeconds', a.stickiness?.durationSeconds)),
      )
    );
  }
  if (a.type === 'redirect') {
    const r = a.redirect;
    return (
      el('Type', a.type) +
      order +
      node('RedirectConfig', el('Protocol', r.protocol), el('Port', r.port), el('Host', r.host), el('Path', r.path), el('Query', r.query), el('StatusCode', r.statusCode))
    );
  }
  if (a.type === 'fixed-response') {
    const f = a.fixedResponse;
    return el('Type', a.type) + order + node('FixedResponseConfig', el('MessageBody', f.messageBody), el('StatusCode', f.statusCode), el('ContentType', f.contentType));
  }
  // The client secret is never shown back (AuthenticateOidcActionConfig: "ClientSecret … not returned").
  const shown = Object.entries(a.authenticate.fields).filter(([k]) => k !== 'ClientSecret' && !k.includes('.'));
  const extra = Object.entries(a.authenticate.extraParams);
  return (
    el('Type', a.type) +
    order +
    node(
      a.type === 'authenticate-oidc' ? 'AuthenticateOidcConfig' : 'AuthenticateCognitoConfig',
      shown.map(([k, v]) => el(k, v)).join(''),
      extra.length ? node('AuthenticationRequestExtraParams', extra.map(([k, v]) => node('entry', el('key', k), el('value', v))).join('')) : '',
    )
  );
}

const CONFIG_ELEMENT: Record<RuleCondition['field'], string> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'query-string': 'QueryStringConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'source-ip': 'SourceIpConfig',
};

/**
 * A RuleCondition: host-header and path-pattern conditions show their values both in the legacy `Values`
 * and in their *Config, as DescribeRules does; the others only in their *Config.
 */
export function conditionXml(c: RuleCondition): string {
  const values = list('Values', c.values, (v) => esc(v), m);
  let cfg: string;
  if (c.field === 'query-string') cfg = list('Values', c.queryPairs ?? [], (q) => el('Key', q.key) + el('Value', q.value), m);
  else if (c.field === 'http-header') cfg = el('HttpHeaderName', c.httpHeaderName) + values;
  else cfg = values;
  const legacy = c.field === 'host-header' || c.field === 'path-pattern' ? values : '';
  return el('Field', c.field) + legacy + node(CONFIG_ELEMENT[c.field], cfg);
}

export function ruleXml(r: { ruleArn: string; priority: number | 'default'; conditions: RuleCondition[]; actions: ListenerAction[] }): string {
  return (
    el('RuleArn', r.ruleArn) +
    el('Priority', r.priority) +
    list('Conditions', r.conditions, conditionXml, m) +
    list('Actions', r.actions, actionXml, m) +
    el('IsDefault', r.priority === 'default')
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
