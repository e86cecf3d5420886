/**
 * Discovery through listener rules, in-process against the sandbox (its ELBv2 API through the real SDK): the
 * forward the probe's request reaches is found in a rule, its host becomes the probe's Host, a weighted
 * forward giving the group weight 0 refuses with exit 3 before anything is injected (a report says so), and a
 * rule the probe cannot reach by itself is a usage error naming what it needs.
 */
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  ModifyListenerCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRules } from '../../src/aws/elbv2.js';
import { ChaosError } from '../../src/core/errors.js';
import { associations, chaosNaclIds, mutations, useInProcessSuite } from '../helpers/run-harness.js';

describe('discovery through listener rules (in-process, sandbox)', () => {
  const suite = useInProcessSuite({ instances: 2, azs: 2 });
  const elb = () => suite.sb.clients.elb;
  const stack = () => suite.sb.emb.stack;
  let blueTg: string | undefined;

  const fixed404: Action = { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'not here' } };
  const forward = (): Action => ({ Type: 'forward', TargetGroupArn: stack().targetGroupArn });
  const setDefault = (a: Action) => elb().send(new ModifyListenerCommand({ ListenerArn: stack().listenerArn, DefaultActions: [a] }));

  /** The default action split between the group's target group and a new "blue" one (removed after the test). */
  const blueGreen = async (ours: number, blue: number) => {
    const tg = await elb().send(new CreateTargetGroupCommand({ Name: 'blue-tg', Protocol: 'HTTP', Port: 80, VpcId: stack().vpcId, TargetType: 'instance' }));
    blueTg = tg.TargetGroups![0]!.TargetGroupArn!;
    await setDefault({
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: stack().targetGroupArn, Weight: ours },
          { TargetGroupArn: blueTg, Weight: blue },
        ],
      },
    });
  };

  afterEach(async () => {
    // Back to the stack as built: no rules, the default action forwarding to the group's target group.
    // The default forward first, so the group's target group is never left unused in between.
    await setDefault(forward());
    const rules = (await elb().send(new DescribeRulesCommand({ ListenerArn: stack().listenerArn }))).Rules ?? [];
    for (const r of rules) if (!r.IsDefault) await elb().send(new DeleteRuleCommand({ RuleArn: r.RuleArn! }));
    if (blueTg) await elb().send(new DeleteTargetGroupCommand({ TargetGroupArn: blueTg }));
    blueTg = undefined;
  });

  it('a weighted forward giving the group weight 0: exit 3 before injecting, the report shows the share; nothing changed', async () => {
    await blueGreen(0, 10);
    const seq = suite.sb.lastSeq();
    const before = await associations(suite.sb.clients.ec2);
    const r = await suite.sb.runInProcess({ fault: 'terminate-instances' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toMatch(/weight 0 of 10/);
    expect(r.report?.hint).toMatch(/the group gets no traffic from this listener/);
    expect(r.report?.target.listener?.weight).toEqual({ weight: 0, total: 10, share: 0 });
    expect(r.report?.fault).toBeNull();
    // Refused in planning: no plan shown, no journal, the probe never ran, nothing injected.
    expect(r.events.some((e) => e.type === 'plan')).toBe(false);
    expect(r.journal).toEqual([]);
    expect(r.report?.probe).toMatchObject({ sent: 0 });
    expect(mutations(suite.sb, seq)).toEqual([]);
    expect(await associations(suite.sb.clients.ec2)).toEqual(before);
    expect(await chaosNaclIds(suite.sb.clients.ec2)).toEqual([]);
  });

  it('weight 0 refuses with --url too: whatever URL is probed, the load balancer sends the group nothing', async () => {
    await blueGreen(0, 1);
    const r = await suite.sb.runInProcess({ fault: 'terminate-instances', url: 'http://127.0.0.1:9/' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/weight 0 of 1/);
  });

  it('a partial weight is carried into the plan and the report with the share', async () => {
    await blueGreen(3, 1);
    const r = await suite.sb.runInProcess({ fault: 'terminate-instances', dryRun: true, minHealthyPerAz: '0' });
    expect(r.outcome?.plan?.listener?.weight).toEqual({ weight: 3, total: 4, share: 0.75 });
  });

  it('the forward in a host-header rule behind a fixed 404: the plan names the rule and why, the host is the probe Host', async () => {
    // The rule first, then the 404 default: the other order leaves the target group used by no listener for a
    // moment, and a target group no load balancer uses has its targets "unused" — attached again, they start
    // over from "initial" and their health checks (as AWS does), and the run would rightly find 0 healthy.
    await elb().send(
      new CreateRuleCommand({
        ListenerArn: stack().listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['*.example.test', 'shop.example.test'] } }],
        Actions: [forward()],
      }),
    );
    await setDefault(fixed404);
    const r = await suite.sb.runInProcess({ fault: 'terminate-instances', dryRun: true, minHealthyPerAz: '0' });
    const route = r.outcome?.plan?.listener;
    expect(route, `refused: ${r.report?.reason}`).toMatchObject({
      listener: expect.stringMatching(/^HTTP:\d+$/),
      rule: { priority: '10', conditions: ['host-header *.example.test | shop.example.test'] },
      host: 'shop.example.test',
    });
    expect(route?.rule.why).toContain('the only forward to the group');
    expect(route?.scheme).toBe('internet-facing');
  });

  it('a rule shadowed by an earlier catch-all, and one needing a header: a usage error naming both reasons', async () => {
    await setDefault(fixed404);
    await elb().send(
      new CreateRuleCommand({ ListenerArn: stack().listenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }], Actions: [fixed404] }),
    );
    await elb().send(
      new CreateRuleCommand({ ListenerArn: stack().listenerArn, Priority: 2, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/health'] } }], Actions: [forward()] }),
    );
    const seq = suite.sb.lastSeq();
    const r = await suite.sb.runInProcess({ fault: 'terminate-instances' });
    expect(r.error).toBeInstanceOf(ChaosError);
    expect(r.error).toMatchObject({ exitCode: 2 });
    expect((r.error as Error).message).toMatch(/rule 2: shadowed by rule 1 \(path-pattern \/\*\)/);
    expect(mutations(suite.sb, seq)).toEqual([]);
  });

  it('describeRules pages through Marker/NextMarker: every rule once, the default last', async () => {
    for (let i = 1; i <= 5; i++) {
      await elb().send(
        new CreateRuleCommand({ ListenerArn: stack().listenerArn, Priority: i, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/p${i}`] } }], Actions: [fixed404] }),
      );
    }
    const rules = await describeRules(elb(), stack().listenerArn, 'discover', 2);
    expect(rules.map((r) => r.Priority)).toEqual(['1', '2', '3', '4', '5', 'default']);
  });

  it('DescribeRules failing (not InvalidAction) is an AWS error before anything is done, never a silent fallback', async () => {
    suite.sb.emb.sandbox.ctx.knobs.failActions = ['DescribeRules'];
    const r = await suite.sb.runInProcess({ fault: 'terminate-instances' }).finally(() => {
      suite.sb.emb.sandbox.ctx.knobs.failActions = [];
    });
    expect(r.error).toBeInstanceOf(ChaosError);
    expect(r.error).toMatchObject({ exitCode: 5 });
    expect((r.error as Error).message).toMatch(/^DescribeRules: ServiceUnavailable/);
  });
});
