/**
 * CloudWatch, as chaos-ec2 uses it: the stop alarms (DescribeAlarms, one call for all of them; DescribeAlarmHistory
 * to catch a state that came and went between two reads) and the run's results as metrics (PutMetricData).
 *
 * AWS facts this module relies on (CloudWatch API Reference):
 * - DescribeAlarms takes at most 100 AlarmNames and returns only metric alarms unless AlarmTypes names composite
 *   ones too; an unknown name is simply absent from the answer, never an error.
 * - An alarm ARN is `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`; the API takes names only, so
 *   an ARN is matched against the AlarmArn of what DescribeAlarms returns (another region or account: not found).
 * - SetAlarmState lasts only until the next evaluation; the alarm history keeps every StateUpdate with the old
 *   and new state in HistoryData (JSON), which is how a short ALARM between two reads is seen.
 * - PutMetricData namespaces: ASCII, 1-255 characters, not beginning with `AWS/` (reserved for AWS services).
 */
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutMetricDataCommand,
  type CloudWatchClient,
  type CompositeAlarm,
  type MetricAlarm,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { usageError, type Phase } from '../core/errors.js';
import { alarmNameOf, isAlarmArn, MAX_STOP_ALARMS } from './cloudwatch-names.js';
import { call } from './errors.js';

export { alarmNameOf, isAlarmArn, MAX_STOP_ALARMS, namespaceProblem } from './cloudwatch-names.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One alarm as DescribeAlarms reports it; `updatedAt` is CloudWatch's StateUpdatedTimestamp (epoch ms). */
export interface AlarmReading {
  name: string;
  arn: string;
  state: AlarmState;
  reason: string;
  updatedAt: number;
  type: 'MetricAlarm' | 'CompositeAlarm';
}

/** One state change from the alarm's history. */
export interface AlarmTransition {
  at: number;
  from: AlarmState | undefined;
  to: AlarmState;
  reason: string;
}

const STATES: readonly string[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const stateOf = (v: string | undefined): AlarmState => (v && STATES.includes(v) ? (v as AlarmState) : 'INSUFFICIENT_DATA');

function reading(a: MetricAlarm | CompositeAlarm, type: AlarmReading['type']): AlarmReading {
  return {
    name: a.AlarmName ?? '',
    arn: a.AlarmArn ?? '',
    state: stateOf(a.StateValue),
    reason: a.StateReason ?? '',
    updatedAt: a.StateUpdatedTimestamp?.getTime() ?? 0,
    type,
  };
}

/**
 * Reads the alarms named (by name or ARN) in ONE DescribeAlarms call (pages followed, though 100 names fit in
 * one): each value given → its reading, or undefined when no such alarm exists (or an ARN names another
 * region or account than the one found under that name).
 */
export async function readAlarms(client: CloudWatchClient, namesOrArns: readonly string[], phase: Phase): Promise<Map<string, AlarmReading | undefined>> {
  const names = [...new Set(namesOrArns.map(alarmNameOf))];
  const found = new Map<string, AlarmReading>();
  let token: string | undefined;
  if (names.length) {
    do {
      const out = await call('DescribeAlarms', { phase }, () =>
        client.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: MAX_STOP_ALARMS, ...(token ? { NextToken: token } : {}) })),
      );
      for (const a of out.MetricAlarms ?? []) found.set(a.AlarmName ?? '', reading(a, 'MetricAlarm'));
      for (const a of out.CompositeAlarms ?? []) found.set(a.AlarmName ?? '', reading(a, 'CompositeAlarm'));
      token = out.NextToken;
    } while (token);
  }
  return new Map(
    namesOrArns.map((v) => {
      const r = found.get(alarmNameOf(v));
      return [v, r && (!isAlarmArn(v) || r.arn === v) ? r : undefined];
    }),
  );
}

/**
 * The alarms named, in the order given, each once (a name and its ARN are one alarm). A value that matches no
 * alarm is a usage error naming it (exit 2): nothing has been changed when this runs. The FIS engine uses the
 * ARNs as its experiment template's stop conditions.
 */
