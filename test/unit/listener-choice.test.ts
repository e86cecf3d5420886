import type { Action, Listener, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { probeUrl } from '../../src/experiment/discover.js';
import { chooseListener, type ChoiceInput, type ListenerInput, type LoadBalancerInput } from '../../src/experiment/listener-choice.js';

// SDK-shaped listeners and rules, as DescribeListeners / DescribeRules return them.
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-tg/1';
const OTHER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue-tg/2';
const alb: LoadBalancerInput = { arn: 'arn:lb/app/demo-alb/1', name: 'demo-alb', dnsName: 'demo-alb-1.us-east-1.elb.amazonaws.com', type: 'application' };
const nlb: LoadBalancerInput = { arn: 'arn:lb/net/demo-nlb/2', name: 'demo-nlb', dnsName: 'demo-nlb-2.elb.us-east-1.amazonaws.com', type: 'network' };

const forward = (arn = TG): Action => ({ Type: 'forward', TargetGroupArn: arn });
const weighted = (ours: number, other: number): Action => ({
  Type: 'forward',
  ForwardConfig: {
    TargetGroups: [
      { TargetGroupArn: TG, Weight: ours },
      { TargetGroupArn: OTHER, Weight: other },
    ],
  },
});
const fixed404: Action = { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } };
const redirect: Action = { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } };
const host = (...v: string[]): RuleCondition => ({ Field: 'host-header', HostHeaderConfig: { Values: v } });
const path = (...v: string[]): RuleCondition => ({ Field: 'path-pattern', PathPatternConfig: { Values: v } });

let seq = 0;
function listener(protocol: string, port: number, rules: Rule[], defaults: Action[], lb = alb): ListenerInput {
  const arn = `${lb.arn}/listener/${++seq}`;
  const l: Listener = { ListenerArn: arn, LoadBalancerArn: lb.arn, Protocol: protocol as Listener['Protocol'], Port: port, DefaultActions: defaults };
  const def: Rule = { RuleArn: `${arn}/rule/default`, Priority: 'default', IsDefault: true, Conditions: [], Actions: defaults };
  // An NLB listener has no rules: DescribeRules is not called for it.
  return { lb, listener: l, rules: lb.type === 'network' ? [] : [...rules, def] };
}
const rule = (priority: number, conditions: RuleCondition[], actions: Action[]): Rule => ({
  RuleArn: `rule/${priority}`,
  Priority: String(priority),
  IsDefault: false,
  Conditions: conditions,
  Actions: actions,
});

function choose(listeners: ListenerInput[], over: Partial<ChoiceInput> = {}, request: Partial<ChoiceInput['request']> = {}) {
  return chooseListener({
    listeners,
    targetGroups: new Map([[TG, { name: 'demo-tg', healthCheckProtocol: 'HTTP' }]]),
    request: { method: 'GET', headers: {}, ...request },
    urlGiven: false,
    ...over,
  });
}

