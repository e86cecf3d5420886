/**
 * ELBv2 listeners: CreateListener, DescribeListeners, ModifyListener, DeleteListener. A listener is a real
 * proxy opened by the data plane on one port shared by all the load balancer's nodes (each on its own
 * loopback address); that real port is the listener's Port, so what DescribeListeners reports is where a
 * client actually connects. Default actions may be forward (plain or weighted), redirect or fixed-response
 * ("Listeners for your Application Load Balancers":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html).
 */
import type { ApiContext } from '../context.js';
import type { Listener } from '../world/types.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { readActions } from './elbv2-actions.js';
import { intParam, listenerNotFound, page, relinkTargetGroups, requireLb, requireListener } from './elbv2-common.js';
import { listenerXml } from './elbv2-render.js';
import { createNlbListener, modifyNlbListener } from './elbv2-nlb-listeners.js';
import { applyListenerChange, checkPortChange, storeListener } from './elbv2-listener-store.js';

/** The policy the console and API choose when none is given (ELB user guide, "Security policies"). */
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

/**
 * The Port each listener was created with. The reported Port is the proxy's real one, but AWS's rules
 * (one listener per port per load balancer, idempotent re-creation) are about the requested port.
 */

export async function closeListenerOf(ctx: ApiContext, l: Listener): Promise<void> {
  await ctx.dataplane.closeListener(l.listenerArn);
  ctx.world.listeners.delete(l.listenerArn);
  ctx.world.tags.delete(l.listenerArn);
  // A listener's rules go with it (DeleteListener API reference).
  for (const r of [...ctx.world.rules.values()]) {
    if (r.listenerArn !== l.listenerArn) continue;
    ctx.world.rules.delete(r.ruleArn);
    ctx.world.tags.delete(r.ruleArn);
  }
  relinkTargetGroups(ctx);
}

function protocolParam(p: Params, fallback: 'HTTP' | 'HTTPS'): 'HTTP' | 'HTTPS' {
  const protocol = p.str('Protocol') ?? fallback;
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw new ApiError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by an Application Load Balancer; use HTTP or HTTPS.`);
  return protocol;
}

/** Certificates.member.N.CertificateArn: required for HTTPS, each one known (CertificateNotFound otherwise). */
function certificatesParam(p: Params, ctx: ApiContext, protocol: 'HTTP' | 'HTTPS', current?: string[]): string[] | undefined {
  const arns = p.structs('Certificates.member').map((c) => c.required('CertificateArn'));
  if (protocol === 'HTTP') return undefined;
  const chosen = arns.length ? arns : current;
  if (!chosen?.length) throw validationError('A certificate must be specified for HTTPS listeners');
  for (const arn of chosen) {
    if (!ctx.world.certificates.has(arn)) throw new ApiError('CertificateNotFound', `Certificate '${arn}' not found`);
  }
  return chosen;
}

const create: Handler = async (p, ctx) => {
  const lb = requireLb(ctx, p.required('LoadBalancerArn'));
  if (lb.type === 'network') return createNlbListener(p, ctx, lb); // TCP/TLS/UDP listeners: elbv2-nlb-listeners.ts
  const protocol = protocolParam(p, 'HTTP');
  const requestedPort = intParam(p, 'Port', 1, 65535);
  if (requestedPort === undefined) throw missingParameter('Port');
  const defaultActions = readActions(p, 'DefaultActions.member', lb, ctx, protocol === 'HTTPS');
  const certificateArns = certificatesParam(p, ctx, protocol);
  return storeListener(p, ctx, lb, requestedPort, { protocol, defaultActions, certificateArns, defaultPolicy: DEFAULT_SSL_POLICY }, 'app');
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

/**
 * ModifyListener: "Any properties that you do not specify retain their current values." A protocol change
 * reopens the proxy (a TLS server is another server), so the reported Port may change with it.
 */
const modify: Handler = async (p, ctx) => {
  const l = requireListener(ctx, p.required('ListenerArn'));
  const lb = requireLb(ctx, l.loadBalancerArn);
  if (lb.type === 'network') return modifyNlbListener(p, ctx, l, lb);
  const protocol = protocolParam(p, l.protocol as 'HTTP' | 'HTTPS');
  const requestedPort = intParam(p, 'Port', 1, 65535);
  checkPortChange(ctx, l, lb, requestedPort);
  const defaultActions = p.structs('DefaultActions.member').length ? readActions(p, 'DefaultActions.member', lb, ctx, protocol === 'HTTPS') : l.defaultActions;
  const certificateArns = certificatesParam(p, ctx, protocol, l.certificateArns);
  return applyListenerChange(p, ctx, l, requestedPort, { protocol, defaultActions, certificateArns, defaultPolicy: DEFAULT_SSL_POLICY });
};

const remove: Handler = async (p, ctx) => {
  await closeListenerOf(ctx, requireListener(ctx, p.required('ListenerArn')));
  return '';
};

export const LISTENER_HANDLERS: Record<string, Handler> = {
  CreateListener: create,
  DescribeListeners: describe,
  ModifyListener: modify,
  DeleteListener: remove,
};
