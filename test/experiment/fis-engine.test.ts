/**
 * `--engine fis` in-process (the runner through its Deps seam, a scripted probe, the sandbox's FIS on real
 * timers): the paths where chaos-ec2 itself ends the experiment — its local stop condition and Ctrl-C — call
 * StopExperiment, FIS reverts, and chaos-ec2 verifies the associations; the journal has each FIS call's intent
 * (with its clientToken) before the call.
 */
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BlackholeReport } from '../../src/faults/blackhole-az/types.js';
import { fisRoleArn } from '../../src/sandbox/index.js';
import { createAlarm } from '../helpers/alarms.js';
import { associations, settle, startInProcessSandbox, type InProcessSandbox } from '../helpers/run-harness.js';
import { clientConfig } from '../helpers/sandbox.js';

describe('--engine fis: chaos-ec2 stops the experiment (in-process, sandbox FIS)', { timeout: 60_000 }, () => {
  let sb: InProcessSandbox;
  let before: Record<string, string>;
  let az: string;

  beforeAll(async () => {
    sb = await startInProcessSandbox({ instances: 6, azs: 3 });
    before = await associations(sb.clients.ec2);
    az = sb.emb.stack.subnets[0]!.availabilityZone;
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    await settle(sb, 500);
  }, 45_000);

  // PT10M lasts 30 s in the fast profile: anything that ends sooner was ended by chaos-ec2's StopExperiment.
  const fis = () => ({ fault: 'blackhole-az', az, duration: '10m', engine: 'fis', fisRoleArn: fisRoleArn(sb.emb.sandbox.world.accountId) });

  it('the local stop condition: StopExperiment, FIS reverts, associations verified; aborted, exit 1', async () => {
    const r = await sb.runInProcess({ ...fis(), abortErrorRate: '0.5', abortAfter: '1s' }, { second: (_, c) => (c.injected ? 'fail' : 'ok') });
    expect(r.outcome?.exitCode, r.report?.reason).toBe(1);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.stopCondition?.name).toBe('error rate');
    expect(r.report?.rollback?.status).toBe('complete');
    const e = r.report!.engine!;
    expect(r.timeline).toContain('fis-stop-requested');
    expect((await sb.clients.fis.getExperiment(e.experimentId!)).state.status).toBe('stopped');
    expect((r.report!.fault!.detail as BlackholeReport).restoreVerification?.verified).toBe(true);
    expect(await associations(sb.clients.ec2)).toEqual(before);
    // Intent (with the clientToken) before each FIS call, its answer after.
    const j = r.journal.filter((x) => String(x.action ?? '').startsWith('fis:')).map((x) => `${x.type} ${x.action}`);
    expect(j).toEqual(['intent fis:CreateExperimentTemplate', 'done fis:CreateExperimentTemplate', 'intent fis:StartExperiment', 'done fis:StartExperiment']);
    const start = r.journal.find((x) => x.type === 'intent' && x.action === 'fis:StartExperiment')!;
    expect(start.clientToken).toBe(`chaos-ec2-start-${r.report!.id}`);
    expect(r.journal.find((x) => x.type === 'done' && x.action === 'fis:StartExperiment')!.experimentId).toBe(e.experimentId);
    expect(e.templateDeleted).toBe(true);
  });

  it('Ctrl-C mid-hold: StopExperiment, FIS reverts, associations verified; 130', async () => {
    let sent = false;
    const r = await sb.runInProcess(fis(), {
      on: (ev, h) => {
        if (!sent && ev.type === 'phase' && ev.phase === 'hold') {
          sent = true;
          h.abort();
        }
      },
    });
    expect(r.outcome?.exitCode, r.report?.reason).toBe(130);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.rollback?.status).toBe('complete');
    const states = r.report!.engine!.states!.filter((s) => !s.action).map((s) => s.status);
    expect(states).toEqual(expect.arrayContaining(['running', 'stopping', 'stopped']));
    expect(await associations(sb.clients.ec2)).toEqual(before);
  });

  it('stop-instances: FIS stops the planned victim (completeIfInstancesTerminated: the group replaces it), the run passes', async () => {
    let victim = '';
    const r = await sb.runInProcess(
      { fault: 'stop-instances', duration: '1s', engine: 'fis', fisRoleArn: fisRoleArn(sb.emb.sandbox.world.accountId) },
      {
        on: (e) => {
          if (e.type === 'plan') victim = e.plan.fault.targets[0]!.instanceId;
        },
      },
    );
    expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    expect(r.report?.verdict).toBe('pass');
    // Planned as FIS holds it: PT1M (the plan says 1s was rounded up), one action on the victim's ARN.
    expect(r.report!.engine!.resolvedTargets).toEqual([`arn:aws:ec2:us-east-1:${sb.emb.sandbox.world.accountId}:instance/${victim}`]);
    const x = await sb.clients.fis.getExperiment(r.report!.engine!.experimentId!);
    expect(x.actions?.['stop-1']?.parameters).toEqual({ startInstancesAfterDuration: 'PT1M', completeIfInstancesTerminated: 'true' });
    expect(x.state.status).toBe('completed');
    // Ground truth: FIS stopped the victim (the group then terminated and replaced it).
    expect(sb.events(0).some((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'stopped')).toBe(true);
  });

  it("a stop alarm as the template's stop condition: FIS stops on ALARM; aborted, exit 1, the alarm named; restored", async () => {
    const cw = new CloudWatchClient(clientConfig(sb.emb.sandbox.endpoint));
    try {
      // OK before injecting (a stop alarm must be): a metric nobody publishes, missing data not breaching.
      const arn = await createAlarm(sb.emb, cw, 'chaos-fis-slo');
      let set = false;
      const r = await sb.runInProcess(
        { ...fis(), stopAlarm: [arn] },
        {
          on: (ev) => {
            if (set || ev.type !== 'phase' || ev.phase !== 'hold') return;
            set = true;
            // A SetAlarmState lasts only until the alarm's next evaluation: kept in ALARM (as a real breach would
            // be) until the sandbox's FIS has acted on it, bounded at 5 s.
            void (async () => {
              for (const end = Date.now() + 5000; Date.now() < end; await new Promise((res) => setTimeout(res, 50))) {
                await cw.send(new SetAlarmStateCommand({ AlarmName: 'chaos-fis-slo', StateValue: 'ALARM', StateReason: 'game day' }));
                if (sb.events(0).some((e) => e.type === 'fis-experiment' && e.status === 'stopping')) return;
              }
            })();
          },
        },
      );
      expect(r.outcome?.exitCode, r.report?.reason).toBe(1);
      expect(r.report?.verdict).toBe('aborted');
      expect(r.report?.stopCondition?.name).toBe('chaos-fis-slo');
      expect(r.report?.stopCondition?.detail).toMatch(/chaos-fis-slo.*ALARM/);
      expect(r.report!.engine!.stopConditions).toEqual([arn]);
      expect(r.timeline).toContain('fis-stop-condition');
      expect(r.timeline).not.toContain('fis-stop-requested');
      expect((await sb.clients.fis.getExperiment(r.report!.engine!.experimentId!)).state.status).toBe('stopped');
      expect(await associations(sb.clients.ec2)).toEqual(before);
    } finally {
      cw.destroy();
    }
  });
});
