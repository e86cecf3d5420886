/**
 * PURE: listener rule conditions as an Application Load Balancer evaluates them, against the one request the
 * probe will send. Semantics from "Condition types for listener rules" (ELB user guide,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html): the values
 * of one condition are OR'ed, a rule's conditions are AND'ed; `*` matches 0 or more characters and `?` exactly
 * one; host names, header values and query strings compare case-insensitively, paths and methods do not; a
 * path-pattern sees the path without its query string.
 */
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';

/** The request the probe sends through a listener. */
export interface ProbeRequest {
  /** Host header (the --host name, a rule's concrete host-header value, or the load balancer's DNS name). */
  host: string;
  /** Path without the query string. */
  path: string;
  query: [string, string][];
  method: string;
  headers: Record<string, string>;
}

/** What the user told the probe to send: it decides which rule conditions the probe meets. */
export interface RequestOptions {
  /** --host: the Host header and SNI. */
  host?: string;
  /** --path as given (may carry a query string); undefined when not given. */
  path?: string;
  method: string;
  headers: Record<string, string>;
}

export type ConditionCheck = { met: true } | { met: false; reason: string };

function values(c: RuleCondition): string[] {
  const f = c.Field;
  const cfg =
    f === 'host-header'
      ? c.HostHeaderConfig
      : f === 'path-pattern'
        ? c.PathPatternConfig
        : f === 'http-header'
          ? c.HttpHeaderConfig
          : f === 'http-request-method'
            ? c.HttpRequestMethodConfig
            : f === 'source-ip'
              ? c.SourceIpConfig
              : undefined;
  // `Values` on the condition itself is the older form of host-header and path-pattern (still returned).
  return cfg?.Values ?? c.Values ?? [];
}

function regexValues(c: RuleCondition): string[] {
  return (c.Field === 'host-header' ? c.HostHeaderConfig?.RegexValues : c.Field === 'path-pattern' ? c.PathPatternConfig?.RegexValues : c.HttpHeaderConfig?.RegexValues) ?? [];
}

const hasWildcard = (v: string) => /[*?]/.test(v);

function wildcard(pattern: string, value: string, caseless: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseless ? 'is' : 's').test(value);
}

function regex(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

/** Human text of a condition, as the plan shows it: "host-header shop.example.test", "http-header X-Canary: on". */
export function describeCondition(c: RuleCondition): string {
  const f = c.Field ?? '?';
  const alt = (vs: string[]) => vs.join(' | ');
  if (f === 'http-header') return `http-header ${c.HttpHeaderConfig?.HttpHeaderName ?? '?'}: ${alt([...values(c), ...regexValues(c).map((r) => `~${r}`)])}`;
  if (f === 'query-string') return `query-string ${alt((c.QueryStringConfig?.Values ?? []).map((p) => (p.Key ? `${p.Key}=${p.Value ?? ''}` : (p.Value ?? ''))))}`;
  return `${f} ${alt([...values(c), ...regexValues(c).map((r) => `~${r}`)])}`;
}

/** The first host-header value without a wildcard: the service's own name (the probe's Host and SNI). */
export function concreteHost(conditions: RuleCondition[]): string | undefined {
  const c = conditions.find((x) => x.Field === 'host-header');
  return c
    ? values(c)
        .find((v) => !hasWildcard(v))
        ?.toLowerCase()
    : undefined;
}

/** The first path-pattern value without a wildcard: a path the rule certainly receives. */
export function literalPath(conditions: RuleCondition[]): string | undefined {
  const c = conditions.find((x) => x.Field === 'path-pattern');
  return c ? values(c).find((v) => !hasWildcard(v)) : undefined;
}

/** Whether a source-ip condition covers every address (0.0.0.0/0, ::/0): only then does the probe meet it. */
function everyAddress(c: RuleCondition): boolean {
  return values(c).some((v) => v === '0.0.0.0/0' || v === '::/0');
}

/** Does the request match this condition? A source-ip condition the probe cannot know it meets does not. */
export function matches(c: RuleCondition, req: ProbeRequest): boolean {
  switch (c.Field ?? '') {
    case 'host-header':
      return values(c).some((v) => wildcard(v, req.host, true)) || regexValues(c).some((r) => regex(r, req.host));
    case 'path-pattern':
      return values(c).some((v) => wildcard(v, req.path, false)) || regexValues(c).some((r) => regex(r, req.path));
    case 'http-request-method':
      return values(c).includes(req.method);
    case 'http-header': {
      const name = (c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
      const given = Object.entries(req.headers).find(([k]) => k.toLowerCase() === name)?.[1];
      if (given === undefined) return false;
      return values(c).some((v) => wildcard(v, given, true)) || regexValues(c).some((r) => regex(r, given));
    }
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).some((p) => req.query.some(([k, v]) => (p.Key === undefined || wildcard(p.Key, k, true)) && wildcard(p.Value ?? '', v, true)));
    case 'source-ip':
      return everyAddress(c);
    default:
      // A condition this version does not know: never assume the load balancer routes the request by it.
      return false;
  }
}

export function matchesAll(conditions: RuleCondition[], req: ProbeRequest): boolean {
  return conditions.every((c) => matches(c, req));
}

/**
 * Why the request does not meet a candidate rule's condition, in terms of the flag that would make it: the
 * probe meets host-header and path-pattern by itself (from the rule's own values), the rest only with what
 * the user passes.
 */
export function check(c: RuleCondition, req: ProbeRequest, opts: RequestOptions): ConditionCheck {
  if (matches(c, req)) return { met: true };
  const text = describeCondition(c);
  switch (c.Field ?? '') {
    case 'host-header':
      return { met: false, reason: opts.host ? `${text} does not match --host ${opts.host}` : `${text} has no concrete name: pass --host with a name it matches` };
    case 'path-pattern':
      return { met: false, reason: opts.path ? `${text} does not match --path ${opts.path}` : `${text} has no literal path: pass --path with a path it matches` };
    case 'http-request-method':
      return { met: false, reason: `${text} needs --method ${values(c)[0] ?? ''}`.trimEnd() };
    case 'http-header':
      return { met: false, reason: `${text} needs --header '${c.HttpHeaderConfig?.HttpHeaderName ?? 'Name'}: …' with a value it matches` };
    case 'query-string':
      return { met: false, reason: `${text} needs --path with a query string it matches` };
    case 'source-ip':
      return { met: false, reason: `${text}: the probe cannot choose its source address; pass --url` };
    default:
      return { met: false, reason: `${text}: a condition chaos-ec2 does not evaluate; pass --url` };
  }
}

/** The request the probe sends when a rule's own values fill in what the user did not say. */
export function requestFor(conditions: RuleCondition[], opts: RequestOptions, dnsName: string): ProbeRequest {
  const given = opts.path ? splitPath(opts.path) : undefined;
  return {
    host: (opts.host ?? concreteHost(conditions) ?? dnsName).toLowerCase(),
    path: given?.path ?? literalPath(conditions) ?? '/',
    query: given?.query ?? [],
    method: opts.method,
    headers: opts.headers,
  };
}

export function splitPath(p: string): { path: string; query: [string, string][] } {
  const withSlash = p.startsWith('/') ? p : `/${p}`;
  const i = withSlash.indexOf('?');
  if (i < 0) return { path: withSlash, query: [] };
  const query = [...new URLSearchParams(withSlash.slice(i + 1)).entries()] as [string, string][];
  return { path: withSlash.slice(0, i), query };
}
