/**
 * /_sandbox/* — the sandbox's own endpoints, beside the AWS APIs: the ground-truth event log, a JSON dump of
 * the world, how to reach the demo stack (/_sandbox/stack), the fault knobs, foreign network interfaces, and instance attributes AWS fixes at launch
 * (POST /_sandbox/instances/<id>: Spot / instance-store). chaos-ec2's tests compare what the CLI measured
 * with these; nothing in the CLI itself reads them (real AWS has no such thing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from './context.js';
import { setKnobs, validateKnobs } from './knob-control.js';
import { DEFAULT_KNOBS, type Knobs } from './knobs.js';
import { readBody } from './http-body.js';
import { addForeignInterface, deleteForeignInterface, syncNetworkInterfaces } from './world/network-interfaces.js';

/**
 * The request's JSON body, or undefined after answering 413 (too large) or 400 (not JSON) itself — one
 * place for what every control endpoint that takes a body does first.
 */
async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const body = await readBody(req);
  if (body === undefined) {
    json(res, 413, { message: 'request body too large' });
    return undefined;
  }
  try {
    return JSON.parse(body || '{}') as unknown;
  } catch {
    json(res, 400, { message: 'body is not valid JSON' });
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** JSON.stringify cannot see inside Maps; the dump turns them into plain objects, recursively. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export function worldState(ctx: SandboxContext): unknown {
  const w = ctx.world;
  syncNetworkInterfaces(w);
  return plain({
    region: w.region,
    accountId: w.accountId,
    instances: w.instances,
    asgs: w.asgs,
    asgInstances: w.asgInstances,
    targets: w.targets,
    targetGroups: w.targetGroups,
    networkAcls: w.networkAcls,
    naclAssociations: w.naclAssociations,
    subnets: w.subnets,
    networkInterfaces: w.networkInterfaces,
    loadBalancers: [...w.loadBalancers.values()].map((lb) => ({
      ...lb,
      listeners: [...w.listeners.values()]
        .filter((l) => l.loadBalancerArn === lb.loadBalancerArn)
        .map((l) => ({ ...l, rules: [...w.rules.values()].filter((r) => r.listenerArn === l.listenerArn).sort((a, b) => a.priority - b.priority) })),
    })),
    classicLoadBalancers: w.classicLoadBalancers,
    activities: w.activities.slice(-200),
    lifecycleActions: ctx.autoscaling.actions.hooks.pending(),
    knobs: ctx.knobs,
    eventsDropped: w.eventsDropped,
  });
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, ctx: SandboxContext): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  switch (route) {
    case 'GET /_sandbox/events': {
      const since = Number(url.searchParams.get('since') ?? 0);
      if (!Number.isInteger(since) || since < 0) return json(res, 400, { message: 'since must be a non-negative integer (an event seq)' });
      const type = url.searchParams.get('type');
      const events = ctx.world.events(since);
      return json(res, 200, type ? events.filter((e) => e.type === type) : events);
    }
    case 'GET /_sandbox/state':
      return json(res, 200, worldState(ctx));
    case 'GET /_sandbox/stack':
      // The demo stack's {url, host, resolve, caCertFile}: what a client needs to reach it (stack-info.ts).
      return ctx.stackInfo ? json(res, 200, ctx.stackInfo) : json(res, 404, { message: 'this sandbox has no demo stack (it was started without one)' });
    case 'GET /_sandbox/knobs':
      return json(res, 200, ctx.knobs);
    case 'POST /_sandbox/knobs': {
      const patch = await jsonBody(req, res);
      if (patch === undefined) return;
      const problems = validateKnobs(patch);
      if (problems.length) return json(res, 400, { message: problems.join('; '), problems });
      setKnobs(ctx, patch as Partial<Knobs>);
      return json(res, 200, ctx.knobs);
    }
    case 'POST /_sandbox/network-interfaces':
      return addInterface(req, res, ctx);
    case 'POST /_sandbox/reset-knobs':
      await readBody(req);
      setKnobs(ctx, DEFAULT_KNOBS);
      return json(res, 200, ctx.knobs);
    default:
      if (req.method === 'POST' && url.pathname.startsWith('/_sandbox/instances/')) {
        return patchInstance(req, res, ctx, decodeURIComponent(url.pathname.slice('/_sandbox/instances/'.length)));
      }
      if (req.method === 'DELETE' && url.pathname.startsWith('/_sandbox/network-interfaces/')) {
        const id = decodeURIComponent(url.pathname.slice('/_sandbox/network-interfaces/'.length));
        return deleteForeignInterface(ctx.world, id)
          ? json(res, 200, { deleted: id })
          : json(res, 404, { message: `no foreign network interface ${id} (instance and load balancer interfaces go with their owner)` });
      }
      return json(res, 404, { message: `no such sandbox endpoint: ${route}` });
  }
}

