/**
 * Discovery: from an Auto Scaling group to what users hit. The group's target groups lead to their load
 * balancers, their listeners and the listeners' rules (DescribeRules); listener-choice.ts picks the forward
 * the probe's request really reaches, and the probe URL is built from it exactly as a client reaches the
 * service (protocol, DNS name, port, the rule's host as Host/SNI and its literal path), unless --url says
 * otherwise (e.g. a Route 53 name). Read-only: a reason to refuse (weight 0) is carried to planning.
 */
import type { AwsClients } from '../aws/clients.js';
import { describeGroup, type GroupSnapshot } from '../aws/autoscaling.js';
import { describeListeners, describeLoadBalancers, describeRules, describeTargetGroups } from '../aws/elbv2.js';
import { whoAmI, type Identity } from '../aws/sts.js';
import { usageError } from '../core/errors.js';
import { classicProbeOrRefuse, discoverClassic } from './discover-classic.js';
import { chooseListener, type Candidate, type Choice, type ListenerInput, type ProbeProtocol } from './listener-choice.js';

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
  /** What the probe speaks through the listener (absent with --url: the URL's scheme says). */
  probeProtocol?: ProbeProtocol;
  /** Forwards to the group that were not chosen because the probe's request would not reach them, and why. */
  skipped?: SkippedForward[];
  /**
   * Discovery found why the run must not go on (the group's share of the listener's traffic is 0). Raised in
   * planning (plan.ts checkTraffic) so the refusal is reported like any other: exit 3, nothing injected.
   */
  refusal?: { reason: string; hint: string };
  url: string;
}

export interface SkippedForward {
  loadBalancer: string;
  /** "HTTPS:443" */
  listener: string;
  /** The rule's priority, 'default' for the default action. */
  rule: string;
  conditions: string[];
  reason: string;
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
  /** --path: appended to the listener URL; '/' or absent lets a rule's literal path-pattern decide. */
  path?: string;
  /** --host: Host header and SNI; also what host-header conditions are matched against. */
  host?: string;
  /** --method and --header: what http-request-method and http-header conditions are matched against. */
  method?: string;
  headers?: Record<string, string>;
  /** --probe tcp: a connect-only probe (an NLB whose targets do not speak HTTP). */
  probe?: 'http' | 'tcp';
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

  // Classic Load Balancers (LoadBalancerNames / elb traffic sources): discover-classic.ts.
  const classic = await discoverClassic(clients, group, opts.path);
  const base = { identity, region: clients.region, group, targetGroups, loadBalancers: [...loadBalancers, ...classic.loadBalancers] };
  if (loadBalancers.length === 0 && classic.loadBalancers.length > 0) return opts.url ? { ...base, url: opts.url } : { ...base, ...classicProbeOrRefuse(classic) };
  if (loadBalancers.length === 0) {
    if (opts.url) return { ...base, url: opts.url };
    throw usageError(
      `Auto Scaling group '${group.name}' has no load balancer target groups, so there is nothing to probe`,
      'attach the group to a target group, or pass --url with the address users reach it at',
    );
  }
  const choice = chooseListener({
    listeners: await listenersOf(clients, loadBalancers),
    targetGroups: new Map(tgs.map((t) => [t.TargetGroupArn!, { name: t.TargetGroupName ?? '', ...(t.HealthCheckProtocol ? { healthCheckProtocol: t.HealthCheckProtocol } : {}) }])),
    request: {
      ...(opts.host ? { host: opts.host } : {}),
      // The option table defaults --path to '/': that cannot be told from an explicit '--path /', and both
      // mean "the root", which a rule's literal path replaces (a request for '/' would not reach that rule).
      ...(opts.path && opts.path !== '/' ? { path: opts.path } : {}),
      method: opts.method ?? 'GET',
      headers: opts.headers ?? {},
    },
    ...(opts.probe ? { probe: opts.probe } : {}),
    urlGiven: opts.url !== undefined,
  });
  return assemble(base, choice, opts);
}

