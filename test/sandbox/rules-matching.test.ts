import { describe, expect, it } from 'vitest';
import { conditionMatches, redirectLocation, WeightedPicker, wildcardMatch, type RequestFacts } from '../../src/sandbox/dataplane/rules.js';
import type { Listener, ListenerAction } from '../../src/sandbox/index.js';

/** The ALB's matching rules as pure functions: the edge cases the SDK-level tests do not reach. */
describe('listener rule matching', () => {
  const req = (over: Partial<RequestFacts> = {}): RequestFacts => ({ host: 'shop.example.test', path: '/', query: '', method: 'GET', headers: {}, sourceIp: '198.51.100.7', ...over });

  it('wildcards: * is any run (also empty), ? exactly one character, everything else literal', () => {
    expect(wildcardMatch('/api/v1.0/*', '/api/v1.0/', false)).toBe(true);
    expect(wildcardMatch('/api/v1.0/*', '/api/v1x0/x', false)).toBe(false);
    expect(wildcardMatch('/a?c', '/abc', false)).toBe(true);
    expect(wildcardMatch('/a?c', '/ac', false)).toBe(false);
    expect(wildcardMatch('/(x)+[y]', '/(x)+[y]', false)).toBe(true);
    expect(wildcardMatch('*.EXAMPLE.test', 'a.b.example.TEST', true)).toBe(true);
    expect(wildcardMatch('/Path', '/path', false)).toBe(false);
  });

  it('host-header ignores case, path-pattern does not and never sees the query string', () => {
    expect(conditionMatches({ field: 'host-header', values: ['SHOP.example.test'] }, req())).toBe(true);
    expect(conditionMatches({ field: 'path-pattern', values: ['/Cart'] }, req({ path: '/cart' }))).toBe(false);
    expect(conditionMatches({ field: 'path-pattern', values: ['/cart'] }, req({ path: '/cart', query: 'x=1' }))).toBe(true);
  });

  it('http-header (name and values case-insensitive), query-string (key optional), method (exact), source-ip (CIDR)', () => {
    expect(conditionMatches({ field: 'http-header', httpHeaderName: 'User-Agent', values: ['*Mobile*'] }, req({ headers: { 'user-agent': 'x mobile y' } }))).toBe(true);
    expect(conditionMatches({ field: 'http-header', httpHeaderName: 'X-Missing', values: ['*'] }, req())).toBe(false);
    expect(conditionMatches({ field: 'query-string', values: [], queryPairs: [{ key: 'Lang', value: 'EN*' }] }, req({ query: 'lang=en-GB' }))).toBe(true);
    expect(conditionMatches({ field: 'query-string', values: [], queryPairs: [{ value: 'beta' }] }, req({ query: 'channel=beta' }))).toBe(true);
    expect(conditionMatches({ field: 'query-string', values: [], queryPairs: [{ key: 'a', value: 'b' }] }, req({ query: 'b=a' }))).toBe(false);
    expect(conditionMatches({ field: 'http-request-method', values: ['POST'] }, req({ method: 'post' }))).toBe(false);
    expect(conditionMatches({ field: 'source-ip', values: ['198.51.100.0/24'] }, req())).toBe(true);
    expect(conditionMatches({ field: 'source-ip', values: ['10.0.0.0/8', '192.0.2.0/24'] }, req())).toBe(false);
  });

  it('redirect Location: request parts fill the #{…} placeholders; a default port is left out', () => {
    const listener = { protocol: 'HTTP', port: 80 } as Listener;
    const cfg = { protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' as const };
    expect(redirectLocation(cfg, req({ path: '/a/b', query: 'q=1' }), listener)).toBe('https://shop.example.test/a/b?q=1');
    expect(redirectLocation({ ...cfg, port: '8443', query: '' }, req({ path: '/a' }), listener)).toBe('https://shop.example.test:8443/a');
    expect(redirectLocation({ ...cfg, protocol: '#{protocol}', port: '#{port}', host: 'new.test' }, req(), listener)).toBe('http://new.test/');
  });

  it('weighted forward: the split is exact over every window of the total weight, and weight 0 gets nothing', () => {
    const action: Extract<ListenerAction, { type: 'forward' }> = {
      type: 'forward',
      targetGroups: [
        { targetGroupArn: 'a', weight: 2 },
        { targetGroupArn: 'b', weight: 0 },
        { targetGroupArn: 'c', weight: 1 },
      ],
    };
    const picker = new WeightedPicker();
    const picks = Array.from({ length: 9 }, () => picker.pick(action));
    for (let w = 0; w < 9; w += 3) expect(picks.slice(w, w + 3).sort()).toEqual(['a', 'a', 'c']);
    expect(new WeightedPicker().pick({ ...action, targetGroups: [{ targetGroupArn: 'a', weight: 0 }] })).toBeUndefined();
  });
});