describe('chooseListener: rules and the default action', () => {
  it('a default action forwarding to the group is the one candidate', () => {
    const c = choose([listener('HTTP', 80, [], [forward()])]);
    expect(c.chosen).toMatchObject({ priority: 'default', protocol: 'HTTP', port: 80, probeProtocol: 'http', targetGroups: ['demo-tg'] });
    expect(c.chosen!.why).toContain('the only forward');
    expect(c.chosen!.host).toBeUndefined();
  });

  it('a rule forwards while the default is a fixed 404: the rule, its host as Host/SNI', () => {
    const c = choose([listener('HTTPS', 443, [rule(10, [host('shop.example.test')], [forward()])], [fixed404])]);
    expect(c.chosen).toMatchObject({ priority: '10', conditions: ['host-header shop.example.test'], host: 'shop.example.test', probeProtocol: 'https' });
    expect(c.chosen!.request).toMatchObject({ host: 'shop.example.test', path: '/' });
  });

  it('no forward to the group anywhere: no candidate at all', () => {
    const c = choose([listener('HTTP', 80, [rule(1, [path('/x')], [forward(OTHER)])], [redirect])]);
    expect(c.candidates).toEqual([]);
    expect(c.chosen).toBeUndefined();
  });

  it('HTTPS is preferred over HTTP, whatever the order the listeners come in', () => {
    const ls = [listener('HTTP', 80, [], [forward()]), listener('HTTPS', 443, [], [forward()])];
    for (const order of [ls, [...ls].reverse()]) {
      const c = choose(order);
      expect(c.chosen).toMatchObject({ protocol: 'HTTPS', port: 443 });
      expect(c.chosen!.why).toContain('HTTPS preferred over HTTP');
    }
  });

  it('the most specific rule wins over a catch-all default, and a literal path becomes the request path', () => {
    const c = choose([listener('HTTPS', 443, [rule(20, [host('api.example.test'), path('/health')], [forward()])], [forward()])]);
    expect(c.chosen).toMatchObject({ priority: '20', host: 'api.example.test' });
    expect(c.chosen!.request.path).toBe('/health');
    expect(c.chosen!.why).toContain('the most specific usable rule');
  });

  it('the choice is deterministic: same input in another order, same choice', () => {
    const a = listener('HTTPS', 443, [rule(5, [host('a.example.test')], [forward()]), rule(6, [host('b.example.test')], [forward()])], [fixed404]);
    const first = choose([a]).chosen!;
    const shuffled = { ...a, rules: [...a.rules].reverse() };
    expect(choose([shuffled]).chosen!.priority).toBe(first.priority);
    expect(first.priority).toBe('5');
  });
});

describe('chooseListener: shadowing (an earlier rule that matches the same request takes it)', () => {
  it('a rule behind a catch-all path-pattern /* never receives the request', () => {
    const c = choose([listener('HTTP', 80, [rule(1, [path('/*')], [fixed404]), rule(2, [path('/health')], [forward()])], [fixed404])]);
    expect(c.chosen).toBeUndefined();
    expect(c.skipped[0]).toMatchObject({ priority: '2' });
    expect(c.skipped[0]!.skip).toMatch(/shadowed by rule 1 \(path-pattern \/\*\)/);
  });

  it('an earlier rule for another host does not shadow', () => {
    const c = choose([listener('HTTP', 80, [rule(1, [host('admin.example.test')], [fixed404]), rule(2, [host('shop.example.test')], [forward()])], [fixed404])]);
    expect(c.chosen).toMatchObject({ priority: '2' });
  });

  it('the default action is shadowed by a rule matching the load balancer name with a wildcard', () => {
    const c = choose([listener('HTTP', 80, [rule(3, [host('*.elb.amazonaws.com')], [redirect])], [forward()])]);
    expect(c.chosen).toBeUndefined();
    expect(c.skipped[0]!.skip).toContain('shadowed by rule 3');
  });
});

