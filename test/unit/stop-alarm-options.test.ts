/**
 * The CloudWatch options as data: --stop-alarm / timings.stopAlarms (flags and files alike), --allow-insufficient-data,
 * --metrics-namespace (validated as CloudWatch accepts namespaces), their IAM statements, the run metrics a
 * report becomes, and how an alarm history item is read.
 */
import { describe, expect, it } from 'vitest';
import { transitionOf } from '../../src/aws/cloudwatch.js';
import { buildPolicy, iamPolicyCommand } from '../../src/cli/commands/iam-policy.js';
import { validateRunOptions } from '../../src/experiment/config.js';
import { parseExperimentFile } from '../../src/experiment/file.js';
import type { Report } from '../../src/experiment/types.js';
import { runDimensions, runMetrics } from '../../src/report/metrics.js';

const usage = (raw: Record<string, string | boolean | string[]>): string => {
  try {
    validateRunOptions({ asg: 'web', ...raw }, {});
  } catch (err) {
    expect((err as { exitCode?: number }).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('--stop-alarm, --allow-insufficient-data, --metrics-namespace', () => {
  it('stop alarms: repeatable, each once, names or ARNs; none by default', () => {
    expect(validateRunOptions({ asg: 'web' }, {})).toMatchObject({ stopAlarms: [], allowInsufficientData: false });
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx';
    expect(validateRunOptions({ asg: 'web', stopAlarm: ['web-5xx', ' p99 high ', 'web-5xx', arn], allowInsufficientData: true }, {})).toMatchObject({
      stopAlarms: ['web-5xx', 'p99 high', arn],
      allowInsufficientData: true,
    });
    expect(usage({ stopAlarm: [''] })).toBe('--stop-alarm: must not be empty');
    expect(usage({ stopAlarm: Array.from({ length: 101 }, (_, i) => `a${i}`) })).toBe('--stop-alarm: 101 alarms: at most 100 (what one DescribeAlarms call reads)');
    expect(usage({ allowInsufficientData: true })).toBe('--allow-insufficient-data: needs --stop-alarm (it is about the stop alarms)');
  });

  it('metrics namespace: what CloudWatch accepts, and nothing reserved for AWS', () => {
    expect(validateRunOptions({ asg: 'web', metricsNamespace: 'Chaos/GameDay #3: prod' }, {}).metricsNamespace).toBe('Chaos/GameDay #3: prod');
    expect(validateRunOptions({ asg: 'web' }, {}).metricsNamespace).toBeUndefined();
    expect(usage({ metricsNamespace: 'AWS/EC2' })).toBe("--metrics-namespace: 'AWS/EC2' must not begin with 'AWS/' (reserved for AWS services)");
    expect(usage({ metricsNamespace: 'chaos!' })).toBe("--metrics-namespace: 'chaos!' may contain only letters, digits, spaces and . - _ / # :");
    expect(usage({ metricsNamespace: 'x'.repeat(256) })).toMatch(/is longer than 255 characters$/);
    expect(usage({ metricsNamespace: '   ' })).toBe("--metrics-namespace: '   ' must contain a character other than a space");
    expect(usage({ metricsNamespace: ':chaos' })).toBe("--metrics-namespace: ':chaos' must not begin with a colon");
  });

  it('experiment files: timings.stopAlarms as one name or a list (with ${VAR}s), bad lists at their line', () => {
    const text = [
      'defaults:', //                                           1
      '  timings: { stopAlarms: shared-alarm }', //              2
      'experiments:', //                                        3
      '  - name: one', //                                       4
      '    target: { asg: web }', //                            5
      '  - name: two', //                                       6
      '    target: { asg: web }', //                            7
      '    timings:', //                                        8
      '      stopAlarms: [web-5xx, "${ENV_NAME}-p99"]', //       9
      '      allowInsufficientData: true', //                   10
    ].join('\n');
    const f = parseExperimentFile(text, 'g.yaml', { ENV_NAME: 'prod' });
    expect(validateRunOptions(f.experiments[0]!.raw, {}).stopAlarms).toEqual(['shared-alarm']);
    expect(validateRunOptions(f.experiments[1]!.raw, {})).toMatchObject({ stopAlarms: ['web-5xx', 'prod-p99'], allowInsufficientData: true });
    const bad = 'experiments:\n  - target: { asg: web }\n    timings:\n      stopAlarms: [a, {b: 1}]\n';
    expect(() => parseExperimentFile(bad, 'g.yaml', {})).toThrow(/g\.yaml:4 experiments\[0\]\.timings\.stopAlarms: must be text or a list of text/);
    const empty = 'experiments:\n  - target: { asg: web }\n    timings:\n      stopAlarms: []\n';
    expect(() => parseExperimentFile(empty, 'g.yaml', {})).toThrow(/stopAlarms: must be text or a list of text/);
  });

  it('iam-policy: alarm reads on those alarms only with --stop-alarm, PutMetricData on one namespace only with --metrics-namespace', async () => {
    const base = buildPolicy(['terminate-instances']);
    expect(JSON.stringify(base)).not.toContain('cloudwatch:');
    const p = buildPolicy(['terminate-instances'], {
      stopAlarms: ['web-5xx', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:p99'],
      metricsNamespace: 'Chaos/GameDay',
    });
    expect(p.Statement.find((s) => s.Sid === 'ReadTheStopAlarms')).toEqual({
      Sid: 'ReadTheStopAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
      Resource: ['arn:aws:cloudwatch:*:*:alarm:web-5xx', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:p99'],
    });
    expect(p.Statement.find((s) => s.Sid === 'PublishRunMetrics')).toEqual({
      Sid: 'PublishRunMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Chaos/GameDay' } },
    });
    let text = '';
    const out = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
    expect(await iamPolicyCommand({ faults: 'terminate-instances', stopAlarm: ['only-one'] }, out)).toBe(0);
    const printed = JSON.parse(text) as ReturnType<typeof buildPolicy>;
    expect(printed.Statement.find((s) => s.Sid === 'ReadTheStopAlarms')?.Resource).toBe('arn:aws:cloudwatch:*:*:alarm:only-one');
    expect(printed.Statement.some((s) => s.Sid === 'PublishRunMetrics')).toBe(false);
    await expect(iamPolicyCommand({ metricsNamespace: 'AWS/x' }, out)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^--metrics-namespace: 'AWS\/x' must not begin/),
    });
  });

  it('run metrics: ms figures (null ones omitted), availability in percent, verdict 1 only for a pass; nothing injected → none', () => {
    const report = {
      verdict: 'pass',
      target: { asg: 'web-asg' },
      fault: { kind: 'blackhole-az', t0: 1_700_000_000_000 },
      recovery: { timeToImpactMs: 1200, serviceRecoveredMs: 41_000, capacityRecoveredMs: null },
      probe: { sent: 1000, availability: 0.9731 },
    } as unknown as Report;
    expect(runMetrics(report)).toEqual([
      { name: 'TimeToImpact', value: 1200, unit: 'Milliseconds' },
      { name: 'ServiceRecovered', value: 41_000, unit: 'Milliseconds' },
      { name: 'Availability', value: 97.31, unit: 'Percent' },
      { name: 'Verdict', value: 1, unit: 'Count' },
    ]);
    expect(runDimensions(report)).toEqual({ AutoScalingGroupName: 'web-asg', Fault: 'blackhole-az' });
    expect(runMetrics({ ...report, verdict: 'aborted' }).find((m) => m.name === 'Verdict')?.value).toBe(0);
    expect(runMetrics({ ...report, fault: { ...report.fault!, t0: null } })).toEqual([]);
    expect(runMetrics({ ...report, fault: null })).toEqual([]);
  });

  it('alarm history items: the states from HistoryData, else from the summary', () => {
    const at = new Date('2026-11-30T22:00:00.123Z');
    expect(
      transitionOf({
        Timestamp: at,
        HistorySummary: 'Alarm updated from OK to ALARM',
        HistoryData: JSON.stringify({ oldState: { stateValue: 'OK' }, newState: { stateValue: 'ALARM', stateReason: 'Threshold Crossed' } }),
      }),
    ).toEqual({ at: at.getTime(), from: 'OK', to: 'ALARM', reason: 'Threshold Crossed' });
    expect(transitionOf({ Timestamp: at, HistorySummary: 'Alarm updated from ALARM to OK', HistoryData: 'not json' })).toEqual({
      at: at.getTime(),
      from: 'ALARM',
      to: 'OK',
      reason: 'Alarm updated from ALARM to OK',
    });
    expect(transitionOf({ Timestamp: at, HistorySummary: 'Alarm "x" updated' })).toBeUndefined();
  });
});