/** Every HTTP(S) listener of an ALB and TCP/TLS listener of an NLB with its rules, in load balancer order. */
async function listenersOf(clients: AwsClients, loadBalancers: DiscoveredLoadBalancer[]): Promise<ListenerInput[]> {
  const out: ListenerInput[] = [];
  for (const lb of loadBalancers) {
    for (const listener of await describeListeners(clients.elb, lb.arn, 'discover')) {
      // Only ALB HTTP(S) listeners have rules; an NLB listener is its default action.
      const rules = lb.type === 'application' && (listener.Protocol === 'HTTP' || listener.Protocol === 'HTTPS') ? await describeRules(clients.elb, listener.ListenerArn!, 'discover') : [];
      out.push({ lb, listener, rules });
    }
  }
  return out;
}

type Base = Omit<Discovery, 'url' | 'listener' | 'host'>;

function assemble(base: Base, choice: Choice, opts: DiscoverOptions): Discovery {
  const c = choice.chosen;
  const refusal =
    c?.weight?.share === 0
      ? { reason: `${where(c)}: the group's target groups have weight 0 of ${c.weight.total}, so the probe would pass while the group gets no traffic`, hint: ZERO_HINT }
      : undefined;
  if (opts.url) {
    // The user's URL is probed as given; the forwards only say whether the group gets any traffic at all.
    return { ...base, url: opts.url, ...(opts.host ? { host: opts.host } : {}), ...(refusal ? { refusal } : {}) };
  }
  if (!c) {
    const names = base.loadBalancers.map((l) => l.name).join(', ');
    if (choice.candidates.length === 0) throw usageError(`no listener of ${names} forwards to the group's target groups`, 'pass --url with the address users reach the service at');
    const tcpOnly = choice.skipped.every((s) => s.skip?.includes('--probe tcp'));
    throw usageError(
      `no forward to the group's target groups is reachable by the probe's request: ${choice.skipped.map((s) => `${where(s)}: ${s.skip}`).join('; ')}`,
      tcpOnly ? 'pass --probe tcp for a connect-only probe, or --url' : 'pass what the rule needs (--host, --path, --header, --method), or --url with the address users reach the service at',
    );
  }
  return {
    ...base,
    listener: {
      arn: c.listenerArn,
      loadBalancerArn: c.lb.arn,
      protocol: c.protocol,
      port: c.port,
      rule: { arn: c.ruleArn, priority: c.priority, conditions: c.conditions, why: c.why },
      ...(c.weight ? { weight: c.weight } : {}),
    },
    ...(c.host ? { host: c.host } : {}),
    probeProtocol: c.probeProtocol ?? 'http',
    skipped: choice.skipped.map(skippedEntry),
    ...(refusal ? { refusal } : {}),
    url: probeUrl(c, opts.path),
  };
}

const ZERO_HINT = 'the group gets no traffic from this listener: probe the target group that serves, or shift weight to the group first';

function where(c: Candidate): string {
  return `${c.lb.name} ${c.protocol}:${c.port} ${c.priority === 'default' ? 'default action' : `rule ${c.priority}`}`;
}

function skippedEntry(c: Candidate): SkippedForward {
  return { loadBalancer: c.lb.name, listener: `${c.protocol}:${c.port}`, rule: c.priority, conditions: c.conditions, reason: c.skip ?? '' };
}

/**
 * The URL the probe is given for a chosen forward: the load balancer's DNS name and the listener's port, the
 * user's --path or the rule's own. A connect-only probe still takes an http(s) URL (the probe reads host and
 * port from it; `tcp:` has no origin): https on a TLS/HTTPS listener, else http.
 */
export function probeUrl(c: Pick<Candidate, 'probeProtocol' | 'protocol' | 'port' | 'lb' | 'request'>, userPath?: string): string {
  const protocol = c.probeProtocol ?? 'http';
  const scheme = protocol !== 'tcp' ? protocol : c.protocol === 'TLS' || c.protocol === 'HTTPS' ? 'https' : 'http';
  const defaultPort = (scheme === 'https' && c.port === 443) || (scheme === 'http' && c.port === 80);
  const path = userPath && userPath !== '/' ? normalisePath(userPath) : c.request.path;
  return `${scheme}://${c.lb.dnsName}${defaultPort ? '' : `:${c.port}`}${path}`;
}

function normalisePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}