describe('chooseListener: conditions the probe cannot meet by itself', () => {
  const canary = rule(1, [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['on'] } }], [forward()]);
  it('http-header: skipped without --header, usable with a matching one (name and value caseless)', () => {
    const without = choose([listener('HTTP', 80, [canary], [fixed404])]);
    expect(without.chosen).toBeUndefined();
    expect(without.skipped[0]!.skip).toContain("needs --header 'X-Canary: …'");
    expect(choose([listener('HTTP', 80, [canary], [fixed404])], {}, { headers: { 'x-canary': 'ON' } }).chosen).toMatchObject({ priority: '1' });
    expect(choose([listener('HTTP', 80, [canary], [fixed404])], {}, { headers: { 'x-canary': 'off' } }).chosen).toBeUndefined();
  });

  it('http-request-method: skipped unless --method matches', () => {
    const post = rule(1, [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST'] } }], [forward()]);
    expect(choose([listener('HTTP', 80, [post], [fixed404])]).skipped[0]!.skip).toContain('needs --method POST');
    expect(choose([listener('HTTP', 80, [post], [fixed404])], {}, { method: 'POST' }).chosen).toMatchObject({ priority: '1' });
  });

  it('query-string: usable with --path carrying a query it matches', () => {
    const v2 = rule(1, [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: '2' }] } }], [forward()]);
    expect(choose([listener('HTTP', 80, [v2], [fixed404])]).skipped[0]!.skip).toContain('needs --path with a query string');
    const c = choose([listener('HTTP', 80, [v2], [fixed404])], {}, { path: '/status?version=2' });
    expect(c.chosen).toMatchObject({ priority: '1' });
    expect(c.chosen!.request).toMatchObject({ path: '/status', query: [['version', '2']] });
  });

  it('source-ip: only 0.0.0.0/0 is met; otherwise usable only with --url', () => {
    const office = rule(1, [{ Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24'] } }], [forward()]);
    expect(choose([listener('HTTP', 80, [office], [fixed404])]).skipped[0]!.skip).toContain('pass --url');
    expect(choose([listener('HTTP', 80, [office], [fixed404])], { urlGiven: true }).chosen).toMatchObject({ priority: '1' });
    const anyone = rule(1, [{ Field: 'source-ip', SourceIpConfig: { Values: ['0.0.0.0/0'] } }], [forward()]);
    expect(choose([listener('HTTP', 80, [anyone], [fixed404])]).chosen).toMatchObject({ priority: '1' });
  });

  it('authenticate-oidc in front of the forward needs a session cookie, unless it allows unauthenticated requests', () => {
    const oidc = (on?: 'allow' | 'authenticate'): Action => ({
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: { Issuer: 'i', AuthorizationEndpoint: 'a', TokenEndpoint: 't', UserInfoEndpoint: 'u', ClientId: 'c', ...(on ? { OnUnauthenticatedRequest: on } : {}) },
    });
    const r = (on?: 'allow' | 'authenticate') => listener('HTTPS', 443, [rule(1, [host('app.example.test')], [oidc(on), { ...forward(), Order: 2 }])], [fixed404]);
    expect(choose([r()]).skipped[0]!.skip).toContain('authenticate-oidc in front of the forward needs');
    expect(choose([r()], {}, { headers: { Cookie: 'AWSELBAuthSessionCookie-0=x' } }).chosen).toMatchObject({ priority: '1' });
    expect(choose([r('allow')]).chosen).toMatchObject({ priority: '1' });
  });

  it('authenticate-cognito and jwt-validation: skipped without the credential, usable with it', () => {
    const cognito: Action = { Type: 'authenticate-cognito', Order: 1, AuthenticateCognitoConfig: { UserPoolArn: 'p', UserPoolClientId: 'c', UserPoolDomain: 'd' } };
    const jwt = { Type: 'jwt-validation', Order: 1 } as Action;
    const l = (a: Action) => listener('HTTPS', 443, [], [a, { ...forward(), Order: 2 }]);
    expect(choose([l(cognito)]).skipped[0]!.skip).toContain('authenticate-cognito');
    expect(choose([l(jwt)]).skipped[0]!.skip).toContain("--header 'Authorization: Bearer …'");
    expect(choose([l(jwt)], {}, { headers: { authorization: 'Bearer t' } }).chosen).toMatchObject({ priority: 'default' });
  });

  it('a wildcard host-header value is never the Host: the first concrete one is; only wildcards need --host', () => {
    const both = choose([listener('HTTPS', 443, [rule(1, [host('*.example.test', 'shop.example.test')], [forward()])], [fixed404])]);
    expect(both.chosen!.host).toBe('shop.example.test');
    const only = [listener('HTTPS', 443, [rule(1, [host('*.example.test')], [forward()])], [fixed404])];
    expect(choose(only).skipped[0]!.skip).toContain('has no concrete name: pass --host');
    expect(choose(only, {}, { host: 'a.example.test' }).chosen).toMatchObject({ host: 'a.example.test' });
  });

  it('a wildcard path-pattern needs --path; a --path it does not match is said so', () => {
    const api = [listener('HTTP', 80, [rule(1, [path('/api/*')], [forward()])], [fixed404])];
    expect(choose(api).skipped[0]!.skip).toContain('has no literal path: pass --path');
    expect(choose(api, {}, { path: '/web' }).skipped[0]!.skip).toContain('does not match --path /web');
    expect(choose(api, {}, { path: '/api/health' }).chosen!.request.path).toBe('/api/health');
  });
});

describe('chooseListener: weighted forwards', () => {
  it("partial weight: the share is the group's weight over the total", () => {
    const c = choose([listener('HTTPS', 443, [], [weighted(1, 3)])]);
    expect(c.chosen!.weight).toEqual({ weight: 1, total: 4, share: 0.25 });
  });

  it('weight 0 and no other forward: chosen with share 0 (the caller refuses on it)', () => {
    const c = choose([listener('HTTPS', 443, [], [weighted(0, 1)])]);
    expect(c.chosen!.weight).toEqual({ weight: 0, total: 1, share: 0 });
    expect(c.chosen!.why).toContain('weight 0');
  });

  it('a forward with traffic wins over a weight-0 one, which is listed as skipped', () => {
    const c = choose([listener('HTTPS', 443, [rule(1, [host('green.example.test')], [weighted(0, 100)])], [forward()])]);
    expect(c.chosen).toMatchObject({ priority: 'default' });
    expect(c.chosen!.weight).toBeUndefined();
    expect(c.skipped).toHaveLength(1);
    expect(c.skipped[0]).toMatchObject({ priority: '1' });
    expect(c.skipped[0]!.skip).toContain('weight 0 of 100');
  });

  it('a single target group in a ForwardConfig with no weight is not a weighted forward', () => {
    const c = choose([listener('HTTP', 80, [], [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG }] } }])]);
    expect(c.chosen!.weight).toBeUndefined();
  });
});

