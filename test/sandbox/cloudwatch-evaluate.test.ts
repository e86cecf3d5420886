/**
 * One alarm evaluation (cloudwatch/evaluate.ts), without a server: M of N datapoints, each TreatMissingData,
 * and where the evaluated periods end for per-minute and per-second data.
 */
import { describe, expect, it } from 'vitest';
import { evaluateAlarm } from '../../src/sandbox/cloudwatch/evaluate.js';
import { MetricStore } from '../../src/sandbox/cloudwatch/metrics.js';
import type { MetricAlarm } from '../../src/sandbox/cloudwatch/types.js';

const id = { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', dimensions: [{ name: 'LoadBalancer', value: 'app/web/0123' }] };
const M = Date.UTC(2026, 10, 30, 22, 0, 0);

function alarm(extra: Partial<MetricAlarm> = {}): MetricAlarm {
  const t = new Date(M);
  return {
    alarmName: 'a',
    alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:a',
    actionsEnabled: true,
    okActions: [],
    alarmActions: [],
    insufficientDataActions: [],
    ...id,
    statistic: 'Sum',
    period: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'missing',
    configurationUpdatedAt: t,
    stateValue: 'INSUFFICIENT_DATA',
    stateReason: 'Unchecked: Initial alarm creation',
    stateUpdatedAt: t,
    stateTransitionedAt: t,
    ...extra,
  };
}

/** Per-minute counts (as the realistic profile's load balancer publishes them), one per listed minute. */
function perMinute(counts: (number | undefined)[]): MetricStore {
  const store = new MetricStore();
  counts.forEach((n, i) => {
    if (n !== undefined) store.put(id, { atMs: M + i * 60_000, sum: n, min: n, max: n, count: 1, unit: 'Count' }, 60_000);
  });
  return store;
}

describe('alarm evaluation', () => {
  it("sees a minute's datapoint once the minute is over, whatever the phase of the evaluation", () => {
    const store = perMinute([3]);
    // Published just after the minute closed (stamped with the minute's start): every evaluation in the next
    // minute looks at it, early or late.
    for (const at of [M + 60_500, M + 119_000]) expect(evaluateAlarm(alarm(), store, at)?.state).toBe('ALARM');
    // During the minute itself, that minute is not evaluated yet.
    expect(evaluateAlarm(alarm(), store, M + 30_000)?.state).toBe('INSUFFICIENT_DATA');
  });

  it('ALARM takes DatapointsToAlarm breaching datapoints out of EvaluationPeriods', () => {
    const at = M + 3 * 60_000 + 1000;
    const twoOfThree = alarm({ evaluationPeriods: 3, datapointsToAlarm: 2 });
    expect(evaluateAlarm(twoOfThree, perMinute([0, 5, 0]), at)?.state).toBe('OK');
    const alarmed = evaluateAlarm(twoOfThree, perMinute([5, 0, 5]), at)!;
    expect(alarmed.state).toBe('ALARM');
    expect(alarmed.reason).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [5.0 (30/11/26 22:00:00), 0.0 (30/11/26 22:01:00), 5.0 (30/11/26 22:02:00)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
    expect(JSON.parse(alarmed.reasonData!)).toMatchObject({ recentDatapoints: [5, 0, 5], period: 60, threshold: 1, statistic: 'Sum' });
    expect(evaluateAlarm(alarm({ comparisonOperator: 'LessThanThreshold' }), perMinute([0]), M + 61_000)?.state).toBe('ALARM');
  });

  it('treats missing datapoints as TreatMissingData says', () => {
    const at = M + 3 * 60_000 + 1000;
    const partial = perMinute([undefined, 5, undefined]);
    const of3 = (treatMissingData: MetricAlarm['treatMissingData'], datapointsToAlarm = 2) => alarm({ evaluationPeriods: 3, datapointsToAlarm, treatMissingData });
    expect(evaluateAlarm(of3('breaching'), partial, at)?.state).toBe('ALARM');
    expect(evaluateAlarm(of3('notBreaching'), partial, at)?.state).toBe('OK');
    expect(evaluateAlarm(of3('missing', 1), partial, at)?.state).toBe('ALARM');
    const empty = new MetricStore();
    expect(evaluateAlarm(of3('missing'), empty, at)).toMatchObject({ state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: 3 datapoints were unknown.' });
    expect(evaluateAlarm(of3('ignore'), empty, at)).toBeUndefined();
    expect(evaluateAlarm(of3('notBreaching'), empty, at)?.reason).toContain('3 missing datapoints were treated as [NonBreaching]');
  });

  it('keeps per-second datapoints three hours and per-minute ones fifteen days, as CloudWatch retains them', () => {
    const store = new MetricStore();
    const perSecond = { ...id, metricName: 'RequestCount' };
    // Five hours of one datapoint a minute, stored at one-second resolution.
    for (let i = 0; i < 300; i++) store.put(perSecond, { atMs: M + i * 60_000, sum: 1, min: 1, max: 1, count: 1 }, 1000);
    expect(store.aggregate(perSecond, M, M + 3_600_000)).toBeUndefined();
    expect(store.aggregate(perSecond, M + 4 * 3_600_000, M + 5 * 3_600_000)?.count).toBe(60);
    const perMinute = { ...id, metricName: 'HealthyHostCount' };
    for (let i = 0; i < 300; i++) store.put(perMinute, { atMs: M + i * 60_000, sum: 1, min: 1, max: 1, count: 1 }, 60_000);
    expect(store.aggregate(perMinute, M, M + 3_600_000)?.count).toBe(60);
  });
});
