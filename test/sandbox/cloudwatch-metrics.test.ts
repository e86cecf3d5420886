/**
 * The sandbox's CloudWatch metrics through the real @aws-sdk/client-cloudwatch: PutMetricData read back with
 * GetMetricStatistics / GetMetricData / ListMetrics, and alarms over them with each TreatMissingData.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const NS = 'Test/Shop';
const dims = [{ Name: 'Service', Value: 'cart' }];

describe('sandbox CloudWatch metrics', () => {
  let sb: TestSandbox;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    sb = await startTestSandbox({ timings: { alarmEvaluationMs: 150 } });
    cw = new CloudWatchClient(clientConfig(sb.endpoint));
  });
  afterAll(async () => {
    cw?.destroy();
    await sb?.close();
  });

  it('stores Value, Values/Counts and StatisticValues, and reads them back per period', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const at = (m: number, s = 0) => new Date(minute + m * 60_000 + s * 1000);
    await cw.send(
      new PutMetricDataCommand({
        Namespace: NS,
        MetricData: [
          { MetricName: 'Latency', Dimensions: dims, Value: 100, Unit: 'Milliseconds', Timestamp: at(0, 5) },
          { MetricName: 'Latency', Dimensions: dims, Values: [10, 50], Counts: [3, 1], Unit: 'Milliseconds', Timestamp: at(0, 40) },
          { MetricName: 'Latency', Dimensions: dims, StatisticValues: { SampleCount: 2, Sum: 30, Minimum: 5, Maximum: 25 }, Unit: 'Milliseconds', Timestamp: at(2, 1) },
          // Another dimension set is another metric.
          { MetricName: 'Latency', Dimensions: [...dims, { Name: 'AZ', Value: 'a' }], Value: 9999, Timestamp: at(0, 5) },
        ],
      }),
    );
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: NS,
        MetricName: 'Latency',
        Dimensions: dims,
        StartTime: at(0),
        EndTime: at(4),
        Period: 60,
        Statistics: ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'],
      }),
    );
    expect(stats.Label).toBe('Latency');
    expect(stats.Datapoints).toEqual([
      { Timestamp: at(0), Sum: 180, SampleCount: 5, Average: 36, Minimum: 10, Maximum: 100, Unit: 'Milliseconds' },
      { Timestamp: at(2), Sum: 30, SampleCount: 2, Average: 15, Minimum: 5, Maximum: 25, Unit: 'Milliseconds' },
    ]);
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(0),
        EndTime: at(4),
        MetricDataQueries: [
          { Id: 'sum', MetricStat: { Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: dims }, Period: 120, Stat: 'Sum' } },
          { Id: 'hidden', ReturnData: false, MetricStat: { Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: dims }, Period: 60, Stat: 'Maximum' } },
        ],
      }),
    );
    // Newest first by default; periods aligned to the period, only those with data.
    expect(data.MetricDataResults).toEqual([{ Id: 'sum', Label: 'Latency', Timestamps: [at(2), at(0)], Values: [30, 180], StatusCode: 'Complete', Messages: [] }]);
    // Paged by MaxDatapoints: the first page ends inside the query (PartialData), the next one resumes there.
    const paged = { StartTime: at(0), EndTime: at(4), ScanBy: 'TimestampAscending' as const, MaxDatapoints: 1 };
    const q = [{ Id: 'max', MetricStat: { Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: dims }, Period: 60, Stat: 'Maximum' as const } }];
    const first = await cw.send(new GetMetricDataCommand({ ...paged, MetricDataQueries: q }));
    expect(first.MetricDataResults).toMatchObject([{ Id: 'max', Timestamps: [at(0)], Values: [100], StatusCode: 'PartialData' }]);
    const second = await cw.send(new GetMetricDataCommand({ ...paged, MetricDataQueries: q, NextToken: first.NextToken }));
    expect(second.MetricDataResults).toMatchObject([{ Id: 'max', Timestamps: [at(2)], Values: [25], StatusCode: 'Complete' }]);
    expect(second.NextToken).toBeUndefined();
    const listed = await cw.send(new ListMetricsCommand({ Namespace: NS, Dimensions: [{ Name: 'AZ' }] }));
    expect(listed.Metrics).toEqual([{ Namespace: NS, MetricName: 'Latency', Dimensions: [{ Name: 'AZ', Value: 'a' }, ...dims] }]);
  });

  it('refuses what CloudWatch refuses, and what the sandbox does not model, with CloudWatch error codes', async () => {
    const now = new Date();
    await expectAwsError(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'X', Value: 1 }] })), 'InvalidParameterValueException');
    await expectAwsError(cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'X', Value: 1, Values: [1] }] })), 'InvalidParameterCombinationException');
    await expectAwsError(
      cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'X', Value: 1, Timestamp: new Date(Date.now() + 3 * 3_600_000) }] })),
      'InvalidParameterValueException',
    );
    const q = { Namespace: NS, MetricName: 'Latency', Period: 60, Statistics: ['Sum' as const] };
    await expectAwsError(cw.send(new GetMetricStatisticsCommand({ ...q, StartTime: now, EndTime: now })), 'InvalidParameterValueException');
    await expectAwsError(cw.send(new GetMetricStatisticsCommand({ ...q, Period: 1, StartTime: new Date(now.getTime() - 3_600_000), EndTime: now })), 'InvalidParameterCombinationException');
    const expr = await expectAwsError(
      cw.send(new GetMetricDataCommand({ StartTime: new Date(now.getTime() - 60_000), EndTime: now, MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }] })),
      'InvalidParameterValueException',
    );
    expect(expr.message).toContain('metric math');
  });

  it('evaluates alarms by TreatMissingData: no data is OK, ALARM, INSUFFICIENT_DATA or the state kept', async () => {
    const metric = { Namespace: NS, MetricName: 'Errors', Dimensions: dims, Statistic: 'Sum' as const, Period: 10, EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 5 };
    const put = (name: string, treat: string) =>
      cw.send(new PutMetricAlarmCommand({ AlarmName: name, ...metric, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: treat }));
    for (const t of ['missing', 'notBreaching', 'breaching', 'ignore']) await put(`tmd-${t}`, t);
    await sb.waitForEvent((e) => e.type === 'alarm-state' && e.alarmName === 'tmd-notBreaching' && e.to === 'OK', 3000);
    await sb.waitForEvent((e) => e.type === 'alarm-state' && e.alarmName === 'tmd-breaching' && e.to === 'ALARM', 3000);
    const state = async () =>
      Object.fromEntries(((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'tmd-' }))).MetricAlarms ?? []).map((a) => [a.AlarmName!.slice(4), a.StateValue]));
    expect(await state()).toEqual({ missing: 'INSUFFICIENT_DATA', notBreaching: 'OK', breaching: 'ALARM', ignore: 'INSUFFICIENT_DATA' });

    // `ignore` keeps a state set by hand while there is no data; the alarm beside it reverts in the same pass.
    const from = sb.world.events().at(-1)!.seq;
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'tmd-ignore', StateValue: 'OK', StateReason: 'by hand' }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'tmd-notBreaching', StateValue: 'ALARM', StateReason: 'by hand' }));
    await sb.waitForEvent((e) => e.seq > from && e.type === 'alarm-state' && e.alarmName === 'tmd-notBreaching' && e.cause === 'evaluation', 3000);
    expect((await state()).ignore).toBe('OK');

    // One breaching high-resolution datapoint: every alarm on the metric goes to ALARM.
    await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'Errors', Dimensions: dims, Value: 7, StorageResolution: 1 }] }));
    for (const t of ['missing', 'notBreaching', 'ignore']) await sb.waitForEvent((e) => e.seq > from && e.type === 'alarm-state' && e.alarmName === `tmd-${t}` && e.to === 'ALARM', 3000);
    const [missing] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['tmd-missing'] }))).MetricAlarms!;
    expect(missing!.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 2 datapoints \[7\.0 \(.+\)\] was greater than or equal to the threshold \(5\.0\)/);
    expect(JSON.parse(missing!.StateReasonData!)).toMatchObject({ version: '1.0', statistic: 'Sum', period: 10, recentDatapoints: [7], threshold: 5 });
  });
});