describe('chooseListener: Network Load Balancers', () => {
  const tgs = (hc: string) => ({ targetGroups: new Map([[TG, { name: 'demo-tg', healthCheckProtocol: hc }]]) });
  it('TCP listener, HTTP health check: the probe speaks HTTP; a TLS listener: HTTPS', () => {
    expect(choose([listener('TCP', 80, [], [forward()], nlb)], tgs('HTTP')).chosen).toMatchObject({ protocol: 'TCP', probeProtocol: 'http' });
    expect(choose([listener('TLS', 443, [], [forward()], nlb)], tgs('HTTP')).chosen).toMatchObject({ protocol: 'TLS', probeProtocol: 'https' });
  });

  it('TCP health check: skipped with the --probe tcp text, usable with --probe tcp', () => {
    const l = [listener('TCP', 5432, [], [forward()], nlb)];
    expect(choose(l, tgs('TCP')).skipped[0]!.skip).toContain('pass --probe tcp');
    expect(choose(l, { ...tgs('TCP'), probe: 'tcp' }).chosen).toMatchObject({ probeProtocol: 'tcp', port: 5432 });
  });

  it('UDP listeners are no candidates; an ALB HTTP(S) listener comes before an NLB', () => {
    expect(choose([listener('UDP', 53, [], [forward()], nlb)], tgs('HTTP')).candidates).toEqual([]);
    const c = choose([listener('TLS', 443, [], [forward()], nlb), listener('HTTP', 80, [], [forward()])], tgs('HTTP'));
    expect(c.chosen).toMatchObject({ protocol: 'HTTP' });
    expect(c.chosen!.why).toContain('ALB HTTP(S) listener preferred over NLB');
  });

  it('the probe URL: the DNS name and port; a connect-only probe still gets an http(s) URL the probe can read', () => {
    const tcp = choose([listener('TCP', 5432, [], [forward()], nlb)], { ...tgs('TCP'), probe: 'tcp' }).chosen!;
    expect(probeUrl(tcp)).toBe('http://demo-nlb-2.elb.us-east-1.amazonaws.com:5432/');
    const tls = choose([listener('TLS', 443, [], [forward()], nlb)], { ...tgs('TCP'), probe: 'tcp' }).chosen!;
    expect(probeUrl(tls)).toBe('https://demo-nlb-2.elb.us-east-1.amazonaws.com/');
    const http = choose([listener('HTTP', 8080, [rule(1, [path('/health')], [forward()])], [fixed404])]).chosen!;
    expect(probeUrl(http)).toBe('http://demo-alb-1.us-east-1.elb.amazonaws.com:8080/health');
    // --path given wins over the rule's literal path ('/' is the option's default: the rule's path stays).
    expect(probeUrl(http, '/health?full=1')).toBe('http://demo-alb-1.us-east-1.elb.amazonaws.com:8080/health?full=1');
    expect(probeUrl(http, '/')).toBe('http://demo-alb-1.us-east-1.elb.amazonaws.com:8080/health');
  });
});
