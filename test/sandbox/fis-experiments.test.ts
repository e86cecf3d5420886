/**
 * FIS experiments acting on the sandbox's world, driven through the real FIS client: terminate (the group
 * replaces), stop with startInstancesAfterDuration, disrupt-connectivity swapping each subnet to a tagged clone of
 * its NACL and back at the end of the duration with no client connected, StopExperiment restoring at once, a
 * stop condition's alarm stopping the run, and skip-all changing nothing while the sandbox records that skip-all
 * arrived on the wire. One FIS second lasts 10 ms here (fisSecondMs), so PT1M is 0.6 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FisClient } from '../../src/aws/fis.js';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { SandboxEvent } from '../../src/sandbox/index.js';
import { buildWorld } from '../helpers/world-fixture.js';
import { clientConfig, startTestSandbox, waitForWorldEvent, type TestSandbox } from '../helpers/sandbox.js';
import { experimentStates, fisClient, instanceArn, network, runningInstance, subnetArn, template, waitForExperiment } from './fis-fixture.js';

let sb: TestSandbox;
let fis: FisClient;
let net: ReturnType<typeof network>;

beforeAll(async () => {
  // alarmEvaluationMs: a SetAlarmState lasts until the next evaluation; a minute keeps it for the whole test.
  sb = await startTestSandbox({ timings: { fisSecondMs: 10, bootMs: 100, appStartMs: 20, stopMs: 100, shutdownMs: 100, asgDetectMs: 100, alarmEvaluationMs: 60_000 } });
  fis = fisClient(sb);
  net = network(sb.ctx);
});

afterAll(async () => {
  fis.destroy();
  await sb.close();
});

const since = () => sb.world.events().at(-1)?.seq ?? 0;
const association = (subnetId: string) => sb.world.naclAssociations.get(subnetId)!.networkAclId;

describe('aws:ec2:terminate-instances', () => {
  it('terminates the resolved instance; the experiment goes pending → initiating → running → completed with the action timed', async () => {
    const victim = await runningInstance(sb, net.subnets[0]!);
    const t = await fis.createExperimentTemplate(template(sb.ctx, 'terminate', [instanceArn(sb.ctx, victim)]));
    const exp = await fis.startExperiment({ clientToken: 'term-1', experimentTemplateId: t.id, tags: { run: 'x' } });
    expect(exp.state.status).toBe('pending');
    expect(exp.experimentOptions?.actionsMode).toBe('run-all');
    await waitForExperiment(sb, exp.id, 'completed');
    expect(experimentStates(sb, exp.id)).toEqual(['pending', 'initiating', 'running', 'completed']);
    expect(sb.world.instances.get(victim)!.state).toBe('terminated');
    const got = await fis.getExperiment(exp.id);
    const action = got.actions!.A1!;
    expect(action.state?.status).toBe('completed');
    expect(action.startTime!.getTime()).toBeLessThanOrEqual(action.endTime!.getTime());
    expect(got.startTime!.getTime()).toBeLessThanOrEqual(action.startTime!.getTime());
    expect(got.tags).toEqual({ run: 'x' });
    expect(await fis.listTagsForResource(got.arn!)).toEqual({ run: 'x' });
    expect(await fis.listExperimentResolvedTargets(exp.id)).toEqual([{ resourceType: 'aws:ec2:instance', targetName: 'T1', targetInformation: { arn: instanceArn(sb.ctx, victim) } }]);
    expect((await fis.listExperiments({ experimentTemplateId: t.id })).map((e) => e.id)).toEqual([exp.id]);
  });
});

describe('aws:ec2:stop-instances', () => {
  it('stops the instance and starts it again when startInstancesAfterDuration has passed', async () => {
    const id = await runningInstance(sb, net.subnets[0]!);
    const from = since();
    const t = await fis.createExperimentTemplate(template(sb.ctx, 'stop', [instanceArn(sb.ctx, id)], {}, { startInstancesAfterDuration: 'PT1M', completeIfInstancesTerminated: 'true' }));
    const exp = await fis.startExperiment({ clientToken: 'stop-1', experimentTemplateId: t.id });
    await waitForExperiment(sb, exp.id, 'completed');
    const states = sb.world.events(from).flatMap((e) => (e.type === 'instance-state' && e.instanceId === id ? [e.to] : []));
    expect(states).toEqual(['stopping', 'stopped', 'pending', 'running']);
    const stopped = sb.world.events(from).find((e) => e.type === 'instance-state' && e.instanceId === id && e.to === 'stopped')!;
    const started = sb.world.events(from).find((e) => e.type === 'instance-state' && e.instanceId === id && e.to === 'pending')!;
    // PT1M at 10 ms a second, counted from the action's start.
    expect(started.atMs - stopped.atMs).toBeGreaterThanOrEqual(600 - 100 - 30);
  });
});

describe('Auto Scaling members', () => {
  it('terminate: the group replaces the victim; stop with completeIfInstancesTerminated: the group terminates the stopped member and the action still completes; without it the experiment fails', async () => {
    const fx = await buildWorld(sb.ctx, { zones: 2, desired: 3, healthCheckType: 'EC2' });
    const inService = () => sb.world.membersOf(fx.asgName).filter((m) => m.lifecycleState === 'InService' && sb.world.instances.get(m.instanceId)?.state === 'running');
    await expect.poll(() => inService().length, { timeout: 5_000 }).toBe(3);
    const [victim, stopA, stopB] = inService().map((m) => m.instanceId) as [string, string, string];

    const from = since();
    const term = await fis.createExperimentTemplate(template(sb.ctx, 'terminate', [instanceArn(sb.ctx, victim)]));
    const e1 = await fis.startExperiment({ clientToken: 'asg-term', experimentTemplateId: term.id });
    await waitForExperiment(sb, e1.id, 'completed');
    // The group launches a replacement, as after any TerminateInstances.
    await waitForWorldEvent(sb.world, (e) => e.seq > from && e.type === 'instance-state' && e.asgName === fx.asgName && e.from === null, 5_000);

    // PT2M (1.2 s here): the group (asgDetectMs 100) terminates a stopped member well before the restart.
    const params = { startInstancesAfterDuration: 'PT2M' };
    const ok = await fis.createExperimentTemplate(template(sb.ctx, 'stop', [instanceArn(sb.ctx, stopA)], {}, { ...params, completeIfInstancesTerminated: 'true' }));
    const strict = await fis.createExperimentTemplate(template(sb.ctx, 'stop', [instanceArn(sb.ctx, stopB)], {}, params));
    const [e2, e3] = await Promise.all([
      fis.startExperiment({ clientToken: 'asg-stop-ok', experimentTemplateId: ok.id }),
      fis.startExperiment({ clientToken: 'asg-stop-strict', experimentTemplateId: strict.id }),
    ]);
    await Promise.all([waitForExperiment(sb, e2.id, 'completed'), waitForExperiment(sb, e3.id, 'failed')]);
    expect(sb.world.instances.get(stopA)!.state).toMatch(/shutting-down|terminated/);
    const failed = await fis.getExperiment(e3.id);
    expect(failed.state.reason).toContain(stopB);
    expect(failed.actions!.A1!.state?.status).toBe('failed');
  });
});

describe('aws:network:disrupt-connectivity (scope all)', () => {
  it('swaps each subnet to a tagged clone with deny rules, and the sandbox restores and deletes it at the end of the duration with no client connected', async () => {
    const [a, b] = net.subnets as [string, string];
    const client = fisClient(sb);
    const t = await client.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, a), subnetArn(sb.ctx, b)], {}, { duration: 'PT1M' }));
    const exp = await client.startExperiment({ clientToken: 'nacl-1', experimentTemplateId: t.id });
    client.destroy(); // nobody is connected from here on
    await waitForExperiment(sb, exp.id, 'running');
    const clones = [association(a), association(b)];
    expect(clones).not.toContain(net.naclId);
    for (const clone of clones) {
      expect(sb.world.tagsOf(clone).get('managedByFIS')).toBe('true');
      const entries = sb.world.networkAcls.get(clone)!.entries;
      expect(entries).toContainEqual({ ruleNumber: 2, protocol: '-1', ruleAction: 'deny', egress: false, cidrBlock: '0.0.0.0/0' });
      expect(entries).toContainEqual({ ruleNumber: 2, protocol: '-1', ruleAction: 'deny', egress: true, cidrBlock: '0.0.0.0/0' });
    }
    const swappedAt = Date.now();
    await waitForExperiment(sb, exp.id, 'completed');
    expect(Date.now() - swappedAt).toBeGreaterThanOrEqual(400);
    expect([association(a), association(b)]).toEqual([net.naclId, net.naclId]);
    for (const clone of clones) expect(sb.world.networkAcls.has(clone)).toBe(false);
  });

  it('StopExperiment restores the associations at once: stopping → stopped, the action stopped', async () => {
    const [a] = net.subnets as [string];
    const t = await fis.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, a)], {}, { duration: 'PT12H' }));
    const exp = await fis.startExperiment({ clientToken: 'nacl-stop', experimentTemplateId: t.id });
    await waitForExperiment(sb, exp.id, 'running');
    const clone = association(a);
    expect(clone).not.toBe(net.naclId);
    const stopping = await fis.stopExperiment(exp.id);
    expect(stopping.state).toMatchObject({ status: 'stopping', reason: 'Stopping Experiment.' });
    // Reverted before StopExperiment answered: no client needs to wait for `stopped` for the AZ to be back.
    expect(association(a)).toBe(net.naclId);
    expect(sb.world.networkAcls.has(clone)).toBe(false);
    await waitForExperiment(sb, exp.id, 'stopped');
    expect((await fis.getExperiment(exp.id)).actions!.A1!.state?.status).toBe('stopped');
    expect(experimentStates(sb, exp.id)).toEqual(['pending', 'initiating', 'running', 'stopping', 'stopped']);
  });

  it('a stop condition whose alarm goes to ALARM stops the experiment, names the alarm, and restores', async () => {
    const [, b] = net.subnets as [string, string];
    const cw = new CloudWatchClient(clientConfig(sb.endpoint));
    const alarmInput = {
      Namespace: 'Test/App',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 10,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    } as const;
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'chaos-slo-5xx', ...alarmInput }));
    const alarm = sb.ctx.cloudwatch.alarmArn('chaos-slo-5xx');
    const t = await fis.createExperimentTemplate(
      template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, b)], { stopConditions: [{ source: 'aws:cloudwatch:alarm', value: alarm }] }, { duration: 'PT12H' }),
    );
    const exp = await fis.startExperiment({ clientToken: 'alarm-1', experimentTemplateId: t.id });
    await waitForExperiment(sb, exp.id, 'running');
    expect(association(b)).not.toBe(net.naclId);
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'chaos-slo-5xx', StateValue: 'ALARM', StateReason: 'game day' }));
    cw.destroy();
    await waitForExperiment(sb, exp.id, 'stopped');
    expect(association(b)).toBe(net.naclId);
    expect((await fis.getExperiment(exp.id)).state.reason).toContain('chaos-slo-5xx');
  });
});

describe('experimentOptions.actionsMode skip-all', () => {
  it('resolves the targets, skips every action, changes nothing, and records that skip-all arrived on the wire', async () => {
    const victim = await runningInstance(sb, net.subnets[1]!);
    const t = await fis.createExperimentTemplate({
      ...template(sb.ctx, 'terminate', [instanceArn(sb.ctx, victim)]),
      targets: {
        T1: { resourceType: 'aws:ec2:instance', resourceArns: [instanceArn(sb.ctx, victim)], selectionMode: 'ALL' },
        S1: { resourceType: 'aws:ec2:subnet', resourceArns: [subnetArn(sb.ctx, net.subnets[1]!)], selectionMode: 'ALL' },
      },
      actions: {
        A1: { actionId: 'aws:ec2:terminate-instances', targets: { Instances: 'T1' } },
        N1: { actionId: 'aws:network:disrupt-connectivity', parameters: { duration: 'PT1M' }, targets: { Subnets: 'S1' } },
      },
    });
    const from = since();
    const exp = await fis.startExperiment({ clientToken: 'skip-1', experimentTemplateId: t.id, experimentOptions: { actionsMode: 'skip-all' } });
    const pending = (await waitForWorldEvent(sb.world, (e) => e.type === 'fis-experiment' && e.experimentId === exp.id && e.status === 'pending')) as Extract<
      SandboxEvent,
      { type: 'fis-experiment' }
    >;
    expect(pending.actionsModeOnWire).toBe('skip-all');
    await waitForExperiment(sb, exp.id, 'completed');
    const got = await fis.getExperiment(exp.id);
    expect(got.experimentOptions?.actionsMode).toBe('skip-all');
    expect(Object.values(got.actions!).map((a) => a.state?.status)).toEqual(['skipped', 'skipped']);
    expect((await fis.listExperimentResolvedTargets(exp.id)).map((r) => r.targetInformation?.arn)).toEqual([instanceArn(sb.ctx, victim), subnetArn(sb.ctx, net.subnets[1]!)]);
    expect(sb.world.instances.get(victim)!.state).toBe('running');
    expect(sb.world.events(from).filter((e) => e.type === 'instance-state' || e.type.startsWith('nacl'))).toEqual([]);
  });

  it('a request without experimentOptions is recorded as such (null on the wire) and runs the actions', async () => {
    const victim = await runningInstance(sb, net.subnets[1]!);
    const t = await fis.createExperimentTemplate(template(sb.ctx, 'terminate', [instanceArn(sb.ctx, victim)]));
    const exp = await fis.startExperiment({ clientToken: 'run-1', experimentTemplateId: t.id });
    const pending = (await waitForWorldEvent(sb.world, (e) => e.type === 'fis-experiment' && e.experimentId === exp.id && e.status === 'pending')) as Extract<
      SandboxEvent,
      { type: 'fis-experiment' }
    >;
    expect(pending.actionsModeOnWire).toBeNull();
    await waitForExperiment(sb, exp.id, 'completed');
    expect(sb.world.instances.get(victim)!.state).toBe('terminated');
  });
});
