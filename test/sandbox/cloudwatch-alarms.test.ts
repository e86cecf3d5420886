/**
 * The sandbox's CloudWatch alarms through the real @aws-sdk/client-cloudwatch (AWS JSON 1.0, awsQuery-
 * compatible errors): lifecycle, SetAlarmState lasting only until the next evaluation, history, validation.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setKnobs } from '../../src/sandbox/index.js';
import { clientConfig, expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: 'Test/App',
  MetricName: 'Errors',
  Dimensions: [{ Name: 'Service', Value: 'shop' }],
  Statistic: 'Sum',
  Period: 10,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  ...extra,
});

describe('sandbox CloudWatch alarms', () => {
  let sb: TestSandbox;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    sb = await startTestSandbox({ timings: { alarmEvaluationMs: 200 } });
    cw = new CloudWatchClient(clientConfig(sb.endpoint));
  });
  afterAll(async () => {
    cw?.destroy();
    await sb?.close();
  });

  it('creates an alarm in INSUFFICIENT_DATA, lists it by name, prefix and state, pages, and deletes it', async () => {
    for (const n of ['life-a', 'life-b', 'life-c']) await cw.send(new PutMetricAlarmCommand(alarm(n, { TreatMissingData: 'ignore' })));
    const one = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['life-b'] }))).MetricAlarms!;
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({
      AlarmName: 'life-b',
      AlarmArn: `arn:aws:cloudwatch:us-east-1:${sb.world.accountId}:alarm:life-b`,
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      Dimensions: [{ Name: 'Service', Value: 'shop' }],
      DatapointsToAlarm: 1,
      TreatMissingData: 'ignore',
    });
    expect(one[0]!.StateUpdatedTimestamp).toBeInstanceOf(Date);
    const page1 = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'life-', MaxRecords: 2 }));
    expect(page1.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['life-a', 'life-b']);
    const page2 = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'life-', MaxRecords: 2, NextToken: page1.NextToken }));
    expect(page2.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['life-c']);
    expect(page2.NextToken).toBeUndefined();
    const ok = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'life-', StateValue: 'OK' }));
    expect(ok.MetricAlarms).toEqual([]);
    // An unknown name among the deleted ones is no error (the known ones are still deleted).
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['life-a', 'life-b', 'life-c', 'never-was'] }));
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'life-' }))).MetricAlarms).toEqual([]);
  });

  it('SetAlarmState holds only until the next evaluation; both changes are in the history and the events', async () => {
    await cw.send(new PutMetricAlarmCommand(alarm('brief', { TreatMissingData: 'notBreaching' })));
    const arn = sb.ctx.cloudwatch.alarmArn('brief');
    // The first evaluation finds no data, which notBreaching counts as within the threshold: OK.
    await sb.waitForEvent((e) => e.type === 'alarm-state' && e.alarmName === 'brief' && e.to === 'OK', 3000);
    const before = sb.world.events().length;
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'brief', StateValue: 'ALARM', StateReason: 'game day', StateReasonData: '{"by":"test"}' }));
    expect(sb.ctx.cloudwatch.alarmStateByArn(arn)).toBe('ALARM');
    const back = await sb.waitForEvent((e) => e.seq > before && e.type === 'alarm-state' && e.alarmName === 'brief' && e.cause === 'evaluation', 3000);
    expect(back).toMatchObject({ from: 'ALARM', to: 'OK', alarmArn: arn });
    expect(sb.ctx.cloudwatch.alarmStateByArn(arn)).toBe('OK');
    const history = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'brief', HistoryItemType: 'StateUpdate' }))).AlarmHistoryItems!;
    expect(history.map((h) => h.HistorySummary)).toEqual(['Alarm updated from ALARM to OK', 'Alarm updated from OK to ALARM', 'Alarm updated from INSUFFICIENT_DATA to OK']);
    expect(JSON.parse(history[1]!.HistoryData!)).toMatchObject({
      oldState: { stateValue: 'OK' },
      newState: { stateValue: 'ALARM', stateReason: 'game day', stateReasonData: { by: 'test' } },
    });
    // Paging and time bounds: the oldest item alone, then a window that excludes everything.
    const oldest = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'brief', HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending', MaxRecords: 1 }));
    expect(oldest.AlarmHistoryItems!.map((h) => h.HistorySummary)).toEqual(['Alarm updated from INSUFFICIENT_DATA to OK']);
    expect(oldest.NextToken).toBeDefined();
    const future = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'brief', StartDate: new Date(Date.now() + 60_000) }));
    expect(future.AlarmHistoryItems).toEqual([]);
    const [latest] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['brief'] }))).MetricAlarms!;
    expect(latest!.StateTransitionedTimestamp!.getTime()).toBe(back.atMs);
    // One change, one timestamp: the newest history item is stamped with the alarm's StateUpdatedTimestamp (a
    // reader matching the two — chaos-ec2's alarm watch skips the change behind its last reading — needs it).
    expect(history[0]!.Timestamp!.getTime()).toBe(latest!.StateUpdatedTimestamp!.getTime());
  });

  it('answers with CloudWatch error codes and statuses', async () => {
    await expectAwsError(cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x' })), 'ResourceNotFound', 404);
    const period = await expectAwsError(cw.send(new PutMetricAlarmCommand(alarm('bad', { Period: 7 }))), 'InvalidParameterValueException');
    expect((period as Error & { Code?: string }).Code).toBe('InvalidParameterValue');
    await expectAwsError(cw.send(new PutMetricAlarmCommand(alarm('bad', { ExtendedStatistic: 'p99' }))), 'InvalidParameterCombinationException');
    await expectAwsError(cw.send(new PutMetricAlarmCommand(alarm('bad', { DatapointsToAlarm: 2 }))), 'ValidationException');
    await expectAwsError(cw.send(new PutMetricAlarmCommand(alarm('bad', { EvaluationPeriods: undefined }))), 'MissingRequiredParameterException');
    await expectAwsError(cw.send(new DescribeAlarmsCommand({ NextToken: 'garbage' })), 'InvalidNextToken');
    await expectAwsError(cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x', StateReasonData: '{' })), 'InvalidFormatFault');
    expect(sb.ctx.cloudwatch.getAlarm('bad')).toBeUndefined();
    // Signed for another region: refused before anything is read, as AWS refuses a wrong credential scope.
    const elsewhere = new CloudWatchClient({ ...clientConfig(sb.endpoint), region: 'eu-west-1' });
    const scoped = await expectAwsError(elsewhere.send(new DescribeAlarmsCommand({})), 'SignatureDoesNotMatch', 403);
    expect(scoped.message).toContain("not 'eu-west-1'");
    elsewhere.destroy();
  });

  it('applies the fault knobs to JSON 1.0 calls as to every other service: failActions, throttling, stalls', async () => {
    setKnobs(sb.ctx, { failActions: ['DescribeAlarms'] });
    await expectAwsError(cw.send(new DescribeAlarmsCommand({})), 'ServiceUnavailable', 503);
    setKnobs(sb.ctx, { failActions: [], apiRateLimit: 1 });
    // One token per second: of two calls in a row, the second is throttled the way CloudWatch says it.
    const results = await Promise.allSettled([cw.send(new DescribeAlarmsCommand({})), cw.send(new DescribeAlarmsCommand({}))]);
    setKnobs(sb.ctx, { apiRateLimit: 0 });
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'ok')).sort()).toEqual(['Throttling', 'ok']);
    // A stalled SetAlarmState: held before it changes anything, completed once the knob is cleared.
    await cw.send(new PutMetricAlarmCommand(alarm('stalled', { TreatMissingData: 'ignore' })));
    setKnobs(sb.ctx, { stallActions: [{ action: 'SetAlarmState', after: 0 }] });
    const held = cw.send(new SetAlarmStateCommand({ AlarmName: 'stalled', StateValue: 'ALARM', StateReason: 'held' }));
    await sb.waitForEvent((e) => e.type === 'api-stalled' && e.action === 'SetAlarmState', 3000);
    expect(sb.ctx.cloudwatch.getAlarm('stalled')!.stateValue).toBe('INSUFFICIENT_DATA');
    setKnobs(sb.ctx, { stallActions: [] });
    await held;
    expect(sb.ctx.cloudwatch.getAlarm('stalled')!.stateValue).toBe('ALARM');
  });
});
