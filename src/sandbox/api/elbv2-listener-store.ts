/**
 * What CreateListener and ModifyListener do alike for every load balancer type (ALB: elbv2-listeners.ts; NLB:
 * elbv2-nlb-listeners.ts), once each has read and checked its own protocols and actions: the port clash rules,
 * the idempotent create, opening the nodes, and "any properties that you do not specify retain their current
 * values" (ModifyListener, ELBv2 API reference).
 */
import type { ApiContext } from '../context.js';
import type { Listener, LoadBalancer } from '../world/types.js';
import { ApiError } from './errors.js';
import type { Params } from './query.js';
import { list } from './xml.js';
import { arnPrefix, hex16, relinkTargetGroups } from './elbv2-common.js';
import { listenerXml } from './elbv2-render.js';

/**
 * The Port each listener was created with. The nodes take a port free on all their addresses, and that is the
 * Port reported (clients connect where traffic is really served); clashes and idempotency go by the request's.
 */
const requestedPorts = new WeakMap<Listener, number>();

export interface ListenerSettings {
  protocol: Listener['protocol'];
  defaultActions: Listener['defaultActions'];
  certificateArns: string[] | undefined;
  /** The SslPolicy a TLS/HTTPS listener gets when the request names none. */
  defaultPolicy: string;
}

function duplicate(port: number, lb: LoadBalancer): ApiError {
  return new ApiError('DuplicateListener', `A listener already exists on port ${port} for load balancer '${lb.loadBalancerArn}'`);
}

/** CreateListener, after validation: `kind` is the ARN's load balancer type (app, net). */
export async function storeListener(p: Params, ctx: ApiContext, lb: LoadBalancer, requestedPort: number, s: ListenerSettings, kind: 'app' | 'net'): Promise<string> {
  const same = [...ctx.world.listeners.values()].find((l) => l.loadBalancerArn === lb.loadBalancerArn && requestedPorts.get(l) === requestedPort);
  if (same) {
    // CreateListener is idempotent for identical settings; anything else on the port is a clash.
    if (same.protocol === s.protocol && JSON.stringify(same.defaultActions) === JSON.stringify(s.defaultActions)) return list('Listeners', [same], listenerXml, 'member');
    throw duplicate(requestedPort, lb);
  }
  const name = lb.loadBalancerArn.split('/').slice(-2).join('/');
  const listenerArn = `${arnPrefix(ctx)}:listener/${kind}/${name}/${hex16()}`;
  const listener: Listener = {
    listenerArn,
    loadBalancerArn: lb.loadBalancerArn,
    port: requestedPort,
    protocol: s.protocol,
    defaultActions: s.defaultActions,
    defaultRuleArn: `${listenerArn.replace(':listener/', ':listener-rule/')}/${hex16()}`,
    ...(s.certificateArns ? { certificateArns: s.certificateArns, sslPolicy: p.str('SslPolicy') ?? s.defaultPolicy } : {}),
  };
  listener.port = await ctx.dataplane.openListener(listener);
  requestedPorts.set(listener, requestedPort);
  ctx.world.listeners.set(listener.listenerArn, listener);
  ctx.world.ordinal(listener.listenerArn); // page order = creation order
  relinkTargetGroups(ctx);
  return list('Listeners', [listener], listenerXml, 'member');
}

/** ModifyListener: a new Port must not clash with another listener of the load balancer. */
export function checkPortChange(ctx: ApiContext, l: Listener, lb: LoadBalancer, requestedPort: number | undefined): void {
  if (requestedPort === undefined || requestedPort === requestedPorts.get(l)) return;
  const clash = [...ctx.world.listeners.values()].some((o) => o !== l && o.loadBalancerArn === l.loadBalancerArn && requestedPorts.get(o) === requestedPort);
  if (clash) throw duplicate(requestedPort, lb);
}

/** ModifyListener, after validation: a protocol or certificate change reopens the nodes (another server). */
export async function applyListenerChange(p: Params, ctx: ApiContext, l: Listener, requestedPort: number | undefined, s: ListenerSettings): Promise<string> {
  const reopen = s.protocol !== l.protocol || JSON.stringify(s.certificateArns) !== JSON.stringify(l.certificateArns);
  l.defaultActions = s.defaultActions;
  l.protocol = s.protocol;
  if (s.certificateArns) {
    l.certificateArns = s.certificateArns;
    l.sslPolicy = p.str('SslPolicy') ?? l.sslPolicy ?? s.defaultPolicy;
  } else {
    delete l.certificateArns;
    delete l.sslPolicy;
  }
  if (requestedPort !== undefined) requestedPorts.set(l, requestedPort);
  if (reopen) l.port = await ctx.dataplane.openListener(l);
  relinkTargetGroups(ctx);
  return list('Listeners', [l], listenerXml, 'member');
}
