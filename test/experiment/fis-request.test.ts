/**
 * What each fault asks of FIS (its fis.ts), pure: the exact ARNs the plan chose, ⌈n/5⌉ targets and actions,
 * the parameters FIS needs, durations rounded up to PT1M; the template as chaos-ec2 creates it; the IAM
 * documents `iam-policy --engine fis` prints.
 */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/experiment/types.js';
import { faultFor } from '../../src/faults/index.js';
import { fisDurationMs, isoDuration } from '../../src/faults/fis-common.js';
import { planEngine, fisSteps } from '../../src/experiment/engines/fis-plan.js';
import { targetMismatch, templateInput, startToken } from '../../src/experiment/engines/fis.js';
import { fisCallerStatements, fisRolePermissionPolicy, fisRoleTrustPolicy, accountOf } from '../../src/experiment/engines/fis-iam.js';
import type { RunConfig } from '../../src/experiment/config.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${String(i).padStart(17, '0')}`);

function plan(kind: string, targets: string[], detail?: unknown): Plan {
  return {
    experimentId: 'exp-20261130T220000Z-abcdef',
    account: '123456789012',
    region: 'eu-west-1',
    asg: 'web',
    url: 'http://x/',
    fault: { kind, selection: {}, targets: targets.map((instanceId) => ({ instanceId, availabilityZone: 'eu-west-1a' })), ...(detail ? { detail } : {}) },
    seed: 's',
    before: { desired: 12, inService: 12, healthy: 12, healthyByAz: {} },
    after: { healthy: 0, healthyByAz: {}, floor: 0, perAzFloor: 0 },
    steps: [],
  };
}
const cfg = { fisRoleArn: 'arn:aws:iam::123456789012:role/chaos-fis', keepTemplate: false } as RunConfig;

describe("each fault's FIS request", () => {
  it('terminate-instances: aws:ec2:terminate-instances on the exact instance ARNs, 5 per target (12 → 3 targets, 3 actions)', () => {
    const p = plan('terminate-instances', ids(12));
    const req = faultFor('terminate-instances').fis!.request(p);
    expect(Object.keys(req.targets)).toEqual(['Instances-1', 'Instances-2', 'Instances-3']);
    expect(Object.values(req.targets).map((t) => t.resourceArns.length)).toEqual([5, 5, 2]);
    expect(req.targets['Instances-1']).toMatchObject({ resourceType: 'aws:ec2:instance', selectionMode: 'ALL' });
    expect(req.targets['Instances-1']!.resourceArns[0]).toBe(`arn:aws:ec2:eu-west-1:123456789012:instance/${ids(1)[0]}`);
    expect(Object.values(req.actions).map((a) => [a.actionId, a.targets.Instances])).toEqual([
      ['aws:ec2:terminate-instances', 'Instances-1'],
      ['aws:ec2:terminate-instances', 'Instances-2'],
      ['aws:ec2:terminate-instances', 'Instances-3'],
    ]);
    expect(req.arns).toHaveLength(12);
    expect(req.holdMs).toBe(0);
  });

  it('stop-instances: startInstancesAfterDuration (rounded up to PT1M) and completeIfInstancesTerminated=true', () => {
    const req = faultFor('stop-instances').fis!.request(plan('stop-instances', ids(2), { durationMs: 20_000, expiryMarginMs: 0, ineligible: [] }));
    expect(req.actions['stop-1']).toEqual({
      actionId: 'aws:ec2:stop-instances',
      parameters: { startInstancesAfterDuration: 'PT1M', completeIfInstancesTerminated: 'true' },
      targets: { Instances: 'Instances-1' },
    });
    expect(req.holdMs).toBe(60_000);
    expect(req.notes.join()).toMatch(/PT1M instead of 20s/);
  });

  it('blackhole-az: aws:network:disrupt-connectivity scope all on the subnets; 90 s stays PT90S; restore tags', () => {
    const subnets = ['subnet-a', 'subnet-b'].map((subnetId, i) => ({ subnetId, vpcId: 'vpc-1', availabilityZone: 'eu-west-1a', role: 'instances', originalNaclId: `acl-${i}` }));
    const p = plan('blackhole-az', [], { az: 'eu-west-1a', azChosenBy: 'flag', durationMs: 90_000, expiryMarginMs: 0, subnets, vpcs: ['vpc-1'] });
    const fis = faultFor('blackhole-az').fis!;
    const req = fis.request(p);
    expect(req.targets['Subnets-1']).toEqual({
      resourceType: 'aws:ec2:subnet',
      resourceArns: ['arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-a', 'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-b'],
      selectionMode: 'ALL',
    });
    expect(req.actions['disrupt-1']!.parameters).toEqual({ duration: 'PT90S', scope: 'all' });
    expect(req.notes).toEqual([]);
    expect(fis.tags!(p)).toEqual({ 'chaos-ec2:restore:subnet-a': 'acl-0', 'chaos-ec2:restore:subnet-b': 'acl-1' });
  });

  it('durations: whole seconds, PT1M at least, PT12H at most', () => {
    expect([1, 59_001, 60_000, 61_500, 13 * 3600_000].map(fisDurationMs)).toEqual([60_000, 60_000, 60_000, 62_000, 12 * 3600_000]);
    expect([60_000, 90_000, 7200_000].map(isoDuration)).toEqual(['PT1M', 'PT90S', 'PT2H']);
  });
});

