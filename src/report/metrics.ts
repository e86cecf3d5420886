/**
 * `--metrics-namespace NS`: the figures of a finished run as CloudWatch metrics, so teams graph recovery over
 * months and alarm on it (e.g. "Verdict average < 1 over 30 days"). One PutMetricData at the end of a run that
 * injected something, after the gates decided the verdict:
 *
 *   TimeToImpact, ServiceRecovered, CapacityRecovered  Milliseconds since t0 (omitted when the figure is null)
 *   Availability                                       Percent of the probe's requests that succeeded
 *   Verdict                                            Count: 1 pass, 0 anything else
 *
 * with dimensions AutoScalingGroupName and Fault. A run that injected nothing (a refusal) has no figures and
 * publishes nothing. Publishing is a side effect of reporting: a failure is a warning and is recorded in the
 * report (`metrics.error`); the verdict and the exit code stand.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { putRunMetrics, type RunMetric } from '../aws/cloudwatch.js';
import type { Report } from '../experiment/types.js';

/** How long publishing may hold the end of a run back (the SDK's retries included). */
export const PUBLISH_TIMEOUT_MS = 20_000;

/** PURE: the metrics of a report (empty when nothing was injected: no figures to publish). */
export function runMetrics(report: Report): RunMetric[] {
  if (!report.fault || report.fault.t0 === null) return [];
  const rec = report.recovery;
  const ms = (name: string, v: number | null | undefined): RunMetric[] => (typeof v === 'number' ? [{ name, value: v, unit: 'Milliseconds' }] : []);
  return [
    ...ms('TimeToImpact', rec?.timeToImpactMs),
    ...ms('ServiceRecovered', rec?.serviceRecoveredMs),
    ...ms('CapacityRecovered', rec?.capacityRecoveredMs),
    ...(report.probe && report.probe.sent > 0 ? [{ name: 'Availability', value: report.probe.availability * 100, unit: 'Percent' as const }] : []),
    { name: 'Verdict', value: report.verdict === 'pass' ? 1 : 0, unit: 'Count' },
  ];
}

export function runDimensions(report: Report): Record<string, string> {
  return { AutoScalingGroupName: report.target.asg, Fault: report.fault?.kind ?? 'none' };
}

/**
 * Publishes the report's figures to `namespace` and returns the report with its `metrics` section; a report
 * with nothing injected comes back unchanged. Never throws: a failure is the section's `error`, and `warn`.
 */
export async function publishRunMetrics(client: CloudWatchClient, namespace: string, report: Report, warn: (line: string) => void): Promise<Report> {
  const metrics = runMetrics(report);
  if (!metrics.length) return report;
  try {
    await putRunMetrics(client, namespace, metrics, runDimensions(report), Date.parse(report.endedAt), { timeoutMs: PUBLISH_TIMEOUT_MS });
    return { ...report, metrics: { namespace, published: true } };
  } catch (err) {
    const error = (err as Error)?.message ?? String(err);
    warn(`metrics not published to CloudWatch namespace '${namespace}': ${error} (the run's result and exit code stand)`);
    return { ...report, metrics: { namespace, published: false, error } };
  }
}
