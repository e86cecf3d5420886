/**
 * Discovery for Classic Load Balancers: a group's LoadBalancerNames (and traffic sources of type `elb`) lead
 * to DescribeLoadBalancers through the Classic client (API 2012-06-01), and the probe URL is built from the
 * load balancer's DNSName and its HTTP(S) listener, as a client reaches it. Called from discover.ts; a group
 * without Classic Load Balancers costs no call (and no client).
 */
import type { AwsClients } from '../aws/clients.js';
import type { GroupSnapshot } from '../aws/autoscaling.js';
import { classicArn, describeClassicLoadBalancers } from '../aws/elb-classic.js';
import { usageError } from '../core/errors.js';

export interface ClassicLoadBalancerFound {
  arn: string;
  name: string;
  dnsName: string;
  scheme: 'internet-facing' | 'internal';
  type: 'classic';
}

export interface ClassicDiscovery {
  loadBalancers: ClassicLoadBalancerFound[];
  /** The listener the URL is built from; absent when no Classic Load Balancer has an HTTP(S) listener. */
  found?: {
    /** Classic listeners have no ARN: this names one as `<load balancer ARN>/listener/<PROTOCOL>:<port>`. */
    listener: { arn: string; protocol: string; port: number; loadBalancerArn: string };
    url: string;
  };
}

export async function discoverClassic(clients: Pick<AwsClients, 'elbClassic'>, group: GroupSnapshot, path: string | undefined): Promise<ClassicDiscovery> {
  if (group.loadBalancerNames.length === 0) return { loadBalancers: [] };
  const described = await describeClassicLoadBalancers(clients.elbClassic, group.loadBalancerNames, 'discover');
  const loadBalancers: ClassicLoadBalancerFound[] = described.map((l) => ({
    arn: classicArn(group.arn, l.LoadBalancerName ?? ''),
    name: l.LoadBalancerName ?? '',
    dnsName: l.DNSName ?? '',
    scheme: l.Scheme === 'internal' ? 'internal' : 'internet-facing',
    type: 'classic',
  }));
  for (const [i, lb] of described.entries()) {
    const listeners = (lb.ListenerDescriptions ?? []).map((d) => d.Listener).filter((l) => l?.Protocol === 'HTTP' || l?.Protocol === 'HTTPS');
    // Prefer HTTPS: it is what users hit when both exist (HTTP usually only redirects), as for ALB listeners.
    const pick = listeners.find((l) => l!.Protocol === 'HTTPS') ?? listeners[0];
    if (!pick) continue;
    const found = loadBalancers[i]!;
    const protocol = pick.Protocol!.toLowerCase();
    const port = pick.LoadBalancerPort ?? (protocol === 'https' ? 443 : 80);
    const defaultPort = (protocol === 'https' && port === 443) || (protocol === 'http' && port === 80);
    const p = !path ? '/' : path.startsWith('/') ? path : `/${path}`;
    return {
      loadBalancers,
      found: {
        listener: { arn: `${found.arn}/listener/${pick.Protocol}:${port}`, protocol: pick.Protocol!, port, loadBalancerArn: found.arn },
        url: `${protocol}://${found.dnsName}${defaultPort ? '' : `:${port}`}${p}`,
      },
    };
  }
  return { loadBalancers };
}

/** The Classic listener to probe, or the usage error saying there is none. */
export function classicProbeOrRefuse(c: ClassicDiscovery): NonNullable<ClassicDiscovery['found']> {
  if (c.found) return c.found;
  throw usageError(`no HTTP or HTTPS listener on Classic Load Balancer ${c.loadBalancers.map((l) => l.name).join(', ')}`, 'pass --url with the address users reach the service at');
}