describe('the template and the plan', () => {
  it('tags, role, stop conditions (none, or each alarm ARN), clientTokens from the experiment id; the steps in FIS terms', () => {
    const p = plan('terminate-instances', ids(1));
    const fault = faultFor('terminate-instances');
    const e = planEngine(p, fault, cfg, []);
    const input = templateInput(p, fault, e);
    expect(input.stopConditions).toEqual([{ source: 'none' }]);
    expect(input.roleArn).toBe(cfg.fisRoleArn);
    expect(input.tags).toEqual({ 'chaos-ec2:experiment-id': p.experimentId, 'chaos-ec2:fault': 'terminate-instances' });
    expect(input.clientToken).toBe(`chaos-ec2-template-${p.experimentId}`);
    expect(startToken(p.experimentId)).toBe(`chaos-ec2-start-${p.experimentId}`);
    const alarm = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:5xx';
    expect(templateInput(p, fault, planEngine(p, fault, cfg, [alarm])).stopConditions).toEqual([{ source: 'aws:cloudwatch:alarm', value: alarm }]);
    expect(fisSteps(p, e).join('\n')).toMatch(/terminate-1: aws:ec2:terminate-instances on Instances-1/);
  });

  it('resolved targets must be exactly the planned ones', () => {
    expect(targetMismatch(['a', 'b'], ['b', 'a'])).toEqual([]);
    expect(targetMismatch(['a', 'b'], ['a', 'c'])).toEqual(['not resolved: b', 'not planned: c']);
  });
});