export async function describeAlarms(client: CloudWatchClient, namesOrArns: readonly string[], phase: Phase = 'steady-state'): Promise<AlarmReading[]> {
  const read = await readAlarms(client, namesOrArns, phase);
  const missing = namesOrArns.filter((v) => read.get(v) === undefined);
  if (missing.length) {
    throw usageError(
      `--stop-alarm: no CloudWatch alarm ${missing.map((m) => `'${m}'`).join(', ')} (metric or composite) in this account and region`,
      'check the name (alarm names are case-sensitive), --region, and the account; `aws cloudwatch describe-alarms --alarm-names NAME` shows it',
    );
  }
  const out: AlarmReading[] = [];
  for (const v of namesOrArns) {
    const r = read.get(v)!;
    if (!out.some((o) => o.arn === r.arn)) out.push(r);
  }
  return out;
}

/** A StateUpdate history item → its transition (HistoryData is JSON: oldState/newState with stateValue, stateReason). */
export function transitionOf(item: { Timestamp?: Date; HistorySummary?: string; HistoryData?: string }): AlarmTransition | undefined {
  let data: { oldState?: { stateValue?: string }; newState?: { stateValue?: string; stateReason?: string } } | undefined;
  try {
    data = item.HistoryData ? (JSON.parse(item.HistoryData) as typeof data) : undefined;
  } catch {
    data = undefined;
  }
  // Without HistoryData, the summary says it: "Alarm updated from OK to ALARM".
  const summary = /from (OK|ALARM|INSUFFICIENT_DATA) to (OK|ALARM|INSUFFICIENT_DATA)/.exec(item.HistorySummary ?? '');
  const to = data?.newState?.stateValue ?? summary?.[2];
  if (!to || !STATES.includes(to)) return undefined;
  const from = data?.oldState?.stateValue ?? summary?.[1];
  return {
    at: item.Timestamp?.getTime() ?? 0,
    from: from && STATES.includes(from) ? (from as AlarmState) : undefined,
    to: to as AlarmState,
    reason: data?.newState?.stateReason ?? item.HistorySummary ?? '',
  };
}

/** The alarm's state changes from `sinceMs` on (CloudWatch's clock), oldest first. */
export async function alarmHistorySince(client: CloudWatchClient, alarm: Pick<AlarmReading, 'name' | 'type'>, sinceMs: number, phase: Phase): Promise<AlarmTransition[]> {
  const items: AlarmTransition[] = [];
  let token: string | undefined;
  do {
    const out = await call('DescribeAlarmHistory', { phase, target: alarm.name }, () =>
      client.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: alarm.name,
          AlarmTypes: [alarm.type],
          HistoryItemType: 'StateUpdate',
          StartDate: new Date(sinceMs),
          ScanBy: 'TimestampAscending',
          MaxRecords: 100,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    for (const item of out.AlarmHistoryItems ?? []) {
      const t = transitionOf(item);
      // From `sinceMs` on, inclusive: two changes can share a timestamp, and the one that produced the reading
      // at `sinceMs` is never a change to ALARM (that reading was not ALARM), so it cannot be mistaken for one.
      if (t && t.at >= sinceMs) items.push(t);
    }
    token = out.NextToken;
  } while (token);
  return items.sort((a, b) => a.at - b.at);
}

export interface RunMetric {
  name: string;
  value: number;
  unit: StandardUnit;
}

/**
 * One PutMetricData call with every metric of a run, each with the same dimensions and timestamp. `timeoutMs`
 * bounds the whole call, the SDK's retries included.
 */
export async function putRunMetrics(
  client: CloudWatchClient,
  namespace: string,
  metrics: readonly RunMetric[],
  dimensions: Readonly<Record<string, string>>,
  at: number,
  opts: { phase?: Phase; timeoutMs?: number } = {},
): Promise<void> {
  if (!metrics.length) return;
  const dims = Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
  const command = new PutMetricDataCommand({
    Namespace: namespace,
    MetricData: metrics.map((m) => ({ MetricName: m.name, Value: m.value, Unit: m.unit, Dimensions: dims, Timestamp: new Date(at) })),
  });
  await call('PutMetricData', { phase: opts.phase ?? 'report', target: namespace }, () => client.send(command, opts.timeoutMs ? { abortSignal: AbortSignal.timeout(opts.timeoutMs) } : {}));
}
