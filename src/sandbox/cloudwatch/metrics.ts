/**
 * The metric datapoints CloudWatch holds: per metric (namespace, name, dimension set), time-ordered statistic
 * sets, and the aggregation every read uses (GetMetricStatistics, GetMetricData, alarm evaluation).
 * A metric is identified by its exact dimension set ("Dimensions": a metric with dimensions A and B is a
 * different metric from one with only A, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension).
 */
import type { Datapoint, Dimension, MetricId, Statistic } from './types.js';

/** Per metric, the oldest datapoints are dropped past this, whatever their age. */
const MAX_POINTS_PER_METRIC = 200_000;

/**
 * How long datapoints stay readable: "Data points with a period of less than 60 seconds are available for 3
 * hours … with a period of 60 seconds (1 minute) are available for 15 days" (Metrics retention,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention).
 * CloudWatch then keeps them aggregated to coarser periods; the sandbox drops them (a long-running sandbox
 * publishing per-second load balancer metrics stays bounded).
 */
const HIGH_RES_RETENTION_MS = 3 * 3_600_000;
const RETENTION_MS = 15 * 86_400_000;

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
  /** The finest resolution the metric was stored at: 1000 (high resolution) or 60000 (standard), or a load balancer's period. */
  resolutionMs: number;
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

  /** Adds a datapoint stamped at the start of its `resolutionMs` slot (the caller rounds it). */
  put(id: MetricId, point: Datapoint, resolutionMs: number): void {
    const key = metricKey(id);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { id: { ...id, dimensions: sortDimensions(id.dimensions) }, points: [], resolutionMs }));
    s.resolutionMs = Math.min(s.resolutionMs, resolutionMs);
    const pts = s.points;
    // Datapoints mostly arrive in time order: append, else insert at the right place.
    let i = pts.length;
    while (i > 0 && pts[i - 1]!.atMs > point.atMs) i--;
    pts.splice(i, 0, point);
    // Expired points go in chunks, so a metric fed once a second does not pay a shift per datapoint.
    const expired = lowerBound(pts, horizon(s));
    if (expired >= 256) pts.splice(0, expired);
    if (pts.length > MAX_POINTS_PER_METRIC) pts.splice(0, pts.length - MAX_POINTS_PER_METRIC);
  }

  /** Every metric, in namespace/name/dimensions order. */
  list(): MetricId[] {
    return [...this.series.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, s]) => s.id);
  }

  /** The metric's storage resolution (undefined: no such metric). */
  resolutionOf(id: MetricId): number | undefined {
    return this.series.get(metricKey(id))?.resolutionMs;
  }

  /** The time of the metric's newest datapoint (ListMetrics' RecentlyActive). */
  lastAt(id: MetricId): number | undefined {
    return this.series.get(metricKey(id))?.points.at(-1)?.atMs;
  }

  /**
   * The aggregate of the datapoints in [fromMs, toMs), optionally only those of `unit` (a datapoint put
   * without a unit is `None`), or undefined when there are none (a missing datapoint).
   */
  aggregate(id: MetricId, fromMs: number, toMs: number, unit?: string): Aggregate | undefined {
    const s = this.series.get(metricKey(id));
    if (!s) return undefined;
    const pts = s.points;
    let agg: Aggregate | undefined;
    // Points past the retention may not be dropped yet (they go in chunks): they are never read.
    for (let i = lowerBound(pts, Math.max(fromMs, horizon(s))); i < pts.length && pts[i]!.atMs < toMs; i++) {
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
   * Per period of `periodMs` starting at `fromMs` (the caller rounds it as CloudWatch rounds StartTime), the
   * aggregate of each period before `toMs` that has data, oldest first.
   */
  periods(id: MetricId, fromMs: number, toMs: number, periodMs: number, unit?: string): { startMs: number; agg: Aggregate }[] {
    const out: { startMs: number; agg: Aggregate }[] = [];
    const pts = this.series.get(metricKey(id))?.points;
    if (!pts) return out;
    for (let start = fromMs; start < toMs; start += periodMs) {
      const agg = this.aggregate(id, start, Math.min(start + periodMs, toMs), unit);
      if (agg) out.push({ startMs: start, agg });
      // Skip empty stretches fast: on to the period holding the next datapoint.
      const next = pts[lowerBound(pts, start + periodMs)];
      if (!next) break;
      start = Math.max(start, fromMs + Math.floor((next.atMs - fromMs) / periodMs) * periodMs - periodMs);
    }
    return out;
  }
}

/** The oldest time still retained: the retention back from the metric's newest datapoint. */
function horizon(s: Series): number {
  const newest = s.points.at(-1)?.atMs ?? 0;
  return newest - (s.resolutionMs < 60_000 ? HIGH_RES_RETENTION_MS : RETENTION_MS);
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
