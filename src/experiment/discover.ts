/**
 * Discovery: from an Auto Scaling group to what users hit. The group's target groups lead to their load
 * balancers and to the listener that forwards to them; the probe URL is built from that listener exactly as a
 * client reaches the service (protocol, DNS name, port), unless --url says otherwise (e.g. a Route 53 name).
 */
import type { Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.js';
import { describeGroup, type GroupSnapshot } from '../aws/autoscaling.js';
import { describeListeners, describeLoadBalancers, describeTargetGroups } from '../aws/elbv2.js';
import { whoAmI, type Identity } from '../aws/sts.js';
import { usageError } from '../core/errors.js';

export interface Discovery {
  identity: Identity;
  region: string;
  group: GroupSnapshot;
  targetGroups: { arn: string; name: string; loadBalancerArns: string[] }[];
  loadBalancers: DiscoveredLoadBalancer[];
  /** The listener the URL was built from (absent when --url was given or none matched). */
  listener?: DiscoveredListener;
  /**
   * Host header and TLS SNI of the probe, from the chosen rule's host-header condition: a production HTTPS
   * certificate covers the service's own name, never the load balancer's DNS name. Absent → the URL's hostname.
   */
  host?: string;
  url: string;
}

export interface DiscoveredLoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  /** `internal` load balancers answer only from inside their VPC (their DNS name resolves to private addresses). */
  scheme: 'internet-facing' | 'internal';
  type: 'application' | 'network' | 'classic';
}

export interface DiscoveredListener {
  arn: string;
  loadBalancerArn: string;
  protocol: string;
  port: number;
  /** The rule that forwards the probe's request to the group (priority 'default' for the default action). */
  rule?: { arn: string; priority: string; conditions: string[]; why: string };
  /** Weighted forwards only: the group's target groups' weight out of the forward's total. */
  weight?: { weight: number; total: number; share: number };
}

export interface DiscoverOptions {
  asg: string;
  /** Overrides the URL built from the listener. */
  url?: string;
  /** Path appended to the listener URL (default '/'). */
  path?: string;
}

export async function discover(clients: AwsClients, opts: DiscoverOptions): Promise<Discovery> {
  const identity = await whoAmI(clients.sts);
  const group = await describeGroup(clients.asg, opts.asg, 'discover');
  const tgs = await describeTargetGroups(clients.elb, group.targetGroupArns, 'discover');
  const targetGroups = tgs.map((t) => ({ arn: t.TargetGroupArn!, name: t.TargetGroupName ?? '', loadBalancerArns: t.LoadBalancerArns ?? [] }));
  const lbArns = [...new Set(targetGroups.flatMap((t) => t.loadBalancerArns))];
  const lbs = await describeLoadBalancers(clients.elb, lbArns, 'discover');
  const loadBalancers: DiscoveredLoadBalancer[] = lbs.map((l) => ({
    arn: l.LoadBalancerArn!,
    name: l.LoadBalancerName ?? '',
    dnsName: l.DNSName ?? '',
    scheme: l.Scheme === 'internal' ? 'internal' : 'internet-facing',
    type: l.Type === 'network' ? 'network' : 'application',
  }));

  const base = { identity, region: clients.region, group, targetGroups, loadBalancers };
  if (opts.url) return { ...base, url: opts.url };
  if (loadBalancers.length === 0) {
    throw usageError(
      `Auto Scaling group '${group.name}' has no load balancer target groups, so there is nothing to probe`,
      'attach the group to a target group, or pass --url with the address users reach it at',
    );
  }
  const tgSet = new Set(group.targetGroupArns);
  for (const lb of loadBalancers) {
    const listeners = await describeListeners(clients.elb, lb.arn, 'discover');
    const match = pickListener(listeners, tgSet);
    if (match) {
      const protocol = (match.Protocol ?? 'HTTP').toLowerCase();
      const port = match.Port ?? (protocol === 'https' ? 443 : 80);
      const defaultPort = (protocol === 'https' && port === 443) || (protocol === 'http' && port === 80);
      const path = normalisePath(opts.path);
      return {
        ...base,
        listener: { arn: match.ListenerArn!, loadBalancerArn: lb.arn, protocol: match.Protocol ?? 'HTTP', port },
        url: `${protocol}://${lb.dnsName}${defaultPort ? '' : `:${port}`}${path}`,
      };
    }
  }
  throw usageError(`no listener of ${loadBalancers.map((l) => l.name).join(', ')} forwards to the group's target groups`, 'pass --url with the address users reach the service at');
}

/** A listener whose default action forwards to one of the group's target groups; HTTP(S) only. */
function pickListener(listeners: Listener[], tgSet: Set<string>): Listener | undefined {
  const forwards = (l: Listener) =>
    (l.DefaultActions ?? []).some(
      (a) =>
        a.Type === 'forward' && ((a.TargetGroupArn && tgSet.has(a.TargetGroupArn)) || (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn && tgSet.has(t.TargetGroupArn))),
    );
  const candidates = listeners.filter((l) => (l.Protocol === 'HTTP' || l.Protocol === 'HTTPS') && forwards(l));
  // Prefer HTTPS: it is what users hit when both exist (HTTP usually only redirects).
  return candidates.find((l) => l.Protocol === 'HTTPS') ?? candidates[0];
}

function normalisePath(path: string | undefined): string {
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}
