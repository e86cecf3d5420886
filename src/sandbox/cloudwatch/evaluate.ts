/**
 * One evaluation of a metric alarm, as "Evaluating an alarm" and "Configuring how CloudWatch alarms treat
 * missing data" describe it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
 * the most recent EvaluationPeriods periods of Period seconds each give one datapoint (the Statistic over the
 * period) or a missing one; the alarm is ALARM when at least DatapointsToAlarm of them breach the threshold,
 * else OK. Missing datapoints are breaching (`breaching`), within the threshold (`notBreaching`), or left
 * out (`missing`, `ignore`); when every datapoint is missing, `missing` goes to INSUFFICIENT_DATA and
 * `ignore` keeps the current state.
 *
 * Sandbox simplification: the periods end at the last whole second before the evaluation (not on CloudWatch's
 * own period grid), so a per-second load balancer metric is seen by a 10-second alarm within a second.
 */
import { statisticOf, type MetricStore } from './metrics.js';
import type { ComparisonOperator, MetricAlarm, StateChange } from './types.js';

const OPERATOR_TEXT: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(op: ComparisonOperator, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

interface Period {
  startMs: number;
  value?: number;
  sampleCount?: number;
}

/** The state the alarm's data implies now, or undefined when it keeps its current state (`ignore`, no data). */
export function evaluateAlarm(alarm: MetricAlarm, metrics: MetricStore, nowMs: number): StateChange | undefined {
  const periodMs = alarm.period * 1000;
  const endMs = Math.floor(nowMs / 1000) * 1000;
  const id = { namespace: alarm.namespace, metricName: alarm.metricName, dimensions: alarm.dimensions };
  // Oldest first, as AWS lists recentDatapoints.
  const periods: Period[] = [];
  for (let k = alarm.evaluationPeriods - 1; k >= 0; k--) {
    const startMs = endMs - (k + 1) * periodMs;
    const agg = metrics.aggregate(id, startMs, startMs + periodMs, alarm.unit);
    periods.push(agg ? { startMs, value: statisticOf(agg, alarm.statistic), sampleCount: agg.count } : { startMs });
  }
  const present = periods.filter((p) => p.value !== undefined);
  const missing = periods.length - present.length;
  const breaching = present.filter((p) => breaches(alarm.comparisonOperator, p.value!, alarm.threshold)).length;
  const treatMissing = alarm.treatMissingData;
  const data = reasonData(alarm, nowMs, endMs, periods);
  if (present.length === 0 && treatMissing === 'ignore') return undefined;
  if (present.length === 0 && treatMissing === 'missing') {
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${plural(missing, 'datapoint')} ${missing === 1 ? 'was' : 'were'} unknown.`, reasonData: data };
  }
  const missingBreach = treatMissing === 'breaching' ? missing : 0;
  const total = breaching + missingBreach;
  const state = total >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
  const counted = state === 'ALARM' ? total : periods.length - total;
  const values = present.map((p) => `${fmt(p.value!)} (${stamp(p.startMs)})`).join(', ');
  const negation = state === 'ALARM' ? '' : 'not ';
  const from = state === 'ALARM' ? 'OK' : 'ALARM';
  const missingText =
    missing > 0 && treatMissing !== 'missing' && treatMissing !== 'ignore'
      ? ` and ${plural(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} treated as [${treatMissing === 'breaching' ? 'Breaching' : 'NonBreaching'}]`
      : '';
  const reason =
    `Threshold Crossed: ${counted} out of the last ${periods.length} datapoints [${values}] ${counted === 1 ? 'was' : 'were'} ${negation}${OPERATOR_TEXT[alarm.comparisonOperator]} the threshold (${fmt(alarm.threshold)})` +
    `${missingText} (minimum ${plural(state === 'ALARM' ? alarm.datapointsToAlarm : 1, 'datapoint')} for ${from} -> ${state} transition).`;
  return { state, reason, reasonData: data };
}

/** StateReasonData as AWS writes it for a threshold alarm (a JSON document, version 1.0). */
function reasonData(alarm: MetricAlarm, nowMs: number, endMs: number, periods: Period[]): string {
  return JSON.stringify({
    version: '1.0',
    queryDate: awsDate(nowMs),
    startDate: awsDate(endMs - periods.length * alarm.period * 1000),
    ...(alarm.unit ? { unit: alarm.unit } : {}),
    statistic: alarm.statistic,
    period: alarm.period,
    recentDatapoints: periods.filter((p) => p.value !== undefined).map((p) => p.value),
    threshold: alarm.threshold,
    evaluatedDatapoints: periods
      .slice()
      .reverse()
      .map((p) => ({ timestamp: awsDate(p.startMs), ...(p.value !== undefined ? { sampleCount: p.sampleCount, value: p.value } : {}) })),
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** AWS prints alarm values as doubles: 5.0, 0.25. */
export function fmt(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

/** `2026-11-30T22:01:05.123+0000`, the format of the dates in StateReasonData and HistoryData. */
export function awsDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `30/11/26 22:01:00`, how a datapoint's time appears in a StateReason. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
