/**
 * How an Application Load Balancer picks the action for a request: its listener's rules in priority order,
 * lowest first, the first rule whose conditions all match wins, else the default action ("Listener rules":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html). Pure: reads the
 * World, changes nothing.
 *
 * Matching, per "Condition types for listener rules"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html):
 * - a condition matches when ANY of its values matches; a rule when ALL its conditions match;
 * - host-header: case-insensitive, `*` (0+ characters) and `?` (exactly one) wildcards;
 * - path-pattern: case-sensitive, same wildcards, on the path only (not the query string);
 * - http-header: header name and values case-insensitive, wildcards;
 * - query-string: key/value pairs (key optional), case-insensitive, wildcards;
 * - http-request-method: case-sensitive, exact;
 * - source-ip: the client's address within one of the CIDR blocks.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Listener, ListenerAction, RuleCondition } from '../world/types.js';
import type { World } from '../world/world.js';
import { cidrContains } from './network.js';

export interface RequestFacts {
  /** The Host header's name part (no port). */
  host: string;
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  method: string;
  headers: IncomingHttpHeaders;
  sourceIp: string;
}

export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

function queryPairs(query: string): [string, string][] {
  try {
    return [...new URLSearchParams(query)];
  } catch {
    return [];
  }
}

export function conditionMatches(c: RuleCondition, req: RequestFacts): boolean {
  switch (c.field) {
    case 'host-header':
      return c.values.some((v) => wildcardMatch(v, req.host, true));
    case 'path-pattern':
      return c.values.some((v) => wildcardMatch(v, req.path, false));
    case 'http-header': {
      const raw = req.headers[(c.httpHeaderName ?? '').toLowerCase()];
      if (raw === undefined) return false;
      const got = Array.isArray(raw) ? raw : [raw];
      return c.values.some((v) => got.some((g) => wildcardMatch(v, g, true)));
    }
    case 'query-string': {
      const pairs = queryPairs(req.query);
      return (c.queryPairs ?? []).some((q) => pairs.some(([k, v]) => (q.key === undefined || wildcardMatch(q.key, k, true)) && wildcardMatch(q.value, v, true)));
    }
    case 'http-request-method':
      return c.values.includes(req.method);
    case 'source-ip':
      return c.values.some((cidr) => cidrContains(cidr, req.sourceIp));
  }
}

/** The actions that serve this request, in order (ending with the routing one), and the rule that chose them. */
export function decide(world: World, listener: Listener, req: RequestFacts): { actions: ListenerAction[]; rule: string } {
  const rules = [...world.rules.values()].filter((r) => r.listenerArn === listener.listenerArn).sort((a, b) => a.priority - b.priority);
  for (const r of rules) {
    if (r.conditions.every((c) => conditionMatches(c, req))) return { actions: r.actions, rule: r.ruleArn };
  }
  return { actions: listener.defaultActions, rule: 'default' };
}

/**
 * What an authentication action does with a request (ALB user guide, "Authenticate users"): a request that
 * carries the session cookie (`<name>-0`, … as the ALB shards it) goes on to the next action (the sandbox has
 * no IdP and does not check the session); one without it is denied (401), let through (allow), or sent to
 * the IdP's authorization endpoint (302, the default `authenticate`).
 */
export function authenticationOutcome(
  a: Extract<ListenerAction, { type: 'authenticate-oidc' | 'authenticate-cognito' }>,
  req: RequestFacts,
  region: string,
): { next: true } | { status: 401 } | { status: 302; location: string } {
  const cookies = String(req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('=')[0]!);
  const name = a.authenticate.sessionCookieName;
  if (cookies.some((c) => c === name || c.startsWith(`${name}-`))) return { next: true };
  const on = a.authenticate.onUnauthenticatedRequest;
  if (on === 'allow') return { next: true };
  if (on === 'deny') return { status: 401 };
  const f = a.authenticate.fields;
  const endpoint = a.type === 'authenticate-oidc' ? f.AuthorizationEndpoint! : `https://${f.UserPoolDomain}.auth.${region}.amazoncognito.com/oauth2/authorize`;
  const q = new URLSearchParams({ response_type: 'code', client_id: f.ClientId ?? f.UserPoolClientId ?? '', scope: f.Scope ?? 'openid', ...a.authenticate.extraParams });
  return { status: 302, location: `${endpoint}${endpoint.includes('?') ? '&' : '?'}${q.toString()}` };
}

/**
 * Weighted forwards: "each target group weight is a value from 0 to 999 … requests are distributed to the
 * target groups based on their weight" (ForwardActionConfig). Smooth weighted round-robin keeps the split
 * exact over any window of `total` requests and interleaves the groups, and a weight of 0 never gets one.
 */
export class WeightedPicker {
  private readonly state = new WeakMap<ListenerAction, number[]>();

  pick(action: Extract<ListenerAction, { type: 'forward' }>): string | undefined {
    const groups = action.targetGroups;
    const total = groups.reduce((n, g) => n + g.weight, 0);
    if (total === 0) return undefined;
    let cur = this.state.get(action);
    if (!cur || cur.length !== groups.length) this.state.set(action, (cur = groups.map(() => 0)));
    let best = -1;
    for (const [i, g] of groups.entries()) {
      cur[i]! += g.weight;
      if (g.weight > 0 && (best < 0 || cur[i]! > cur[best]!)) best = i;
    }
    cur[best]! -= total;
    return groups[best]!.targetGroupArn;
  }
}

/** Every target group a listener can forward to (its rules and its default action). */
export function targetGroupsOfListener(world: World, listener: Listener): string[] {
  const out = new Set<string>();
  const add = (actions: ListenerAction[]) => {
    for (const a of actions) if (a.type === 'forward') for (const g of a.targetGroups) out.add(g.targetGroupArn);
  };
  add(listener.defaultActions);
  for (const r of world.rules.values()) if (r.listenerArn === listener.listenerArn) add(r.actions);
  return [...out];
}

/**
 * The Location of a redirect: each `#{protocol}`, `#{host}`, `#{port}`, `#{path}`, `#{query}` is the
 * request's own ("Redirect actions", ALB user guide). The port is left out when it is the protocol's default.
 */
export function redirectLocation(cfg: Extract<ListenerAction, { type: 'redirect' }>['redirect'], req: RequestFacts, listener: Listener): string {
  const fill = (s: string) =>
    s
      .replace(/#\{protocol\}/g, listener.protocol)
      .replace(/#\{host\}/g, req.host)
      .replace(/#\{port\}/g, String(listener.port))
      .replace(/#\{path\}/g, req.path.replace(/^\//, ''))
      .replace(/#\{query\}/g, req.query);
  const protocol = fill(cfg.protocol).toLowerCase();
  const port = fill(cfg.port);
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  const query = fill(cfg.query);
  return `${protocol}://${fill(cfg.host)}${defaultPort ? '' : `:${port}`}${fill(cfg.path)}${query ? `?${query}` : ''}`;
}
