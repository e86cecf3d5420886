import { describe, expect, it } from 'vitest';
import { ChaosError } from '../../src/core/errors.js';
import type { Discovery } from '../../src/experiment/discover.js';
import { checkTraffic } from '../../src/experiment/plan.js';
import { renderRoute, routeOf, routeSummary } from '../../src/experiment/route.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSummary } from '../../src/report/terminal.js';
import { loadFixture } from './report-fixtures.js';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/1';

function discovery(over: Partial<Discovery> = {}, scheme: 'internet-facing' | 'internal' = 'internet-facing'): Discovery {
  return {
    identity: { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/t' },
    region: 'us-east-1',
    group: { name: 'shop-asg', targetGroupArns: ['tg'], tags: {} } as unknown as Discovery['group'],
    targetGroups: [{ arn: 'tg', name: 'shop-tg', loadBalancerArns: [LB] }],
    loadBalancers: [{ arn: LB, name: 'shop', dnsName: 'shop-1.us-east-1.elb.amazonaws.com', scheme, type: 'application' }],
    listener: {
      arn: `${LB}/listener/1`,
      loadBalancerArn: LB,
      protocol: 'HTTPS',
      port: 443,
      rule: { arn: 'rule/10', priority: '10', conditions: ['host-header shop.example.test'], why: 'rule 10 forwards to shop-tg; HTTPS preferred over HTTP' },
    },
    host: 'shop.example.test',
    probeProtocol: 'https',
    skipped: [{ loadBalancer: 'shop', listener: 'HTTP:80', rule: 'default', conditions: [], reason: 'shadowed by rule 1' }],
    url: 'https://shop-1.us-east-1.elb.amazonaws.com/',
    ...over,
  };
}

describe('the route in the plan and the report', () => {
  it('routeOf: load balancer, scheme, listener, rule and why, Host, skips', () => {
    expect(routeOf(discovery())).toEqual({
      loadBalancer: 'shop',
      scheme: 'internet-facing',
      type: 'application',
      listener: 'HTTPS:443',
      rule: { priority: '10', conditions: ['host-header shop.example.test'], why: 'rule 10 forwards to shop-tg; HTTPS preferred over HTTP' },
      host: 'shop.example.test',
      probeProtocol: 'https',
      skipped: [{ loadBalancer: 'shop', listener: 'HTTP:80', rule: 'default', conditions: [], reason: 'shadowed by rule 1' }],
    });
  });

  it('routeOf: none with --url (no listener chosen)', () => {
    const { listener: _l, ...d } = discovery();
    expect(routeOf(d)).toBeUndefined();
  });

  it('renderRoute: the listener, the rule with its conditions, why, the Host and every skip', () => {
    const text = renderRoute(routeOf(discovery())!).join('\n');
    expect(text).toContain('route     shop (application, internet-facing) HTTPS:443 rule 10 [host-header shop.example.test]');
    expect(text).toContain('why: rule 10 forwards to shop-tg; HTTPS preferred over HTTP');
    expect(text).toContain('Host and SNI: shop.example.test');
    expect(text).toContain('skipped shop HTTP:80 default action: shadowed by rule 1');
    expect(text).not.toContain('internal');
  });

  it('renderRoute: an internal load balancer is said so; a weighted forward shows the share', () => {
    const d = discovery({}, 'internal');
    d.listener!.weight = { weight: 1, total: 4, share: 0.25 };
    const text = renderRoute(routeOf(d)!).join('\n');
    expect(text).toContain('(application, internal)');
    expect(text).toContain('internal load balancer: it answers only inside its VPC');
    expect(text).toContain('the group gets 1 of 4 (25%');
  });

  it('checkTraffic: a discovery carrying a refusal refuses (exit 3) with its hint; none goes on', () => {
    expect(() => checkTraffic(discovery())).not.toThrow();
    const d = discovery({ refusal: { reason: 'weight 0 of 1', hint: 'shift weight first' } });
    let err: unknown;
    try {
      checkTraffic(d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChaosError);
    expect(err).toMatchObject({ exitCode: 3, message: 'weight 0 of 1', hint: 'shift weight first' });
  });

  it('the report renderers show the route in one line: listener, rule, weight share, Host', () => {
    const d = discovery();
    d.listener!.weight = { weight: 0, total: 10, share: 0 };
    const route = routeOf(d)!;
    const line = 'shop (application, internet-facing) HTTPS:443 rule 10 [host-header shop.example.test] · weight 0 of 10 (0%) · Host shop.example.test';
    expect(routeSummary(route)).toBe(line);
    const pass = loadFixture('pass');
    const r = { ...pass, target: { ...pass.target, listener: route } };
    expect(renderMarkdown(r)).toContain(`| Route | ${line.replace(/\[/g, '\\[').replace(/\]/g, '\\]')} |`);
    expect(renderSummary(r, { color: false, width: 200 })).toContain('route');
    expect(renderSummary(r, { color: false, width: 200 })).toContain('weight 0 of 10 (0%)');
    expect(renderHtml(r)).toContain('weight 0 of 10 (0%)');
    // Reports without a route (--url, or written before it existed) render as before.
    expect(renderMarkdown(pass)).not.toContain('| Route |');
  });
});
