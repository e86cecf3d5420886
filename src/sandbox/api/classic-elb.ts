/**
 * Classic Elastic Load Balancing (awsQuery, API version 2012-06-01): CreateLoadBalancer (HTTP listeners
 * served for real), DescribeLoadBalancers, DeleteLoadBalancer, ConfigureHealthCheck, DescribeInstanceHealth,
 * RegisterInstancesWithLoadBalancer, DeregisterInstancesFromLoadBalancer. API reference:
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/Welcome.html
 *
 * Classic and v2 share the signing name `elasticloadbalancing` and both have DescribeLoadBalancers: the
 * router tells them apart by the request's Version. As for ALBs, DNSName is 127.0.0.1 and each listener's
 * LoadBalancerPort is the real port its proxy listens on, so a client builds http://<DNSName>:<port>/ as on
 * AWS with no sandbox special case.
 */
import type { ApiContext } from '../context.js';
import { deregisterClassicInstance, registerClassicInstance } from '../world/classic-state.js';
import { CLASSIC_DESCRIPTION, type ClassicHealthCheck, type ClassicListener, type ClassicLoadBalancer } from '../world/classic-types.js';
import { parseHealthTarget } from '../dataplane/classic-health-checker.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import { healthCheckXml, instanceStateXml, classicLoadBalancerXml } from './classic-elb-render.js';
import { paginate, type Params } from './query.js';
import type { Handler, ServiceDef } from './router.js';
import { el, list, node } from './xml.js';

