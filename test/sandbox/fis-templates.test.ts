/**
 * The sandbox's FIS API through the real client (src/aws/fis.ts) and the AWS CLI v2: templates validated as
 * FIS validates them (ValidationException 400 naming the problem, nothing stored), not-found and conflict
 * errors, clientToken idempotency, an experiment whose role cannot be assumed, and the CLI parsing the
 * sandbox's answers. Experiments acting on the world are in fis-experiments.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FisClient, FisServiceError } from '../../src/aws/fis.js';
import { awsCli, awsCliGate } from '../helpers/aws-cli.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { alarmArn, experimentStates, fisClient, instanceArn, network, subnetArn, template, waitForExperiment } from './fis-fixture.js';

let sb: TestSandbox;
let fis: FisClient;
let subnets: string[];

beforeAll(async () => {
  sb = await startTestSandbox({ timings: { fisSecondMs: 10 } });
  fis = fisClient(sb);
  subnets = network(sb.ctx).subnets;
});

afterAll(async () => {
  fis.destroy();
  await sb.close();
});

async function rejected(p: Promise<unknown>): Promise<FisServiceError> {
  return (await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as FisServiceError;
}

describe('CreateExperimentTemplate validation', () => {
  const cases: [string, () => Parameters<FisClient['createExperimentTemplate']>[0], RegExp][] = [
    ['a role that is not an IAM role ARN', () => template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], { roleArn: 'arn:aws:iam::123456789012:user/alice' }), /not an IAM role ARN/],
    ['a role of another account', () => template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], { roleArn: 'arn:aws:iam::999999999999:role/chaos-ec2-fis' }), /must be in account/],
    [
      'more than 5 ARNs in a target',
      () =>
        template(
          sb.ctx,
          'terminate',
          ['1', '2', '3', '4', '5', '6'].map((n) => instanceArn(sb.ctx, `i-0000000000000000${n}`)),
        ),
      /at most 5/,
    ],
    [
      'an unknown selection mode',
      () => ({
        ...template(sb.ctx, 'terminate', [instanceArn(sb.ctx, 'i-00000000000000001')]),
        targets: { T1: { resourceType: 'aws:ec2:instance', resourceArns: [instanceArn(sb.ctx, 'i-00000000000000001')], selectionMode: 'SOME' } },
      }),
      /selectionMode 'SOME'/,
    ],
    [
      'a subnet where the action takes instances',
      () => ({
        ...template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], {}, { duration: 'PT1M' }),
        actions: { A1: { actionId: 'aws:ec2:terminate-instances', targets: { Instances: 'T1' } } },
      }),
      /takes aws:ec2:instance/,
    ],
    [
      'an action the sandbox does not model',
      () => ({ ...template(sb.ctx, 'terminate', [instanceArn(sb.ctx, 'i-00000000000000001')]), actions: { A1: { actionId: 'aws:ec2:reboot-instances', targets: { Instances: 'T1' } } } }),
      /not supported by the sandbox/,
    ],
    ['a disruption shorter than PT1M', () => template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], {}, { duration: 'PT30S' }), /from PT1M to PT12H/],
    ['a disruption without duration', () => template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)]), /duration is required/],
    [
      'a scope other than all',
      () => template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], {}, { duration: 'PT1M', scope: 'prefix-list' }),
      /scope 'prefix-list' is not supported by the sandbox/,
    ],
    [
      'a stop condition that is not an alarm ARN',
      () => template(sb.ctx, 'terminate', [instanceArn(sb.ctx, 'i-00000000000000001')], { stopConditions: [{ source: 'aws:cloudwatch:alarm', value: 'my-alarm' }] }),
      /not a CloudWatch alarm ARN/,
    ],
  ];
  it.each(cases)('refuses %s: ValidationException 400, nothing stored', async (_what, input, message) => {
    const before = sb.ctx.fis.templates.size;
    const err = await rejected(fis.createExperimentTemplate(input()));
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(message);
    expect(sb.ctx.fis.templates.size).toBe(before);
  });

  it('accepts a valid template, returns it with epoch-second dates parsed, and answers the same template for the same clientToken', async () => {
    const input = template(
      sb.ctx,
      'disrupt',
      [subnetArn(sb.ctx, subnets[0]!)],
      { clientToken: 'tmpl-1', stopConditions: [{ source: 'aws:cloudwatch:alarm', value: alarmArn(sb.ctx, 'slo') }] },
      { duration: 'PT1M' },
    );
    const t = await fis.createExperimentTemplate(input);
    expect(t.id).toMatch(/^EXT[A-Za-z0-9]+$/);
    expect(t.creationTime).toBeInstanceOf(Date);
    expect(Math.abs(t.creationTime!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(t.actions?.A1?.parameters).toEqual({ duration: 'PT1M' });
    expect((await fis.createExperimentTemplate(input)).id).toBe(t.id);
    expect((await fis.getExperimentTemplate(t.id)).stopConditions).toEqual([{ source: 'aws:cloudwatch:alarm', value: alarmArn(sb.ctx, 'slo') }]);
    expect(await fis.listTagsForResource(t.arn!)).toEqual({ 'chaos-ec2:experiment-id': 'test' });
    await fis.deleteExperimentTemplate(t.id);
    const gone = await rejected(fis.getExperimentTemplate(t.id));
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
  });
});

describe('StartExperiment errors and idempotency', () => {
  it('an unknown template is ResourceNotFoundException 404; a clientToken reused for another template is ConflictException 409', async () => {
    const missing = await rejected(fis.startExperiment({ clientToken: 'x-1', experimentTemplateId: 'EXTnope' }));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
    const a = await fis.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[1]!)], {}, { duration: 'PT1M' }));
    const b = await fis.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[1]!)], {}, { duration: 'PT1M' }));
    const first = await fis.startExperiment({ clientToken: 'same-token', experimentTemplateId: a.id, experimentOptions: { actionsMode: 'skip-all' } });
    expect(first.id).toMatch(/^EXP[A-Za-z0-9]+$/);
    expect((await fis.startExperiment({ clientToken: 'same-token', experimentTemplateId: a.id, experimentOptions: { actionsMode: 'skip-all' } })).id).toBe(first.id);
    const conflict = await rejected(fis.startExperiment({ clientToken: 'same-token', experimentTemplateId: b.id }));
    expect([conflict.name, conflict.$metadata.httpStatusCode]).toEqual(['ConflictException', 409]);
    await waitForExperiment(sb, first.id, 'completed');
  });

  it('a role FIS cannot assume fails the experiment at initiation, naming the role; nothing is touched', async () => {
    const role = `arn:aws:iam::${sb.world.accountId}:role/not-the-fis-role`;
    const t = await fis.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], { roleArn: role }, { duration: 'PT1M' }));
    const seqBefore = sb.world.events().at(-1)!.seq;
    const exp = await fis.startExperiment({ clientToken: 'role-1', experimentTemplateId: t.id });
    await waitForExperiment(sb, exp.id, 'failed');
    const got = await fis.getExperiment(exp.id);
    expect(got.state.reason).toContain(role);
    expect(got.actions?.A1?.state?.status).toBe('cancelled');
    expect(experimentStates(sb, exp.id)).toEqual(['pending', 'initiating', 'failed']);
    expect(sb.world.events(seqBefore).filter((e) => e.type.startsWith('nacl') || e.type === 'instance-state')).toEqual([]);
  });
});

// Skipped without the CLI on a developer's machine; in CI a missing CLI fails the test.
const cli = awsCliGate('fis-templates.test.ts');

describe.skipIf(!cli.run)('the AWS CLI v2 against the sandbox FIS', () => {
  it('parses get-experiment and list-experiments', async () => {
    if (cli.missing) throw new Error(cli.missing);
    const t = await fis.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnets[0]!)], {}, { duration: 'PT1M' }));
    const exp = await fis.startExperiment({ clientToken: 'cli-1', experimentTemplateId: t.id, experimentOptions: { actionsMode: 'skip-all' } });
    await waitForExperiment(sb, exp.id, 'completed');
    const [got, list] = await Promise.all([awsCli(sb.endpoint, ['fis', 'get-experiment', '--id', exp.id]), awsCli(sb.endpoint, ['fis', 'list-experiments'])]);
    expect(got.stderr).toBe('');
    expect(got.json.experiment.id).toBe(exp.id);
    expect(got.json.experiment.state.status).toBe('completed');
    expect(got.json.experiment.actions.A1.state.status).toBe('skipped');
    // The CLI renders the epoch-second timestamps as dates: it parsed them.
    expect(new Date(got.json.experiment.creationTime).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(list.json.experiments.map((e: { id: string }) => e.id)).toContain(exp.id);
  });
});