/**
 * POST /_sandbox/network-interfaces {subnetId, description?, interfaceType?, requesterId?, status?}: an
 * interface that belongs to no instance or load balancer of the sandbox, e.g. another team's database.
 */
async function addInterface(req: IncomingMessage, res: ServerResponse, ctx: SandboxContext): Promise<void> {
  const parsed = await jsonBody(req, res);
  if (parsed === undefined) return;
  const spec = parsed as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof spec.subnetId !== 'string' || !ctx.world.subnets.has(spec.subnetId)) problems.push(`subnetId must name an existing subnet, got ${JSON.stringify(spec.subnetId)}`);
  for (const key of ['description', 'interfaceType', 'requesterId'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (spec.status !== undefined && spec.status !== 'available' && spec.status !== 'in-use') problems.push('status must be "available" or "in-use"');
  const unknown = Object.keys(spec).filter((k) => !['subnetId', 'description', 'interfaceType', 'requesterId', 'status'].includes(k));
  if (unknown.length) problems.push(`unknown field(s): ${unknown.join(', ')}`);
  if (problems.length) return json(res, 400, { message: problems.join('; '), problems });
  const eni = addForeignInterface(ctx.world, spec as unknown as Parameters<typeof addForeignInterface>[1]);
  return json(res, 201, plain(eni));
}

/**
 * POST /_sandbox/instances/<id> {instanceLifecycle?: 'spot' | null, rootDeviceType?: 'ebs' | 'instance-store'}:
 * what kind of instance it is. On AWS the purchase option and the AMI decide these at launch; the sandbox has
 * no AMIs, so this is how a test gets an instance-store-backed instance (a Spot one can also come from a
 * launch template with InstanceMarketOptions.MarketType=spot, or RunInstances with it). Answers the instance.
 */
async function patchInstance(req: IncomingMessage, res: ServerResponse, ctx: SandboxContext, id: string): Promise<void> {
  const parsed = await jsonBody(req, res);
  if (parsed === undefined) return;
  const inst = ctx.world.instances.get(id);
  if (!inst) return json(res, 404, { message: `no instance ${id}` });
  const spec = parsed as Record<string, unknown>;
  const problems: string[] = [];
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return json(res, 400, { message: 'body must be a JSON object' });
  if (spec.instanceLifecycle !== undefined && spec.instanceLifecycle !== null && spec.instanceLifecycle !== 'spot') {
    problems.push('instanceLifecycle must be "spot" or null (On-Demand)');
  }
  if (spec.rootDeviceType !== undefined && spec.rootDeviceType !== 'ebs' && spec.rootDeviceType !== 'instance-store') {
    problems.push('rootDeviceType must be "ebs" or "instance-store"');
  }
  const unknown = Object.keys(spec).filter((k) => k !== 'instanceLifecycle' && k !== 'rootDeviceType');
  if (unknown.length) problems.push(`unknown field(s): ${unknown.join(', ')}`);
  if (problems.length) return json(res, 400, { message: problems.join('; '), problems });
  if (spec.instanceLifecycle === 'spot') inst.instanceLifecycle = 'spot';
  else if (spec.instanceLifecycle === null) delete inst.instanceLifecycle;
  if (spec.rootDeviceType !== undefined) inst.rootDeviceType = spec.rootDeviceType as 'ebs' | 'instance-store';
  return json(res, 200, plain(inst));
}