describe('iam-policy --engine fis', () => {
  it("the caller's fis:* statements are conditioned on the chaos-ec2 tag; PassRole only to FIS; the role trusts FIS in its account", () => {
    const st = fisCallerStatements('arn:aws:iam::123456789012:role/chaos-fis');
    // Every fis:* statement but the List ones (which have no resource-level permissions) carries the tag condition.
    const list = st.find((x) => x.Sid === 'FisListExperiments');
    expect(list?.Action).toEqual(['fis:ListExperiments', 'fis:ListExperimentTemplates']);
    for (const s of st.filter((x) => String(x.Action).startsWith('fis:') && x !== list)) expect(JSON.stringify(s.Condition)).toMatch(/chaos-ec2:experiment-id/);
    const actions = st.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const a of [
      'CreateExperimentTemplate',
      'StartExperiment',
      'GetExperiment',
      'StopExperiment',
      'DeleteExperimentTemplate',
      'ListExperiments',
      'ListExperimentResolvedTargets',
      'TagResource',
    ])
      expect(actions).toContain(`fis:${a}`);
    expect(st.find((s) => s.Action === 'iam:PassRole')).toMatchObject({
      Resource: 'arn:aws:iam::123456789012:role/chaos-fis',
      Condition: { StringEquals: { 'iam:PassedToService': 'fis.amazonaws.com' } },
    });
    const trust = fisRoleTrustPolicy(accountOf('arn:aws:iam::123456789012:role/chaos-fis'));
    expect(trust.Statement[0]).toMatchObject({ Principal: { Service: 'fis.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } });
    const perms = fisRolePermissionPolicy(['blackhole-az', 'stop-instances']).Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(perms).toEqual(expect.arrayContaining(['ec2:CreateNetworkAcl', 'ec2:ReplaceNetworkAclAssociation', 'ec2:StopInstances', 'ec2:StartInstances']));
    expect(perms).not.toContain('ec2:TerminateInstances');
  });
});

describe("the report's engine section in every renderer", () => {
  it('terminal, Markdown and HTML draw the FIS engine rows (experiment, console URL, template, states); the local engine adds none', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderMarkdown } = await import('../../src/report/markdown.js');
    const { renderHtml } = await import('../../src/report/html.js');
    const { renderSummary } = await import('../../src/report/terminal.js');
    const base = JSON.parse(readFileSync(new URL('../fixtures/report-pass.json', import.meta.url), 'utf8')) as import('../../src/experiment/types.js').Report;
    const url = 'https://us-east-1.console.aws.amazon.com/fis/home?region=us-east-1#ExperimentDetails:ExperimentId=EXPabc';
    const fis = {
      ...base,
      engine: {
        kind: 'fis' as const,
        t0: 'FIS action startTime' as const,
        experimentId: 'EXPabc',
        consoleUrl: url,
        templateId: 'EXTdef',
        templateDeleted: true,
        roleArn: 'arn:aws:iam::123456789012:role/chaos-fis',
        stopConditions: [],
        states: [
          { atMs: -50, status: 'running' },
          { atMs: 3000, status: 'completed' },
        ],
      },
    };
    expect(renderMarkdown(fis)).toMatch(/### Engine[\s\S]*EXPabc[\s\S]*EXTdef \(deleted\)[\s\S]*running → completed/);
    expect(renderHtml(fis)).toContain('id="engine-section"');
    expect(renderHtml(fis)).toContain('EXPabc');
    expect(renderSummary(fis, { color: false, width: 200 })).toContain(url);
    const local = { ...base, engine: { kind: 'local' as const, t0: 'mutating call returned' as const } };
    expect(renderMarkdown(local)).not.toMatch(/### Engine/);
  });
});

describe('FIS stopping the experiment on its own', () => {
  it('is a stop condition named after the stop alarms, with FIS reason; never when chaos-ec2 asked for the stop', async () => {
    const { foreignStop } = await import('../../src/experiment/engines/fis-watch.js');
    const alarm = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx';
    const reason = `Stop condition triggered: alarm api-5xx (${alarm}) is in ALARM.`;
    expect(foreignStop({ id: 'EXP1', state: { status: 'stopping', reason } }, false, [alarm])).toEqual({ name: 'api-5xx', detail: reason });
    expect(foreignStop({ id: 'EXP1', state: { status: 'stopped', reason } }, true, [alarm])).toBeUndefined();
    expect(foreignStop({ id: 'EXP1', state: { status: 'running' } }, false, [alarm])).toBeUndefined();
    expect(foreignStop({ id: 'EXP1', state: { status: 'failed', reason: 'Action disrupt-1 failed' } }, false, [])).toEqual({
      name: 'FIS experiment failed',
      detail: 'Action disrupt-1 failed',
    });
    expect(foreignStop({ id: 'EXP1', state: { status: 'stopped' } }, false, [])).toEqual({ name: 'FIS experiment stopped outside chaos-ec2', detail: 'FIS stopped experiment EXP1' });
  });
});
