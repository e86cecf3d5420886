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
import { classicProbeOrRefuse, discoverClassic } from './discover-classic.js';

export interface Discovery {
  identity: Identity;
  region: string;
  group: GroupSnapshot;
  targetGroups: { arn: string; name: string; loadBalancerArns: string[] }[];
  loadBalancers: { arn: string; name: string; dnsName: string }[];
  /** The listener the URL was built from (absent when --url was given or none matched). */
  listener?: { arn: string; protocol: string; port: number };
  url: string;
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
  const loadBalancers = lbs.map((l) => ({ arn: l.LoadBalancerArn!, name: l.LoadBalancerName ?? '', dnsName: l.DNSName ?? '' }));

  // Classic Load Balancers (LoadBalancerNames / elb traffic sources): discover-classic.ts.
  const classic = await discoverClassic(clients, group, opts.path);
  const base = { identity, region: clients.region, group, targetGroups, loadBalancers: [...loadBalancers, ...classic.loadBalancers] };
  if (opts.url) return { ...base, url: opts.url };
  if (loadBalancers.length === 0 && classic.loadBalancers.length > 0) return { ...base, ...classicProbeOrRefuse(classic) };
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
        listener: { arn: match.ListenerArn!, protocol: match.Protocol ?? 'HTTP', port },
        url: `${protocol}://${lb.dnsName}${defaultPort ? '' : `:${port}`}${path}`,
      };
    }
  }
  if (classic.found) return { ...base, ...classic.found };
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
