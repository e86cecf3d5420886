/**
 * ELBv2 target groups: CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup,
 * DescribeTargetGroupAttributes, ModifyTargetGroupAttributes. Health-check settings not given default to
 * the timing profile's (ctx.timings), so a fast sandbox checks in fractions of a second while the API
 * still shows whole seconds.
 */
import type { ApiContext } from '../context.js';
import type { HealthCheckSettings, TargetGroup } from '../world/types.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { arnPrefix, checkName, hex16, intParam, page, requireLb, requireTg, tgNotFound } from './elbv2-common.js';
import { attributesXml, targetGroupXml } from './elbv2-render.js';
import { readTagList } from './elbv2-tags.js';

/** Target group attributes an instance-target ALB group has, with AWS's defaults. */
function defaultAttributes(ctx: ApiContext): Map<string, string> {
  return new Map([
    ['deregistration_delay.timeout_seconds', String(ctx.timings.deregistrationDelaySeconds)],
    ['stickiness.enabled', 'false'],
    ['stickiness.type', 'lb_cookie'],
    ['stickiness.lb_cookie.duration_seconds', '86400'],
    ['slow_start.duration_seconds', '0'],
    ['load_balancing.algorithm.type', 'round_robin'],
    ['load_balancing.cross_zone.enabled', 'use_load_balancer_configuration'],
    ['target_group_health.dns_failover.minimum_healthy_targets.count', '1'],
    ['target_group_health.dns_failover.minimum_healthy_targets.percentage', 'off'],
    ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', '1'],
    ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', 'off'],
  ]);
}

/** Health-check parameters present in the request, validated against the API's ranges. */
function healthCheckParams(p: Params): Partial<HealthCheckSettings> {
  const out: Partial<HealthCheckSettings> = {};
  const protocol = p.str('HealthCheckProtocol');
  if (protocol !== undefined) {
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw validationError(`Health check protocol '${protocol}' is not supported for this target group; use HTTP or HTTPS`);
    out.protocol = protocol;
  }
  const port = p.str('HealthCheckPort');
  if (port !== undefined) {
    if (port !== 'traffic-port' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
      throw validationError(`Health check port '${port}' must be 'traffic-port' or a port number from 1 to 65535`);
    }
    out.port = port;
  }
  const enabled = p.bool('HealthCheckEnabled');
  if (enabled !== undefined) out.enabled = enabled;
  const path = p.str('HealthCheckPath');
  if (path !== undefined) {
    if (!path.startsWith('/')) throw validationError(`Health check path '${path}' must begin with a '/' character`);
    out.path = path;
  }
  const interval = intParam(p, 'HealthCheckIntervalSeconds', 5, 300);
  if (interval !== undefined) out.intervalSeconds = interval;
  const timeout = intParam(p, 'HealthCheckTimeoutSeconds', 2, 120);
  if (timeout !== undefined) out.timeoutSeconds = timeout;
  const healthy = intParam(p, 'HealthyThresholdCount', 2, 10);
  if (healthy !== undefined) out.healthyThresholdCount = healthy;
  const unhealthy = intParam(p, 'UnhealthyThresholdCount', 2, 10);
  if (unhealthy !== undefined) out.unhealthyThresholdCount = unhealthy;
  const matcher = p.str('Matcher.HttpCode');
  if (matcher !== undefined) {
    const ok = matcher.split(',').every((part) => /^\d{3}(-\d{3})?$/.test(part.trim()) && part.split('-').every((c) => Number(c) >= 200 && Number(c) <= 499));
    if (!ok) throw validationError(`Health check matcher HTTP code '${matcher}' must be within '200-499'`);
    out.matcher = matcher;
  }
  return out;
}

/** AWS's own words when HealthCheckTimeoutSeconds >= HealthCheckIntervalSeconds (ValidationError, 400). */
function checkHealthCheck(hc: HealthCheckSettings): void {
  if (hc.timeoutSeconds >= hc.intervalSeconds) throw validationError('Health check interval must be greater than the timeout.');
}

