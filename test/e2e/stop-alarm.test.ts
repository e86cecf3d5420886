/**
 * --stop-alarm and --metrics-namespace end to end: the real binary against a sandbox on port 0, the alarm
 * driven by the AWS CLI v2 (`aws cloudwatch set-alarm-state`, awsQuery) as an operator would on a game day,
 * the published metrics read back with `aws cloudwatch get-metric-statistics`. Ground truth from the sandbox:
 * the alarm's state changes (with their times) and the NACL associations.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import type { Report } from '../../src/experiment/types.js';
import { publishRunMetrics, runMetrics } from '../../src/report/metrics.js';
import { fisRoleArn, SANDBOX_CREDENTIALS, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { createAlarm, createHeldAlarm, setAlarmStateWithCli } from '../helpers/alarms.js';
import { awsCli, awsCliGate } from '../helpers/aws-cli.js';
import { associations, blackholeArgs, chaosNacls, cliFor, fastRunArgs, lastSeq, runWithHook, setKnobs, waitForSettled } from '../helpers/e2e.js';
import { clientConfig } from '../helpers/sandbox.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

// The AWS CLI sets the alarm and reads the metrics: skipped without it on a developer's machine, never in CI.
const awsGate = awsCliGate('stop-alarm.test.ts');
const POLL_MS = 250; // fastRunArgs' --poll

describe.skipIf(!awsGate.run)('--stop-alarm and --metrics-namespace against the sandbox (real binary, AWS CLI)', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-alarm-');
  let emb: EmbeddedSandbox;
  let cw: CloudWatchClient;
  let cli: ReturnType<typeof cliFor>;
  let before: Record<string, string>;

  beforeAll(async () => {
    if (awsGate.missing) throw new Error(awsGate.missing);
    emb = t.emb;
    cw = new CloudWatchClient(clientConfig(emb.sandbox.endpoint));
    cli = cliFor(emb);
    before = await associations(t.clients.ec2);
  });
  afterAll(() => cw?.destroy());
  beforeEach(async () => {
    await waitForSettled(emb, t.clients);
  }, 45_000);

  /** `aws cloudwatch get-metric-statistics` for one of the run's metrics, around now. */
  const statistics = async (namespace: string, metric: string, fault: string) => {
    const now = Date.now();
    const r = await awsCli(emb.sandbox.endpoint, [
      'cloudwatch',
      'get-metric-statistics',
      '--namespace',
      namespace,
      '--metric-name',
      metric,
      '--dimensions',
      'Name=AutoScalingGroupName,Value=demo-asg',
      `Name=Fault,Value=${fault}`,
      '--start-time',
      new Date(now - 3_600_000).toISOString(),
      '--end-time',
      new Date(now + 60_000).toISOString(),
      '--period',
      '3600',
      '--statistics',
      'Sum',
      'SampleCount',
    ]);
    expect(r.code, r.stderr).toBe(0);
    return r.json as { Label: string; Datapoints: { Sum: number; SampleCount: number; Unit: string }[] };
  };

  it('an alarm set to ALARM with the AWS CLI mid-hold: aborted and rolled back within a poll, exit 1; Verdict 0 published', async () => {
    await createAlarm(emb, cw, 'e2e-5xx');
    const az = emb.stack.subnets[0]!.availabilityZone;
    const seq = lastSeq(emb);
    const args = blackholeArgs(t.dir, '--yes', '--json', '--az', az, '--duration', '30s', '--stop-alarm', 'e2e-5xx', '--metrics-namespace', 'ChaosE2E/Aborted');
    const r = await runWithHook(cli, args, () => setAlarmStateWithCli(emb.sandbox.endpoint, 'e2e-5xx', 'ALARM', 'game day: 5XX above 1%'), /fault-injected/);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('aborted');
    expect(report.stopCondition).toMatchObject({ name: 'e2e-5xx', threshold: 'ALARM', detail: 'game day: 5XX above 1%' });
    expect(report.reason).toMatch(/^stop condition: alarm 'e2e-5xx' in ALARM.*: game day: 5XX above 1%; everything injected was rolled back/);
    expect(r.stdout + r.stderr).toMatch(/stop-condition {2}alarm 'e2e-5xx' in ALARM/);
    // Within a poll: from the moment the sandbox's alarm went to ALARM to the run's firing (both on this
    // machine's clock), at most one poll interval plus the poll's own DescribeAlarms call.
    const set = emb.sandbox.world.events(seq).find((e) => e.type === 'alarm-state' && e.alarmName === 'e2e-5xx' && e.to === 'ALARM' && e.cause === 'set')!;
    const firedAt = report.fault!.t0! + report.stopCondition!.firedAtMs;
    expect(firedAt - set.atMs).toBeLessThanOrEqual(2 * POLL_MS);
    expect(report.rollback?.status).toBe('complete');
    expect(await associations(t.clients.ec2)).toEqual(before);
    expect(await chaosNacls(t.clients.ec2)).toEqual([]);
    // Published: Verdict 0 (not a pass), read with the AWS CLI as a dashboard would; every other figure the
    // run has is there too (read through the SDK: one CLI process per metric would cost seconds each).
    expect(report.metrics).toEqual({ namespace: 'ChaosE2E/Aborted', published: true });
    expect(r.stderr).toContain('metrics: published to CloudWatch namespace ChaosE2E/Aborted');
    const verdict = await statistics('ChaosE2E/Aborted', 'Verdict', 'blackhole-az');
    expect(verdict.Datapoints).toEqual([expect.objectContaining({ Sum: 0, SampleCount: 1, Unit: 'Count' })]);
    const published = runMetrics(report);
    expect(published.map((m) => m.name)).toEqual(expect.arrayContaining(['Availability', 'Verdict']));
    for (const name of ['TimeToImpact', 'ServiceRecovered', 'CapacityRecovered', 'Availability']) {
      const m = published.find((x) => x.name === name);
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'ChaosE2E/Aborted',
          MetricName: name,
          Dimensions: [
            { Name: 'AutoScalingGroupName', Value: 'demo-asg' },
            { Name: 'Fault', Value: 'blackhole-az' },
          ],
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics: ['Sum', 'SampleCount'],
        }),
      );
      // A null figure is not published at all (no datapoint rather than a made-up zero).
      if (!m) expect(out.Datapoints, name).toEqual([]);
      else expect(out.Datapoints, name).toEqual([expect.objectContaining({ SampleCount: 1, Sum: expect.closeTo(m.value, 6), Unit: m.unit })]);
    }
  });

  it("--engine fis: the alarm is the template's stop condition; set to ALARM with the AWS CLI mid-hold, FIS stops and reverts; aborted, exit 1, noticed within a poll", async () => {
    // Held in ALARM once set, as a real breach would be: FIS's own evaluation of its stop condition is what the test waits on.
    await createHeldAlarm(emb, cw, 'e2e-fis-slo');
    const az = emb.stack.subnets[0]!.availabilityZone;
    const seq = lastSeq(emb);
    const role = fisRoleArn(emb.sandbox.world.accountId);
    const args = blackholeArgs(t.dir, '--yes', '--json', '--az', az, '--duration', '5m', '--engine', 'fis', '--fis-role-arn', role, '--stop-alarm', 'e2e-fis-slo');
    const r = await runWithHook(cli, args, () => setAlarmStateWithCli(emb.sandbox.endpoint, 'e2e-fis-slo', 'ALARM', 'game day: p99 above the SLO'), /fault-injected/);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('aborted');
    expect(report.engine?.stopConditions).toEqual([emb.sandbox.ctx.cloudwatch.alarmArn('e2e-fis-slo')]);
    expect(report.stopCondition).toMatchObject({ name: 'e2e-fis-slo' });
    // FIS stopped the experiment (not chaos-ec2's own StopExperiment), and reverted what it injected.
    const events = emb.sandbox.world.events(seq);
    expect(events.some((e) => e.type === 'fis-experiment' && e.status === 'stopped')).toBe(true);
    const set = events.find((e) => e.type === 'alarm-state' && e.alarmName === 'e2e-fis-slo' && e.to === 'ALARM' && e.cause === 'set')!;
    const firedAt = report.fault!.t0! + report.stopCondition!.firedAtMs;
    expect(firedAt - set.atMs).toBeLessThanOrEqual(2 * POLL_MS);
    expect(await associations(t.clients.ec2)).toEqual(before);
    expect(await chaosNacls(t.clients.ec2)).toEqual([]);
  });

  it('an alarm already in ALARM before injecting: exit 3 through the binary, with the reason and a hint; nothing changed', async () => {
    await createAlarm(emb, cw, 'e2e-firing', 'breaching');
    const seq = lastSeq(emb);
    const firing = await cli(fastRunArgs(t.dir, '--yes', '--stop-alarm', 'e2e-firing'));
    expect(firing.code, firing.stderr).toBe(3);
    expect(firing.stdout + firing.stderr).toMatch(/stop alarm not OK before injecting: 'e2e-firing' is ALARM \(Threshold Crossed/);
    expect(firing.stdout + firing.stderr).toMatch(/already unhealthy/);
    const changed = emb.sandbox.world.events(seq).filter((e) => e.type.startsWith('nacl') || (e.type === 'instance-state' && e.to === 'shutting-down'));
    expect(changed).toEqual([]);
  });

  it('a failure to publish is a warning on record in the report; the report is otherwise unchanged', async () => {
    const clients: AwsClients = await createClients({ region: 'us-east-1', endpoint: emb.sandbox.endpoint, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
    const report = {
      verdict: 'pass',
      exitCode: 0,
      target: { asg: 'demo-asg' },
      fault: { kind: 'terminate-instances', t0: Date.now() },
      recovery: null,
      probe: null,
      endedAt: new Date().toISOString(),
    } as unknown as Report;
    const warnings: string[] = [];
    try {
      await setKnobs(emb, { failActions: ['PutMetricData'] });
      const out = await publishRunMetrics(clients.cloudwatch, 'ChaosE2E/Fail', report, (w) => warnings.push(w));
      expect(out).toEqual({ ...report, metrics: { namespace: 'ChaosE2E/Fail', published: false, error: expect.stringMatching(/^PutMetricData: ServiceUnavailable/) } });
      expect(warnings).toEqual([expect.stringMatching(/^metrics not published to CloudWatch namespace 'ChaosE2E\/Fail': PutMetricData: .*\(the run's result and exit code stand\)$/)]);
    } finally {
      await setKnobs(emb, { failActions: [] });
      clients.destroy();
    }
  });
});
