import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
  type Action,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { startEmbeddedSandbox, waitForSteadyState, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { httpGet } from '../helpers/http.js';
import { clientConfig, expectAwsError } from '../helpers/sandbox.js';

/** Listener rules through the real SDK client, and the data plane evaluating them as an ALB does. */
describe('sandbox ELBv2: listener rules', () => {
  let emb: EmbeddedSandbox;
  let elb: ElasticLoadBalancingV2Client;
  let listenerArn: string;
  let tgArn: string;
  let port: number;
  let node: string;

  const fixed = (statusCode: string, body: string): Action => ({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: statusCode, ContentType: 'text/plain', MessageBody: body } });
  const host = (...v: string[]): RuleCondition => ({ Field: 'host-header', HostHeaderConfig: { Values: v } });
  const path = (...v: string[]): RuleCondition => ({ Field: 'path-pattern', Values: v });
  const create = (Priority: number, Conditions: RuleCondition[], Actions: Action[]) => elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority, Conditions, Actions }));
  const rules = async () => (await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
  const get = (p: string, opts: Parameters<typeof httpGet>[1] = {}) => httpGet(`http://demo-lb.example:${port}${p}`, { connectTo: node, ...opts });

  /** Until the group is InService and every target healthy (the stack's steady state). */
  const steady = async () => {
    const [ec2, asg] = [new EC2Client(clientConfig(emb.sandbox.endpoint)), new AutoScalingClient(clientConfig(emb.sandbox.endpoint))];
    try {
      await waitForSteadyState({ ec2, asg, elb }, emb.stack, 25_000);
    } finally {
      ec2.destroy();
      asg.destroy();
    }
  };

  beforeAll(async () => {
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 2, azs: 2 } });
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
    listenerArn = emb.stack.listenerArn;
    tgArn = emb.stack.targetGroupArn;
    port = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0]!.Port!;
    node = emb.sandbox.world.loadBalancers.get(emb.stack.loadBalancerArn)!.availabilityZones[0]!.nodeAddress;
  });
  afterAll(async () => {
    elb?.destroy();
    await emb?.close();
  });
  afterEach(async () => {
    for (const r of await rules()) if (!r.IsDefault) await elb.send(new DeleteRuleCommand({ RuleArn: r.RuleArn! }));
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
  });

  it('lists the default rule last, with Priority "default" and the listener default action', async () => {
    const r1 = (await create(10, [host('shop.example.test')], [{ Type: 'forward', TargetGroupArn: tgArn }])).Rules![0]!;
    expect(r1.RuleArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule\/app\/demo-asg-alb\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    await create(5, [path('/api/*')], [fixed('200', 'api')]);
    const all = await rules();
    expect(all.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['5', false],
      ['10', false],
      ['default', true],
    ]);
    expect(all[1]).toMatchObject({
      Conditions: [{ Field: 'host-header', Values: ['shop.example.test'], HostHeaderConfig: { Values: ['shop.example.test'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tgArn, ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }] } }],
    });
    expect(all[0]!.Actions).toEqual([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'api' } }]);
    expect(all[2]).toMatchObject({ Conditions: [], Actions: [{ Type: 'forward', TargetGroupArn: tgArn }] });
    // DescribeRules by ARN, the default rule included.
    const byArn = await elb.send(new DescribeRulesCommand({ RuleArns: [all[2]!.RuleArn!, r1.RuleArn!] }));
    expect(byArn.Rules!.map((r) => r.Priority)).toEqual(['default', '10']);
    // The target group is attached to the load balancer through the rule and the default action.
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] }))).TargetGroups![0]!;
    expect(tg.LoadBalancerArns).toEqual([emb.stack.loadBalancerArn]);
  });

  it("answers AWS's errors: PriorityInUse, RuleNotFound, OperationNotPermitted on the default rule, TooManyRules, bad values", async () => {
    await create(1, [path('/a')], [fixed('200', 'a')]);
    await expectAwsError(create(1, [path('/b')], [fixed('200', 'b')]), 'PriorityInUseException');
    await expectAwsError(create(0, [path('/b')], [fixed('200', 'b')]), 'ValidationError');
    await expectAwsError(create(2, [], [fixed('200', 'b')]), 'ValidationError');
    await expectAwsError(create(2, [path('/a', '/b', '/c', '/d')], [fixed('200', 'b')]), 'ValidationError');
    await expectAwsError(create(2, [path('/a'), path('/b')], [fixed('200', 'b')]), 'ValidationError');
    await expectAwsError(create(2, [path('/a')], [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1000 }] } }]), 'ValidationError');
    await expectAwsError(create(2, [path('/a')], [{ Type: 'forward', TargetGroupArn: `${tgArn.slice(0, -4)}0000` }]), 'TargetGroupNotFoundException');
    await expectAwsError(create(2, [path('/a')], [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }]), 'InvalidLoadBalancerActionException');
    await expectAwsError(create(2, [path('/a')], [fixed('302', 'x')]), 'ValidationError');
    const missing = `${listenerArn.replace(':listener/', ':listener-rule/')}/0123456789abcdef`;
    await expectAwsError(elb.send(new DeleteRuleCommand({ RuleArn: missing })), 'RuleNotFoundException');
    const def = (await rules()).find((r) => r.IsDefault)!;
    await expectAwsError(elb.send(new DeleteRuleCommand({ RuleArn: def.RuleArn! })), 'OperationNotPermittedException');
    await expectAwsError(elb.send(new ModifyRuleCommand({ RuleArn: def.RuleArn!, Actions: [fixed('404', 'x')] })), 'OperationNotPermittedException');
    await expectAwsError(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: def.RuleArn!, Priority: 9 }] })), 'OperationNotPermittedException');
    for (let i = 2; i <= 100; i++) await create(i, [path(`/p${i}`)], [fixed('200', 'p')]);
    await expectAwsError(create(101, [path('/p101')], [fixed('200', 'p')]), 'TooManyRulesException');
  });

  it('pages DescribeRules with PageSize/Marker (the default rule last) and tags rules like other resources', async () => {
    for (let i = 1; i <= 3; i++) await create(i, [path(`/p${i}`)], [fixed('200', 'p')]);
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 2, ...(Marker ? { Marker } : {}) }));
      expect(page.Rules!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Rules!.map((r) => r.Priority!));
      Marker = page.NextMarker;
    } while (Marker);
    expect(seen).toEqual(['1', '2', '3', 'default']);
    const ruleArn = (await rules())[0]!.RuleArn!;
    await elb.send(new AddTagsCommand({ ResourceArns: [ruleArn], Tags: [{ Key: 'team', Value: 'shop' }] }));
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [ruleArn] }));
    expect(tags.TagDescriptions).toEqual([{ ResourceArn: ruleArn, Tags: [{ Key: 'team', Value: 'shop' }] }]);
    await elb.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
    await expectAwsError(elb.send(new DescribeTagsCommand({ ResourceArns: [ruleArn] })), 'RuleNotFoundException');
  });

  it('SetRulePriorities swaps priorities all at once, and refuses a clash without changing anything', async () => {
    const a = (await create(1, [path('/a')], [fixed('200', 'a')])).Rules![0]!.RuleArn!;
    const b = (await create(2, [path('/b')], [fixed('200', 'b')])).Rules![0]!.RuleArn!;
    const c = (await create(3, [path('/c')], [fixed('200', 'c')])).Rules![0]!.RuleArn!;
    const out = await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: a, Priority: 2 },
          { RuleArn: b, Priority: 1 },
        ],
      }),
    );
    expect(out.Rules!.map((r) => [r.RuleArn, r.Priority])).toEqual([
      [a, '2'],
      [b, '1'],
    ]);
    await expectAwsError(
      elb.send(
        new SetRulePrioritiesCommand({
          RulePriorities: [
            { RuleArn: a, Priority: 7 },
            { RuleArn: b, Priority: 3 },
          ],
        }),
      ),
      'PriorityInUseException',
    );
    expect((await rules()).map((r) => [r.RuleArn, r.Priority])).toEqual([
      [b, '1'],
      [a, '2'],
      [c, '3'],
      [expect.any(String), 'default'],
    ]);
    // ModifyRule changes only what it is given.
    await elb.send(new ModifyRuleCommand({ RuleArn: c, Actions: [fixed('202', 'c2')] }));
    const shown = (await rules()).find((r) => r.RuleArn === c)!;
    expect(shown.Conditions).toMatchObject([{ Field: 'path-pattern', Values: ['/c'] }]);
    expect(shown.Actions![0]!.FixedResponseConfig).toMatchObject({ StatusCode: '202', MessageBody: 'c2' });
  });

  it('evaluates rules in priority order: host-header case-insensitive with wildcards, path-pattern case-sensitive, then the default action', async () => {
    await create(20, [host('*.EXAMPLE.t?st')], [fixed('200', 'any-example')]);
    await create(10, [host('shop.example.test'), path('/api/*')], [fixed('201', 'shop-api')]);
    expect(await get('/api/cart', { host: 'SHOP.Example.Test' })).toMatchObject({ status: 201, body: 'shop-api' });
    expect(await get('/API/cart', { host: 'shop.example.test' })).toMatchObject({ status: 200, body: 'any-example' });
    expect(await get('/', { host: 'www.example.test' })).toMatchObject({ status: 200, body: 'any-example' });
    const fallThrough = await get('/api/cart', { host: 'other.test' });
    expect(fallThrough.status).toBe(200);
    expect(JSON.parse(fallThrough.body)).toMatchObject({ instanceId: expect.stringMatching(/^i-/), path: '/api/cart' });
    // A change of priorities changes the answer at once.
    const [r10, r20] = (await rules()).filter((r) => !r.IsDefault).map((r) => r.RuleArn!);
    await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r10!, Priority: 30 }] }));
    expect(r20).toBeDefined();
    expect(await get('/api/cart', { host: 'shop.example.test' })).toMatchObject({ body: 'any-example' });
  });

  it('matches http-header, query-string, http-request-method and source-ip conditions', async () => {
    await create(1, [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['on*'] } }], [fixed('200', 'canary')]);
    await create(2, [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: '2' }, { Value: 'beta' }] } }], [fixed('200', 'v2')]);
    await create(3, [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['DELETE'] } }], [fixed('405', 'no deletes')]);
    await create(4, [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }], [fixed('200', 'internal')]);
    // The sandbox's clients arrive from 198.51.100.7 (TEST-NET-2), as the NACL model sees them.
    await create(5, [{ Field: 'source-ip', SourceIpConfig: { Values: ['198.51.100.0/24'] } }, path('/who')], [fixed('200', 'public')]);
    expect(await get('/', { headers: { 'x-canary': 'ON-please' } })).toMatchObject({ body: 'canary' });
    expect(await get('/?version=2')).toMatchObject({ body: 'v2' });
    expect(await get('/?x=beta')).toMatchObject({ body: 'v2' });
    expect(await get('/', { method: 'DELETE' })).toMatchObject({ status: 405, body: 'no deletes' });
    expect(await get('/who')).toMatchObject({ body: 'public' });
    expect((await get('/?version=3')).body).toContain('instanceId');
  });

  it('redirects with 301/302 and a Location built from the request, and serves fixed responses as the default action', async () => {
    await create(1, [path('/old/*')], [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', Path: '/new/#{path}', StatusCode: 'HTTP_301' } }]);
    await create(2, [path('/tmp')], [{ Type: 'redirect', RedirectConfig: { Host: 'elsewhere.test', StatusCode: 'HTTP_302' } }]);
    const moved = await get('/old/page?q=1', { host: 'shop.example.test' });
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe('https://shop.example.test/new/old/page?q=1');
    const found = await get('/tmp', { host: 'shop.example.test' });
    expect(found.status).toBe(302);
    expect(found.headers.location).toBe(`http://elsewhere.test:${port}/tmp`);
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [fixed('404', 'nothing here')] }));
    const listener = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0]!;
    expect(listener.DefaultActions).toEqual([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'nothing here' } }]);
    expect(await get('/')).toMatchObject({ status: 404, body: 'nothing here' });
  });

  it('splits a weighted forward by weight, and a group with weight 0 gets nothing', async () => {
    // A second group with no targets: what it gets answers 503, so the split is visible from outside.
    const empty = (await elb.send(new CreateTargetGroupCommand({ Name: 'empty-tg', Protocol: 'HTTP', Port: 80, VpcId: emb.stack.vpcId, TargetType: 'instance' }))).TargetGroups![0]!
      .TargetGroupArn!;
    const weighted = (a: number, b: number): Action[] => [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: tgArn, Weight: a },
            { TargetGroupArn: empty, Weight: b },
          ],
        },
      },
    ];
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: weighted(3, 1) }));
    const shown = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0]!.DefaultActions![0]!;
    expect(shown.TargetGroupArn).toBeUndefined();
    expect(shown.ForwardConfig!.TargetGroups).toEqual([
      { TargetGroupArn: tgArn, Weight: 3 },
      { TargetGroupArn: empty, Weight: 1 },
    ]);
    // The split is counted on answers: every target of the group must be healthy first. On a loaded machine the
    // fast profile's health checks can fail a target and the group replace it (an earlier test's doing or the
    // load's), and a group caught mid-replacement answers 503 for reasons that have nothing to do with weights.
    await steady();
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await get('/')).status);
    expect(
      codes.filter((c) => c === 200),
      String(codes),
    ).toHaveLength(6);
    expect(codes.filter((c) => c === 503)).toHaveLength(2);
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: weighted(1, 0) }));
    for (let i = 0; i < 5; i++) expect((await get('/')).status).toBe(200);
    // Weight 0 still attaches the group to the load balancer.
    expect((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [empty] }))).TargetGroups![0]!.LoadBalancerArns).toEqual([emb.stack.loadBalancerArn]);
  });
});