const create: Handler = (p, ctx) => {
  const name = p.required('Name');
  checkName('target group', name);
  const targetType = p.str('TargetType') ?? 'instance';
  if (targetType !== 'instance') throw validationError(`Target type '${targetType}' is not supported by the sandbox; use 'instance'.`);
  const protocol = p.str('Protocol');
  if (!protocol) throw validationError("A protocol must be specified for target groups with target type 'instance'");
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw validationError(`Protocol '${protocol}' is not supported by the sandbox; use HTTP.`);
  const port = intParam(p, 'Port', 1, 65535);
  if (port === undefined) throw validationError("A port must be specified for target groups with target type 'instance'");
  const vpcId = p.str('VpcId');
  if (!vpcId) throw validationError("A VPC ID must be specified for target groups with target type 'instance'");
  if (!ctx.world.vpcs.has(vpcId)) throw validationError(`The VPC ID '${vpcId}' is not found`);
  const t = ctx.timings;
  const healthCheck: HealthCheckSettings = {
    protocol: 'HTTP',
    port: 'traffic-port',
    path: '/',
    intervalSeconds: t.healthCheckIntervalSeconds,
    timeoutSeconds: t.healthCheckTimeoutSeconds,
    healthyThresholdCount: t.healthyThresholdCount,
    unhealthyThresholdCount: t.unhealthyThresholdCount,
    matcher: '200',
    enabled: true,
    ...healthCheckParams(p),
  };
  checkHealthCheck(healthCheck);
  const tags = readTagList(p);

  const existing = [...ctx.world.targetGroups.values()].find((g) => g.targetGroupName === name);
  if (existing) {
    // Idempotent like CreateLoadBalancer: same name and settings return the existing group.
    if (existing.port === port && existing.vpcId === vpcId && existing.protocol === protocol) {
      return list('TargetGroups', [existing], targetGroupXml, 'member');
    }
    throw new ApiError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
  }
  const tg: TargetGroup = {
    targetGroupArn: `${arnPrefix(ctx)}:targetgroup/${name}/${hex16()}`,
    targetGroupName: name,
    protocol,
    port,
    vpcId,
    targetType: 'instance',
    healthCheck,
    loadBalancerArns: [],
    attributes: defaultAttributes(ctx),
  };
  ctx.world.targetGroups.set(tg.targetGroupArn, tg);
  ctx.world.ordinal(tg.targetGroupArn); // page order = creation order
  for (const tag of tags) ctx.world.setTag(tg.targetGroupArn, tag.key, tag.value);
  return list('TargetGroups', [tg], targetGroupXml, 'member');
};

const describe: Handler = (p, ctx) => {
  const arns = p.members('TargetGroupArns');
  const names = p.members('Names');
  const lbArn = p.str('LoadBalancerArn');
  if ([arns.length > 0, names.length > 0, !!lbArn].filter(Boolean).length > 1) {
    throw validationError('Only one of target group ARNs, names or a load balancer ARN can be specified');
  }
  let groups = [...ctx.world.targetGroups.values()];
  if (arns.length) {
    if (arns.some((a) => !ctx.world.targetGroups.has(a))) throw tgNotFound();
    groups = groups.filter((g) => arns.includes(g.targetGroupArn));
  } else if (names.length) {
    if (names.some((n) => !groups.some((g) => g.targetGroupName === n))) throw tgNotFound();
    groups = groups.filter((g) => names.includes(g.targetGroupName));
  } else if (lbArn) {
    requireLb(ctx, lbArn);
    groups = groups.filter((g) => g.loadBalancerArns.includes(lbArn));
  }
  const { items, nextMarkerXml } = page(p, ctx, groups, (g) => g.targetGroupArn);
  return list('TargetGroups', items, targetGroupXml, 'member') + nextMarkerXml;
};

const modify: Handler = (p, ctx) => {
  const tg = requireTg(ctx, p.required('TargetGroupArn'));
  const next = { ...tg.healthCheck, ...healthCheckParams(p) };
  checkHealthCheck(next);
  tg.healthCheck = next;
  return list('TargetGroups', [tg], targetGroupXml, 'member');
};

const remove: Handler = (p, ctx) => {
  const arn = p.required('TargetGroupArn');
  const tg = ctx.world.targetGroups.get(arn);
  if (!tg) return '';
  // In use while any listener's default action or any rule forwards there (DeleteTargetGroup: ResourceInUse).
  const inUse = tg.loadBalancerArns.length > 0;
  if (inUse) throw new ApiError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
  for (const reg of [...(ctx.world.targets.get(arn)?.values() ?? [])]) ctx.world.removeTarget(reg);
  ctx.world.targets.delete(arn);
  ctx.world.targetGroups.delete(arn);
  ctx.world.tags.delete(arn);
  return '';
};

const describeAttributes: Handler = (p, ctx) => attributesXml(requireTg(ctx, p.required('TargetGroupArn')).attributes);

function checkAttribute(key: string, value: string): void {
  const bad = (why: string) => validationError(`The value of attribute '${key}' ('${value}') is not valid: ${why}`);
  if (key === 'deregistration_delay.timeout_seconds' || key === 'slow_start.duration_seconds') {
    if (!/^\d+$/.test(value) || Number(value) > 3600) throw bad('it must be an integer from 0 to 3600');
  } else if (key === 'stickiness.enabled' && value !== 'true' && value !== 'false') {
    throw bad("it must be 'true' or 'false'");
  }
}

const modifyAttributes: Handler = (p, ctx) => {
  const tg = requireTg(ctx, p.required('TargetGroupArn'));
  const changes = p.structs('Attributes.member').map((a) => ({ key: a.required('Key'), value: a.str('Value') ?? '' }));
  if (!changes.length) throw missingParameter('Attributes');
  for (const { key, value } of changes) {
    if (!tg.attributes.has(key)) throw validationError(`Target group attribute key '${key}' is not recognized`);
    checkAttribute(key, value);
  }
  for (const { key, value } of changes) tg.attributes.set(key, value);
  return attributesXml(tg.attributes);
};

export const TARGET_GROUP_HANDLERS: Record<string, Handler> = {
  CreateTargetGroup: create,
  DescribeTargetGroups: describe,
  ModifyTargetGroup: modify,
  DeleteTargetGroup: remove,
  DescribeTargetGroupAttributes: describeAttributes,
  ModifyTargetGroupAttributes: modifyAttributes,
};
