/**
 * PURE: which listener and rule the probe goes through, from SDK-shaped listeners and rules. Every forward to
 * one of the group's target groups (a listener's default action, a rule, plain or weighted) is a candidate;
 * a candidate is usable when the request the probe would send for it really reaches it: its conditions met
 * (host-header and a literal path-pattern fill themselves in; headers, query, method and source address only
 * from what the user passes), no authentication in front of it the probe cannot pass, and no earlier rule of
 * the listener matching the same request first (rules are evaluated in priority order, the default last, as
 * the load balancer does: "Listener rules", ELB user guide, listener-rules.html).
 *
 * Choice, deterministic: traffic share > 0 first (a weight-0 forward sends the group nothing, so probing it
 * would pass while the group under test is idle), then ALB HTTP(S) before NLB, HTTPS (TLS) before HTTP (TCP),
 * the most specific conditions, then load balancer name, port and priority.
 */
import type { Action, Listener, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { check, concreteHost, describeCondition, matchesAll, requestFor, type ProbeRequest, type RequestOptions } from './rule-conditions.js';

export type ProbeProtocol = 'http' | 'https' | 'tcp';

export interface LoadBalancerInput {
  arn: string;
  name: string;
  dnsName: string;
  type: 'application' | 'network' | 'classic';
}

export interface ListenerInput {
  lb: LoadBalancerInput;
  listener: Listener;
  /** DescribeRules of the listener, the default rule included (empty: the default actions stand alone). */
  rules: Rule[];
}

export interface ChoiceInput {
  listeners: ListenerInput[];
  /** The group's target groups, by ARN: name and health check protocol (an NLB's probe speaks it). */
  targetGroups: Map<string, { name: string; healthCheckProtocol?: string }>;
  request: RequestOptions;
  /** --probe tcp: a connect-only probe. */
  probe?: 'http' | 'tcp';
  /** --url given: the user's URL carries what rules need; the choice only says which forward and its share. */
  urlGiven: boolean;
}

export interface Candidate {
  lb: LoadBalancerInput;
  listenerArn: string;
  protocol: string;
  port: number;
  ruleArn: string;
  /** 'default' for the default action. */
  priority: string;
  conditions: string[];
  /** The group's target group names this forward sends to. */
  targetGroups: string[];
  weight?: { weight: number; total: number; share: number };
  /** The request the probe sends through it. */
  request: ProbeRequest;
  /** Host and SNI from the rule's host-header (or --host); absent → the load balancer's DNS name. */
  host?: string;
  probeProtocol?: ProbeProtocol;
  specificity: number;
  /** Why it is not usable (absent: usable). */
  skip?: string;
}

export interface Choice {
  chosen?: Candidate & { why: string };
  /** Candidates not chosen because they are not usable, with the reason (shown in the plan). */
  skipped: Candidate[];
  /** Every candidate (usable or not), in preference order. */
  candidates: Candidate[];
}

const HTTP_LISTENERS = new Set(['HTTP', 'HTTPS']);
const NLB_LISTENERS = new Set(['TCP', 'TLS', 'TCP_UDP']);
const AUTH_ACTIONS = new Set(['authenticate-oidc', 'authenticate-cognito', 'jwt-validation']);

export function chooseListener(input: ChoiceInput): Choice {
  const candidates = input.listeners.flatMap((l) => candidatesOf(l, input));
  const order = (c: Candidate) => [
    c.skip ? 1 : 0,
    c.weight?.share === 0 ? 1 : 0,
    c.lb.type === 'application' ? 0 : 1,
    c.protocol === 'HTTPS' || c.protocol === 'TLS' ? 0 : 1,
    -c.specificity,
  ];
  const sorted = [...candidates].sort((a, b) => compare(order(a), order(b)) || a.lb.name.localeCompare(b.lb.name) || a.port - b.port || priorityNumber(a) - priorityNumber(b));
  const usable = sorted.filter((c) => !c.skip);
  // A usable forward with weight 0 is chosen only when every usable one has weight 0: the caller refuses then.
  const first = usable[0];
  const zero = (c: Candidate) => `weight 0 of ${c.weight!.total}: the group gets no traffic from this forward`;
  const skipped = sorted.filter((c) => c !== first && (c.skip || c.weight?.share === 0)).map((c) => (c.skip ? c : { ...c, skip: zero(c) }));
  return {
    ...(first ? { chosen: { ...first, why: whyChosen(first, usable, input.urlGiven) } } : {}),
    skipped,
    candidates: sorted,
  };
}

function candidatesOf({ lb, listener, rules }: ListenerInput, input: ChoiceInput): Candidate[] {
  const protocol = listener.Protocol ?? '';
  const isHttp = lb.type === 'application' && HTTP_LISTENERS.has(protocol);
  const isNlb = lb.type === 'network' && NLB_LISTENERS.has(protocol);
  if (!isHttp && !isNlb) return [];
  // Without rules (an NLB listener has none; an endpoint without DescribeRules) the default actions are the rule.
  const all: Rule[] = rules.length ? rules : [{ RuleArn: listener.ListenerArn, Priority: 'default', IsDefault: true, Conditions: [], Actions: listener.DefaultActions ?? [] }];
  const ordered = [...all].sort((a, b) => ruleOrder(a) - ruleOrder(b));
  const out: Candidate[] = [];
  for (const rule of ordered) {
    const fwd = forwardOf(rule.Actions ?? [], input.targetGroups);
    if (!fwd) continue;
    const conditions = rule.Conditions ?? [];
    const request = requestFor(conditions, input.request, lb.dnsName);
    const host = input.request.host ?? concreteHost(conditions);
    const c: Candidate = {
      lb,
      listenerArn: listener.ListenerArn ?? '',
      protocol,
      port: listener.Port ?? (protocol === 'HTTPS' || protocol === 'TLS' ? 443 : 80),
      ruleArn: rule.RuleArn ?? listener.ListenerArn ?? '',
      priority: rule.IsDefault ? 'default' : (rule.Priority ?? 'default'),
      conditions: conditions.map(describeCondition),
      targetGroups: fwd.names,
      ...(fwd.weight ? { weight: fwd.weight } : {}),
      request,
      ...(host ? { host } : {}),
      specificity: specificity(conditions),
    };
    const proto = probeProtocolOf(c, fwd.arns, input);
    const skip = 'skip' in proto ? proto.skip : input.urlGiven ? undefined : unmet(rule, conditions, request, input.request, ordered, c.port);
    if ('protocol' in proto) c.probeProtocol = proto.protocol;
    if (skip) c.skip = skip;
    out.push(c);
  }
  return out;
}

/** Why the probe's request for this rule does not reach it (undefined: it does). */
function unmet(rule: Rule, conditions: RuleCondition[], req: ProbeRequest, opts: RequestOptions, ordered: Rule[], port: number): string | undefined {
  for (const c of conditions) {
    const r = check(c, req, opts);
    if (!r.met) return r.reason;
  }
  const auth = authNeed(rule.Actions ?? [], opts.headers);
  if (auth) return auth;
  // An earlier rule that matches the same request takes it: this one never sees the probe's traffic.
  const first = ordered.find((r) => matchesAll(r.Conditions ?? [], req));
  if (first && first !== rule)
    return `shadowed by ${ruleLabel(first)}${(first.Conditions ?? []).length ? ` (${(first.Conditions ?? []).map(describeCondition).join(', ')})` : ''}, which takes the same request first on port ${port}`;
  return undefined;
}

/** Authentication before the forward: the probe passes it only with the credential it checks. */
function authNeed(actions: Action[], headers: Record<string, string>): string | undefined {
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  for (const a of [...actions].sort((x, y) => (x.Order ?? 0) - (y.Order ?? 0))) {
    if (!a.Type || !AUTH_ACTIONS.has(a.Type)) continue;
    if (a.Type === 'jwt-validation') {
      if (!has('authorization')) return "jwt-validation in front of the forward needs --header 'Authorization: Bearer …'";
      continue;
    }
    // OIDC/Cognito let unauthenticated requests through when told to ("allow"); otherwise the session cookie.
    const behaviour = a.Type === 'authenticate-oidc' ? a.AuthenticateOidcConfig?.OnUnauthenticatedRequest : a.AuthenticateCognitoConfig?.OnUnauthenticatedRequest;
    if (behaviour === 'allow') continue;
    if (!has('cookie')) return `${a.Type} in front of the forward needs --header 'Cookie: AWSELBAuthSessionCookie-0=…' (a logged-in session)`;
  }
  return undefined;
}

/** The forward to the group's target groups in these actions, with its weight when weighted. */
function forwardOf(actions: Action[], tgs: ChoiceInput['targetGroups']): { arns: string[]; names: string[]; weight?: Candidate['weight'] } | undefined {
  const fwd = actions.find((a) => a.Type === 'forward');
  if (!fwd) return undefined;
  const tuples = fwd.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length === 0) {
    if (!fwd.TargetGroupArn || !tgs.has(fwd.TargetGroupArn)) return undefined;
    return { arns: [fwd.TargetGroupArn], names: [tgs.get(fwd.TargetGroupArn)!.name] };
  }
  const ours = tuples.filter((t) => t.TargetGroupArn && tgs.has(t.TargetGroupArn));
  if (ours.length === 0) return undefined;
  const arns = ours.map((t) => t.TargetGroupArn!);
  const names = arns.map((a) => tgs.get(a)!.name);
  // A weight left out counts 1 (the API's default); a single target group with no weight given is not "weighted".
  const w = (t: { Weight?: number | undefined }) => t.Weight ?? 1;
  const weighted = tuples.length > 1 || tuples.some((t) => t.Weight !== undefined && t.Weight !== 1);
  if (!weighted) return { arns, names };
  const total = tuples.reduce((s, t) => s + w(t), 0);
  const weight = ours.reduce((s, t) => s + w(t), 0);
  return { arns, names, weight: { weight, total, share: total > 0 ? weight / total : 0 } };
}