/** Error codes on the wire (the SDK maps LoadBalancerNotFound to AccessPointNotFoundException, InvalidInstance to InvalidEndPointException). */
export const classicLbNotFound = (name: string): ApiError => new ApiError('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`);
const invalidInstance = (message: string): ApiError => new ApiError('InvalidInstance', message);

/** Route 53 hosted zone id of Classic Load Balancers in us-east-1 (ELB endpoints table); nothing resolves it here. */
const CLASSIC_HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K';

/**
 * Health check of a load balancer nobody configured: TCP to the first listener's instance port, 30 s
 * interval, 5 s timeout, unhealthy after 2, healthy after 10 (user guide, "Configure health checks for your
 * Classic Load Balancer": https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html).
 */
function defaultHealthCheck(listeners: ClassicListener[]): ClassicHealthCheck {
  return { target: `TCP:${listeners[0]?.instancePort ?? 80}`, interval: 30, timeout: 5, unhealthyThreshold: 2, healthyThreshold: 10 };
}

export function requireClassic(ctx: ApiContext, name: string): ClassicLoadBalancer {
  const lb = ctx.world.classicLoadBalancers.get(name);
  if (!lb) throw classicLbNotFound(name);
  return lb;
}

function intIn(p: Params, name: string, min: number, max: number): number {
  const raw = p.str(name);
  if (raw === undefined || raw === '') throw missingParameter(name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw validationError(`1 validation error detected: Value '${raw}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  return n;
}

function listenersParam(p: Params): Omit<ClassicListener, 'loadBalancerPort'>[] {
  const raw = p.structs('Listeners.member');
  if (!raw.length) throw missingParameter('Listeners');
  return raw.map((l) => {
    const protocol = l.required('Protocol').toUpperCase();
    if (!['HTTP', 'HTTPS', 'TCP', 'SSL'].includes(protocol)) throw new ApiError('UnsupportedProtocol', `Listener protocol '${protocol}' is not supported`);
    const requestedPort = intIn(l, 'LoadBalancerPort', 1, 65535);
    const instancePort = intIn(l, 'InstancePort', 1, 65535);
    return { protocol, requestedPort, instanceProtocol: (l.str('InstanceProtocol') ?? protocol).toUpperCase(), instancePort };
  });
}

/** One subnet per AZ, all in one VPC (CreateLoadBalancer: Subnets; AvailabilityZones pick the default VPC's). */
function placement(ctx: ApiContext, p: Params): { vpcId: string; subnets: ClassicLoadBalancer['subnets'] } {
  const ids = p.members('Subnets');
  const zones = p.members('AvailabilityZones');
  if (!ids.length && !zones.length) throw validationError('Either AvailabilityZones or SubnetIds must be specified');
  const subnets: ClassicLoadBalancer['subnets'] = [];
  let vpcId: string | undefined;
  const picked = ids.length
    ? ids.map((id) => {
        const s = ctx.world.subnets.get(id);
        if (!s) throw new ApiError('SubnetNotFound', `One or more subnets not found: ${id}`);
        return s;
      })
    : zones.map((z) => {
        const s = [...ctx.world.subnets.values()].find((x) => x.availabilityZone === z && ctx.world.vpcs.get(x.vpcId)?.isDefault);
        if (!s) throw new ApiError('InvalidConfigurationRequest', `No default subnet for availability zone: '${z}'`, 409);
        return s;
      });
  for (const s of picked) {
    if (vpcId && s.vpcId !== vpcId) throw new ApiError('InvalidConfigurationRequest', 'Subnets must all belong to the same VPC', 409);
    vpcId = s.vpcId;
    if (subnets.some((x) => x.zoneName === s.availabilityZone)) throw new ApiError('InvalidConfigurationRequest', 'Only one subnet per Availability Zone may be specified', 409);
    subnets.push({ subnetId: s.subnetId, zoneName: s.availabilityZone });
  }
  return { vpcId: vpcId!, subnets: subnets.sort((a, b) => a.zoneName.localeCompare(b.zoneName)) };
}

const create: Handler = async (p, ctx) => {
  const name = p.required('LoadBalancerName');
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
    throw validationError(`LoadBalancerName '${name}' must have at most 32 characters, only alphanumerics and hyphens, and not begin or end with a hyphen`);
  }
  const existing = ctx.world.classicLoadBalancers.get(name);
  // Elastic Load Balancing operations are idempotent (API reference, Welcome): same name, same answer.
  if (existing) return el('DNSName', existing.dnsName);
  const requested = listenersParam(p);
  const { vpcId, subnets } = placement(ctx, p);
  const scheme = p.str('Scheme') === 'internal' ? 'internal' : 'internet-facing';
  const listeners: ClassicListener[] = requested.map((l) => ({ ...l, loadBalancerPort: l.requestedPort }));
  const lb: ClassicLoadBalancer = {
    loadBalancerName: name,
    dnsName: '127.0.0.1',
    canonicalHostedZoneNameId: CLASSIC_HOSTED_ZONE_ID,
    createdTime: new Date(ctx.world.now()),
    scheme,
    vpcId,
    subnets,
    securityGroups: p.members('SecurityGroups'),
    listeners,
    healthCheck: defaultHealthCheck(listeners),
    instances: new Map(),
  };
  ctx.world.ordinal(`classic:${name}`);
  ctx.world.classicLoadBalancers.set(name, lb);
  // HTTP listeners are served for real; the port the proxy got is what clients connect to.
  for (const l of listeners) if (l.protocol === 'HTTP') l.loadBalancerPort = await ctx.dataplane.classic.openListener(name, l);
  ctx.dataplane.classic.sync();
  return el('DNSName', lb.dnsName);
};

const describe: Handler = (p, ctx) => {
  const names = p.members('LoadBalancerNames');
  const all = names.length ? names.map((n) => requireClassic(ctx, n)) : [...ctx.world.classicLoadBalancers.values()];
  const raw = p.str('PageSize');
  const size = raw === undefined ? 400 : Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 400)
    throw validationError(`1 validation error detected: Value '${raw}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`);
  let out: { page: ClassicLoadBalancer[]; next?: string };
  try {
    out = paginate(all, p.str('Marker'), size, (lb) => [ctx.world.ordinal(`classic:${lb.loadBalancerName}`), lb.loadBalancerName]);
  } catch {
    throw validationError(`Invalid value '${p.str('Marker')}' for parameter Marker`);
  }
  return list('LoadBalancerDescriptions', out.page, (lb) => classicLoadBalancerXml(lb, ctx.world.accountId), 'member') + el('NextMarker', out.next);
};

const remove: Handler = async (p, ctx) => {
  const name = p.required('LoadBalancerName');
  const lb = ctx.world.classicLoadBalancers.get(name);
  // Deleting a load balancer that does not exist succeeds (DeleteLoadBalancer API reference).
  if (!lb) return '';
  for (const id of [...lb.instances.keys()]) deregisterClassicInstance(ctx.world, lb, id);
  ctx.world.classicLoadBalancers.delete(name);
  await ctx.dataplane.classic.closeAll(name);
  ctx.dataplane.classic.sync();
  return '';
};

const configureHealthCheck: Handler = (p, ctx) => {
  const lb = requireClassic(ctx, p.required('LoadBalancerName'));
  const h = p.struct('HealthCheck');
  if (!h) throw missingParameter('HealthCheck');
  const target = h.required('Target');
  if (!parseHealthTarget(target)) throw validationError(`Invalid HealthCheck target '${target}': use TCP:port, SSL:port, HTTP:port/path or HTTPS:port/path`);
  // Ranges from API_HealthCheck.
  const hc: ClassicHealthCheck = {
    target,
    interval: intIn(h, 'Interval', 5, 300),
    timeout: intIn(h, 'Timeout', 2, 60),
    unhealthyThreshold: intIn(h, 'UnhealthyThreshold', 2, 10),
    healthyThreshold: intIn(h, 'HealthyThreshold', 2, 10),
  };
  if (hc.timeout >= hc.interval) throw validationError('HealthCheck Timeout must be less than Interval');
  lb.healthCheck = hc;
  ctx.dataplane.classic.sync();
  return node('HealthCheck', healthCheckXml(hc));
};

function instanceIds(p: Params): string[] {
  const ids = p.structs('Instances.member').map((s) => s.required('InstanceId'));
  if (!ids.length) throw missingParameter('Instances');
  return ids;
}

/** Every id must be an instance in the load balancer's VPC, else nothing changes (InvalidInstance). */
function checkInstances(ctx: ApiContext, lb: ClassicLoadBalancer, ids: string[]): void {
  for (const id of ids) {
    const inst = ctx.world.instances.get(id);
    if (!inst || inst.state === 'terminated') throw invalidInstance(`Could not find EC2 instance ${id}.`);
    if (inst.vpcId !== lb.vpcId) throw invalidInstance(`EC2 instance ${id} is not in the same VPC as the load balancer.`);
  }
}

const registered = (lb: ClassicLoadBalancer): string => list('Instances', lb.instances.keys(), (id) => el('InstanceId', id), 'member');

const register: Handler = (p, ctx) => {
  const lb = requireClassic(ctx, p.required('LoadBalancerName'));
  const ids = instanceIds(p);
  checkInstances(ctx, lb, ids);
  for (const id of ids) registerClassicInstance(ctx.world, lb, id);
  return registered(lb);
};

const deregister: Handler = (p, ctx) => {
  const lb = requireClassic(ctx, p.required('LoadBalancerName'));
  const ids = instanceIds(p);
  const unknown = ids.find((id) => !lb.instances.has(id));
  if (unknown) throw invalidInstance(`The requested instance ${unknown} is not registered with the load balancer ${lb.loadBalancerName}.`);
  for (const id of ids) deregisterClassicInstance(ctx.world, lb, id);
  return registered(lb);
};

const describeInstanceHealth: Handler = (p, ctx) => {
  const lb = requireClassic(ctx, p.required('LoadBalancerName'));
  const asked = p.structs('Instances.member').map((s) => s.required('InstanceId'));
  if (!asked.length) return list('InstanceStates', lb.instances.values(), instanceStateXml, 'member');
  return list(
    'InstanceStates',
    asked,
    (id) => {
      const reg = lb.instances.get(id);
      if (reg) return instanceStateXml(reg);
      if (!ctx.world.instances.has(id)) throw invalidInstance(`Could not find EC2 instance ${id}.`);
      return instanceStateXml({ instanceId: id, state: 'OutOfService', reasonCode: 'Instance', description: CLASSIC_DESCRIPTION.notRegistered });
    },
    'member',
  );
};

export const CLASSIC_ELB_SERVICE: ServiceDef = {
  signingName: 'elasticloadbalancing',
  version: '2012-06-01',
  protocol: 'query',
  xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {
    CreateLoadBalancer: create,
    DescribeLoadBalancers: describe,
    DeleteLoadBalancer: remove,
    ConfigureHealthCheck: configureHealthCheck,
    RegisterInstancesWithLoadBalancer: register,
    DeregisterInstancesFromLoadBalancer: deregister,
    DescribeInstanceHealth: describeInstanceHealth,
  },
};
