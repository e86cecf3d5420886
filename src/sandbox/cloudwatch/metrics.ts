/**
 * The metric datapoints CloudWatch holds: per metric (namespace, name, dimension set), time-ordered statistic
 * sets, and the aggregation every read uses (GetMetricStatistics, GetMetricData, alarm evaluation).
 * A metric is identified by its exact dimension set ("Dimensions": a metric with dimensions A and B is a
 * different metric from one with only A, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension).
 */
import type { Datapoint, Dimension, MetricId, Statistic } from './types.js';

/** Per metric, the oldest datapoints are dropped past this (a long-running sandbox at one per second). */
const MAX_POINTS_PER_METRIC = 200_000;

export interface Aggregate {
  sum: number;
  min: number;
  max: number;
  count: number;
  unit?: string;
}

interface Series {
  id: MetricId;
  points: Datapoint[];
}

export function sortDimensions(dims: Dimension[]): Dimension[] {
  return [...dims].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function metricKey(id: MetricId): string {
  return [id.namespace, id.metricName, ...sortDimensions(id.dimensions).map((d) => `${d.name}=${d.value}`)].join('\u0000');
}

export function statisticOf(a: Aggregate, stat: Statistic): number {
  switch (stat) {
    case 'Sum':
      return a.sum;
    case 'Minimum':
      return a.min;
    case 'Maximum':
      return a.max;
    case 'SampleCount':
      return a.count;
    case 'Average':
      return a.count > 0 ? a.sum / a.count : 0;
  }
}

export class MetricStore {
  private readonly series = new Map<string, Series>();

  put(id: MetricId, point: Datapoint): void {
    const key = metricKey(id);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { id: { ...id, dimensions: sortDimensions(id.dimensions) }, points: [] }));
    const pts = s.points;
    // Datapoints mostly arrive in time order: append, else insert at the right place.
    let i = pts.length;
    while (i > 0 && pts[i - 1]!.atMs > point.atMs) i--;
    pts.splice(i, 0, point);
    if (pts.length > MAX_POINTS_PER_METRIC) pts.splice(0, pts.length - MAX_POINTS_PER_METRIC);
  }

  /** Every metric, in namespace/name/dimensions order. */
  list(): MetricId[] {
    return [...this.series.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, s]) => s.id);
  }

  /**
   * The aggregate of the datapoints in [fromMs, toMs), optionally only those of `unit` (a datapoint put
   * without a unit is `None`), or undefined when there are none (a missing datapoint).
   */
  aggregate(id: MetricId, fromMs: number, toMs: number, unit?: string): Aggregate | undefined {
    const pts = this.series.get(metricKey(id))?.points;
    if (!pts) return undefined;
    let agg: Aggregate | undefined;
    for (let i = lowerBound(pts, fromMs); i < pts.length && pts[i]!.atMs < toMs; i++) {
      const p = pts[i]!;
      if (unit !== undefined && (p.unit ?? 'None') !== unit) continue;
      if (!agg) agg = { sum: p.sum, min: p.min, max: p.max, count: p.count, ...(p.unit ? { unit: p.unit } : {}) };
      else {
        agg.sum += p.sum;
        agg.min = Math.min(agg.min, p.min);
        agg.max = Math.max(agg.max, p.max);
        agg.count += p.count;
      }
    }
    return agg;
  }

  /**
   * Per period of `periodMs` (aligned to multiples of the period since the epoch, as CloudWatch rounds
   * StartTime down), the aggregate of each period in [fromMs, toMs) that has data, oldest first.
   */
  periods(id: MetricId, fromMs: number, toMs: number, periodMs: number, unit?: string): { startMs: number; agg: Aggregate }[] {
    const out: { startMs: number; agg: Aggregate }[] = [];
    const pts = this.series.get(metricKey(id))?.points;
    if (!pts) return out;
    const first = Math.floor(fromMs / periodMs) * periodMs;
    for (let start = first; start < toMs; start += periodMs) {
      const agg = this.aggregate(id, Math.max(start, fromMs), Math.min(start + periodMs, toMs), unit);
      if (agg) out.push({ startMs: start, agg });
      // Skip empty stretches fast: jump to the period of the next datapoint.
      const next = pts[lowerBound(pts, start + periodMs)];
      if (!next) break;
      if (next.atMs >= start + 2 * periodMs) start = Math.floor(next.atMs / periodMs) * periodMs - periodMs;
    }
    return out;
  }
}

/** Index of the first point at or after `atMs`. */
function lowerBound(pts: Datapoint[], atMs: number): number {
  let lo = 0;
  let hi = pts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pts[mid]!.atMs < atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
