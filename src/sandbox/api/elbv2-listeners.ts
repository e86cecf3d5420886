/**
 * ELBv2 listeners: CreateListener, DescribeListeners, DeleteListener. A listener is a real proxy opened by
 * the data plane on a free loopback port; that real port is the listener's Port, so what DescribeListeners
 * reports is where a client actually connects.
 */
import type { ApiContext } from '../context.js';
import type { Listener } from '../world/types.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { arnPrefix, hex16, intParam, listenerNotFound, page, requireLb, requireListener, requireTg } from './elbv2-common.js';
import { listenerXml } from './elbv2-render.js';

/** The forward target group of DefaultActions (TargetGroupArn, or a ForwardConfig with one group). */
function forwardTarget(p: Params): string {
  const actions = p.structs('DefaultActions.member');
  if (!actions.length) throw missingParameter('DefaultActions');
  if (actions.length > 1) throw new ApiError('TooManyActions', 'The sandbox supports one default action per listener');
  const a = actions[0]!;
  const type = a.required('Type');
  if (type !== 'forward') throw validationError(`Action type '${type}' is not supported by the sandbox; use 'forward'.`);
  const direct = a.str('TargetGroupArn');
  const weighted = a.structs('ForwardConfig.TargetGroups.member').map((t) => t.required('TargetGroupArn'));
  const all = [...new Set([...(direct ? [direct] : []), ...weighted])];
  if (all.length === 0) throw validationError('A target group ARN must be specified');
  if (all.length > 1) throw validationError('The sandbox supports forwarding to one target group per listener');
  return all[0]!;
}

/** Keeps tg.loadBalancerArns true to the listeners: an LB is listed while one of its listeners forwards there. */
function relinkTargetGroup(ctx: ApiContext, targetGroupArn: string): void {
  const tg = ctx.world.targetGroups.get(targetGroupArn);
  if (!tg) return;
  const lbs = new Set<string>();
  for (const l of ctx.world.listeners.values()) {
    if (l.defaultActions.some((a) => a.targetGroupArn === targetGroupArn)) lbs.add(l.loadBalancerArn);
  }
  tg.loadBalancerArns = [...lbs];
}

/**
 * The Port each listener was created with. The reported Port is the proxy's real one, but AWS's rules
 * (one listener per port per load balancer, idempotent re-creation) are about the requested port.
 */
const requestedPorts = new WeakMap<Listener, number>();

export async function closeListenerOf(ctx: ApiContext, l: Listener): Promise<void> {
  await ctx.dataplane.closeListener(l.listenerArn);
  ctx.world.listeners.delete(l.listenerArn);
  ctx.world.tags.delete(l.listenerArn);
  for (const a of l.defaultActions) relinkTargetGroup(ctx, a.targetGroupArn);
}

const create: Handler = async (p, ctx) => {
  const lb = requireLb(ctx, p.required('LoadBalancerArn'));
  const protocol = p.str('Protocol') ?? 'HTTP';
  if (protocol !== 'HTTP') throw new ApiError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by the sandbox; use HTTP.`);
  const requestedPort = intParam(p, 'Port', 1, 65535);
  if (requestedPort === undefined) throw missingParameter('Port');
  const tg = requireTg(ctx, forwardTarget(p));
  if (tg.vpcId !== lb.vpcId) {
    throw validationError(`The VPC ID '${tg.vpcId}' of target group '${tg.targetGroupArn}' does not match the VPC ID '${lb.vpcId}' of load balancer '${lb.loadBalancerArn}'`);
  }
  const same = [...ctx.world.listeners.values()].find((l) => l.loadBalancerArn === lb.loadBalancerArn && requestedPorts.get(l) === requestedPort);
  if (same) {
    // CreateListener is idempotent for identical settings; another target group on the port is a clash.
    if (same.defaultActions[0]?.targetGroupArn === tg.targetGroupArn) return list('Listeners', [same], listenerXml, 'member');
    throw new ApiError('DuplicateListener', `A listener already exists on port ${requestedPort} for load balancer '${lb.loadBalancerArn}'`);
  }
  const name = lb.loadBalancerArn.split('/').slice(-2).join('/');
  const listener: Listener = {
    listenerArn: `${arnPrefix(ctx)}:listener/app/${name}/${hex16()}`,
    loadBalancerArn: lb.loadBalancerArn,
    port: requestedPort,
    protocol: 'HTTP',
    defaultActions: [{ type: 'forward', targetGroupArn: tg.targetGroupArn }],
  };
  // The requested port is a wish: the proxy takes a free loopback port, and that is the Port reported,
  // so clients connect where traffic is really served.
  listener.port = await ctx.dataplane.openListener(listener);
  requestedPorts.set(listener, requestedPort);
  ctx.world.listeners.set(listener.listenerArn, listener);
  ctx.world.ordinal(listener.listenerArn); // page order = creation order
  relinkTargetGroup(ctx, tg.targetGroupArn);
  return list('Listeners', [listener], listenerXml, 'member');
};

const describe: Handler = (p, ctx) => {
  const lbArn = p.str('LoadBalancerArn');
  const arns = p.members('ListenerArns');
  if (lbArn && arns.length) throw validationError('Listener ARNs and a load balancer ARN cannot be specified at the same time');
  if (!lbArn && !arns.length) throw validationError('You must specify either listener ARNs or a load balancer ARN');
  let listeners: Listener[];
  if (lbArn) {
    requireLb(ctx, lbArn);
    listeners = [...ctx.world.listeners.values()].filter((l) => l.loadBalancerArn === lbArn);
  } else {
    if (arns.some((a) => !ctx.world.listeners.has(a))) throw listenerNotFound();
    listeners = [...ctx.world.listeners.values()].filter((l) => arns.includes(l.listenerArn));
  }
  const { items, nextMarkerXml } = page(p, ctx, listeners, (l) => l.listenerArn);
  return list('Listeners', items, listenerXml, 'member') + nextMarkerXml;
};

const remove: Handler = async (p, ctx) => {
  await closeListenerOf(ctx, requireListener(ctx, p.required('ListenerArn')));
  return '';
};

export const LISTENER_HANDLERS: Record<string, Handler> = {
  CreateListener: create,
  DescribeListeners: describe,
  DeleteListener: remove,
};