/**
 * What the probe speaks through this listener. An NLB passes bytes through: HTTP(S) only when the target
 * group's health check says the targets speak it (a TLS listener terminates TLS itself → https); anything
 * else needs --probe tcp, a connect-only probe.
 */
function probeProtocolOf(c: Candidate, arns: string[], input: ChoiceInput): { protocol: ProbeProtocol } | { skip: string } {
  if (input.probe === 'tcp') return { protocol: 'tcp' };
  if (c.lb.type === 'application') return { protocol: c.protocol === 'HTTPS' ? 'https' : 'http' };
  const hc = arns.map((a) => input.targetGroups.get(a)?.healthCheckProtocol ?? 'TCP');
  const http = hc.find((p) => p === 'HTTP' || p === 'HTTPS');
  if (!http) {
    return { skip: `target group ${c.targetGroups.join(', ')} health-checks over ${hc[0]}, so its targets may not speak HTTP: pass --probe tcp for a connect-only probe` };
  }
  return { protocol: c.protocol === 'TLS' || http === 'HTTPS' ? 'https' : 'http' };
}

function whyChosen(c: Candidate, usable: Candidate[], urlGiven: boolean): string {
  const what = `${c.priority === 'default' ? 'the default action' : `rule ${c.priority}`} forwards to ${c.targetGroups.join(', ')}`;
  const reasons: string[] = [];
  if (c.weight?.share === 0) reasons.push('every forward to the group that the probe reaches has weight 0');
  else if (urlGiven) reasons.push("--url given: the probe goes there; this forward decides the group's share of the traffic");
  else if (usable.length === 1) reasons.push("the only forward to the group that the probe's request reaches");
  else {
    const others = usable.filter((o) => o !== c);
    if (c.lb.type === 'application' && others.some((o) => o.lb.type === 'network')) reasons.push('ALB HTTP(S) listener preferred over NLB');
    const secure = c.protocol === 'HTTPS' || c.protocol === 'TLS';
    if (secure && others.some((o) => o.protocol === 'HTTP' || o.protocol === 'TCP')) reasons.push(`${c.protocol} preferred over ${c.protocol === 'TLS' ? 'TCP' : 'HTTP'}`);
    if (others.some((o) => o.protocol === c.protocol && o.specificity < c.specificity)) reasons.push('the most specific usable rule');
    if (reasons.length === 0) reasons.push('first of equally good forwards by load balancer name, port and priority');
  }
  return `${what}; ${reasons.join('; ')}`;
}

function specificity(conditions: RuleCondition[]): number {
  // More conditions first; among equals, concrete values (no wildcard) first.
  const concrete = conditions.filter((c) => [...(c.Values ?? []), ...(c.HostHeaderConfig?.Values ?? []), ...(c.PathPatternConfig?.Values ?? [])].some((v) => !/[*?]/.test(v))).length;
  return conditions.length * 10 + concrete;
}

function ruleOrder(r: Rule): number {
  return r.IsDefault || r.Priority === 'default' || r.Priority === undefined ? Number.MAX_SAFE_INTEGER : Number(r.Priority);
}

function priorityNumber(c: Candidate): number {
  return c.priority === 'default' ? Number.MAX_SAFE_INTEGER : Number(c.priority);
}

export function ruleLabel(r: Rule): string {
  return r.IsDefault || r.Priority === 'default' ? 'the default action' : `rule ${r.Priority}`;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
