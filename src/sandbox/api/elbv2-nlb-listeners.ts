/**
 * Listeners of a Network Load Balancer (CreateListener / ModifyListener when the load balancer's Type is
 * network), per "Listeners for your Network Load Balancers"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html):
 * - Protocols TCP, TLS, UDP, TCP_UDP. The sandbox serves TCP and TLS (a real proxy per node, see
 *   dataplane/nlb-proxy.ts) and refuses UDP and TCP_UDP listeners, which it has no data plane for.
 * - The default action is a forward to ONE target group; no rules. A TCP listener forwards to a TCP or
 *   TCP_UDP group, a TLS listener to a TCP or TLS group.
 * - A TLS listener needs a server certificate (the sandbox CA's, as HTTPS listeners take) and terminates TLS
 *   at the node ("TLS listeners for your Network Load Balancer").
 * Like an ALB listener, the Port reported is the one the nodes really listen on.
 */
import type { ApiContext } from '../context.js';
import type { Listener, LoadBalancer } from '../world/types.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import { readActions } from './elbv2-actions.js';
import { intParam, requireTg } from './elbv2-common.js';
import { applyListenerChange, checkPortChange, storeListener } from './elbv2-listener-store.js';

type NlbProtocol = 'TCP' | 'TLS';

/** Target group protocols each listener protocol may forward to. */
const COMPATIBLE: Record<NlbProtocol, string[]> = { TCP: ['TCP', 'TCP_UDP'], TLS: ['TCP', 'TLS'] };

/** The NLB security policy chosen when none is given ("Security policies for your Network Load Balancer"). */
const DEFAULT_TLS_POLICY = 'ELBSecurityPolicy-2016-08';

function protocolParam(p: Params, fallback: NlbProtocol | undefined): NlbProtocol {
  const protocol = p.str('Protocol') ?? fallback;
  if (protocol === undefined) throw missingParameter('Protocol');
  if (protocol === 'UDP' || protocol === 'TCP_UDP') throw new ApiError('UnsupportedProtocol', `Protocol '${protocol}' listeners are not served by the sandbox; use TCP or TLS.`);
  if (protocol !== 'TCP' && protocol !== 'TLS')
    throw new ApiError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by a Network Load Balancer; use TCP, TLS, UDP or TCP_UDP.`);
  return protocol;
}

/** One forward to one target group whose protocol the listener can reach. */
function actionsParam(p: Params, ctx: ApiContext, lb: LoadBalancer, protocol: NlbProtocol): Listener['defaultActions'] {
  const actions = readActions(p, 'DefaultActions.member', lb, ctx, false); // no authenticate actions on an NLB
  const a = actions[0]!;
  if (a.type !== 'forward') throw validationError(`A Network Load Balancer listener supports only forward actions, not '${a.type}'`);
  if (a.targetGroups.length !== 1) throw validationError('A Network Load Balancer listener forwards to exactly one target group');
  const tg = requireTg(ctx, a.targetGroups[0]!.targetGroupArn);
  if (!COMPATIBLE[protocol].includes(tg.protocol)) {
    throw validationError(`Listener protocol '${protocol}' is not supported with a target group with the protocol '${tg.protocol}'`);
  }
  return actions;
}

function certificatesParam(p: Params, ctx: ApiContext, protocol: NlbProtocol, current?: string[]): string[] | undefined {
  const arns = p.structs('Certificates.member').map((c) => c.required('CertificateArn'));
  if (protocol === 'TCP') return undefined;
  const chosen = arns.length ? arns : current;
  if (!chosen?.length) throw validationError('A certificate must be specified for TLS listeners');
  for (const arn of chosen) {
    if (!ctx.world.certificates.has(arn)) throw new ApiError('CertificateNotFound', `Certificate '${arn}' not found`);
  }
  return chosen;
}

export async function createNlbListener(p: Params, ctx: ApiContext, lb: LoadBalancer): Promise<string> {
  const protocol = protocolParam(p, undefined);
  const requestedPort = intParam(p, 'Port', 1, 65535);
  if (requestedPort === undefined) throw missingParameter('Port');
  const defaultActions = actionsParam(p, ctx, lb, protocol);
  const certificateArns = certificatesParam(p, ctx, protocol);
  return storeListener(p, ctx, lb, requestedPort, { protocol, defaultActions, certificateArns, defaultPolicy: DEFAULT_TLS_POLICY }, 'net');
}

/** ModifyListener on an NLB listener: unspecified properties keep their values; a protocol change reopens the nodes. */
export async function modifyNlbListener(p: Params, ctx: ApiContext, l: Listener, lb: LoadBalancer): Promise<string> {
  const protocol = protocolParam(p, l.protocol as NlbProtocol);
  const requestedPort = intParam(p, 'Port', 1, 65535);
  checkPortChange(ctx, l, lb, requestedPort);
  const defaultActions = p.structs('DefaultActions.member').length ? actionsParam(p, ctx, lb, protocol) : l.defaultActions;
  const certificateArns = certificatesParam(p, ctx, protocol, l.certificateArns);
  return applyListenerChange(p, ctx, l, requestedPort, { protocol, defaultActions, certificateArns, defaultPolicy: DEFAULT_TLS_POLICY });
}
