/**
 * CloudWatch's metric actions: PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics, with the
 * limits and error codes of the CloudWatch API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_<Action>.html). Metric math
 * (Expression) and percentiles (ExtendedStatistics, pNN stats) are refused with a clear error.
 */
import { metricKey, statisticOf, type Aggregate } from '../cloudwatch/metrics.js';
import { STATISTICS, type Datapoint, type MetricId, type Statistic } from '../cloudwatch/types.js';
import { decodeToken, encodeToken, paginate } from './query.js';
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import { readDimensions, renderDimensions, validationError } from './cloudwatch-common.js';
import type { Input } from './cloudwatch-input.js';
import type { CloudWatchHandler, Out } from './cloudwatch-wire.js';

/** StandardUnit (API_MetricDatum.html). */
const UNITS = new Set(
  (
    'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count ' +
    'Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second ' +
    'Terabits/Second Count/Second None'
  ).split(' '),
);

const DAY_MS = 86_400_000;
/** "Values must be in the range of -2^360 to 2^360" (API_MetricDatum.html). */
const MAX_ABS_VALUE = 2 ** 360;

function unitOf(input: Input, name: string): string | undefined {
  const u = input.str(name);
  if (u !== undefined && !UNITS.has(u))
    throw validationError(`1 validation error detected: Value '${u}' at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must satisfy enum value set`);
  return u;
}

function checkValue(name: string, v: number): number {
  if (!Number.isFinite(v) || Math.abs(v) > MAX_ABS_VALUE) throw invalidParameterValue(name, String(v), 'must be a number between -2^360 and 2^360');
  return v;
}

/** Namespace: 1–255 characters, and not under `AWS/` (reserved for AWS services). */
function namespaceOf(input: Input, name: string, forWrite: boolean): string {
  const ns = input.required(name);
  if (ns.length > 255) throw invalidParameterValue(name, ns, 'must be at most 255 characters');
  if (forWrite && ns.startsWith('AWS/')) throw new ApiError('InvalidParameterValue', `The value ${ns} for parameter ${name} is invalid.`);
  return ns;
}

/** One MetricDatum as a statistic set: Value, Values (with Counts) or StatisticValues — exactly one. */
function datumPoint(d: Input, at: string, nowMs: number): Datapoint {
  const value = d.num('Value');
  const values = d.numbers('Values');
  const counts = d.numbers('Counts');
  const stats = d.struct('StatisticValues');
  const given = [value !== undefined, values.length > 0, stats !== undefined].filter(Boolean).length;
  if (given > 1) throw new ApiError('InvalidParameterCombination', `The parameters ${at}.Value, ${at}.Values and ${at}.StatisticValues are mutually exclusive.`);
  if (given === 0) throw missingParameter(`${at}.Value`);
  if (values.length > 150) throw invalidParameterValue(`${at}.Values`, String(values.length), 'must have at most 150 values');
  if (counts.length && counts.length !== values.length) throw invalidParameterValue(`${at}.Counts`, String(counts.length), 'must have as many counts as Values');
  const ts = d.date('Timestamp');
  const atMs = ts ? ts.getTime() : nowMs;
  // "CloudWatch accepts metric data points with time stamps up to two weeks in the past and up to two hours
  // into the future" (API_MetricDatum.html, Timestamp).
  if (atMs > nowMs + 2 * 3_600_000) throw invalidParameterValue(`${at}.Timestamp`, new Date(atMs).toISOString(), 'must specify a time no more than two hours in the future');
  if (atMs < nowMs - 14 * DAY_MS) throw invalidParameterValue(`${at}.Timestamp`, new Date(atMs).toISOString(), 'must specify a time no more than two weeks in the past');
  const unit = unitOf(d, 'Unit');
  const resolution = d.int('StorageResolution');
  if (resolution !== undefined && resolution !== 1 && resolution !== 60) throw invalidParameterValue(`${at}.StorageResolution`, String(resolution), 'must be 1 or 60');
  // Standard-resolution data is stored at one-minute granularity; high-resolution (1) keeps the second.
  const stored = resolution === 1 ? Math.floor(atMs / 1000) * 1000 : Math.floor(atMs / 60_000) * 60_000;
  const base = { atMs: stored, ...(unit ? { unit } : {}) };
  if (value !== undefined) return { ...base, sum: checkValue(`${at}.Value`, value), min: value, max: value, count: 1 };
  if (stats) {
    const n = (k: string) => {
      const v = stats.num(k);
      if (v === undefined) throw missingParameter(`${at}.StatisticValues.${k}`);
      return checkValue(`${at}.StatisticValues.${k}`, v);
    };
    return { ...base, count: n('SampleCount'), sum: n('Sum'), min: n('Minimum'), max: n('Maximum') };
  }
  let sum = 0;
  let count = 0;
  values.forEach((v, i) => {
    checkValue(`${at}.Values.member.${i + 1}`, v);
    const c = counts[i] ?? 1;
    sum += v * c;
    count += c;
  });
  return { ...base, sum, count, min: Math.min(...values), max: Math.max(...values) };
}

/** PutMetricData (API_PutMetricData.html): Namespace (not AWS/…), up to 1000 MetricDatum; all or nothing. */
export const putMetricData: CloudWatchHandler = (input, ctx) => {
  const namespace = namespaceOf(input, 'Namespace', true);
  const data = input.list('MetricData');
  if (!data.length) throw missingParameter('MetricData');
  if (data.length > 1000) throw invalidParameterValue('MetricData', String(data.length), 'must have at most 1000 items');
  const now = ctx.world.now();
  // Validated all first: a request with one bad datum stores nothing.
  const points = data.map((d, i) => {
    const at = `MetricData.member.${i + 1}`;
    const metricName = d.required('MetricName');
    if (metricName.length > 255) throw invalidParameterValue(`${at}.MetricName`, metricName, 'must be at most 255 characters');
    const id: MetricId = { namespace, metricName, dimensions: readDimensions(d, 'Dimensions') };
    return { id, point: datumPoint(d, at, now), resolutionMs: d.int('StorageResolution') === 1 ? 1000 : 60_000 };
  });
  for (const { id, point, resolutionMs } of points) ctx.cloudwatch.metrics.put(id, point, resolutionMs);
  return undefined;
};

/** Period: 1, 5, 10, 20, 30, or a multiple of 60 (GetMetricStatistics / MetricStat). */
function periodOf(input: Input, name: string): number {
  const p = input.int(name, { min: 1 });
  if (p === undefined) throw missingParameter(name);
  if (![1, 5, 10, 20, 30].includes(p) && p % 60 !== 0) throw invalidParameterValue(name, String(p), 'must be 1, 5, 10, 20, 30 or a multiple of 60');
  return p;
}

/**
 * Where the periods start: CloudWatch rounds StartTime down — to the whole minute for periods of a minute or
 * more, else to the period (GetMetricStatistics / GetMetricData, StartTime).
 */
function periodOrigin(start: Date, periodSeconds: number): number {
  const step = Math.min(periodSeconds, 60) * 1000;
  return Math.floor(start.getTime() / step) * step;
}

function timeRange(input: Input): { start: Date; end: Date } {
  const start = input.date('StartTime');
  const end = input.date('EndTime');
  if (!start) throw missingParameter('StartTime');
  if (!end) throw missingParameter('EndTime');
  if (start >= end) throw new ApiError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  return { start, end };
}

function statOf(name: string, value: string | undefined): Statistic {
  if (value === undefined) throw missingParameter(name);
  if (/^(p|tm|wm|tc|ts|pr|iqm)/i.test(value))
    throw invalidParameterValue(name, value, 'is not supported by the sandbox (percentiles and trimmed statistics); use SampleCount, Average, Sum, Minimum or Maximum');
  if (!(STATISTICS as readonly string[]).includes(value)) throw invalidParameterValue(name, value, `must be one of ${STATISTICS.join(', ')}`);
  return value as Statistic;
}

/**
 * GetMetricStatistics (API_GetMetricStatistics.html): the exact metric (namespace, name, full dimension
 * set), 1–5 Statistics, at most 1,440 datapoints per call, datapoints only for periods with data.
 */
export const getMetricStatistics: CloudWatchHandler = (input, ctx) => {
  const namespace = namespaceOf(input, 'Namespace', false);
  const metricName = input.required('MetricName');
  const { start, end } = timeRange(input);
  const period = periodOf(input, 'Period');
  const extended = input.strings('ExtendedStatistics');
  if (extended.length) throw invalidParameterValue('ExtendedStatistics', extended.join(','), 'is not supported by the sandbox (percentiles); use Statistics');
  const stats = input.strings('Statistics').map((s, i) => statOf(`Statistics.member.${i + 1}`, s));
  if (!stats.length) throw new ApiError('InvalidParameterCombination', 'Must specify either Statistics or ExtendedStatistics.');
  if (stats.length > 5) throw invalidParameterValue('Statistics', String(stats.length), 'must have at most 5 items');
  const requested = Math.ceil((end.getTime() - start.getTime()) / (period * 1000));
  if (requested > 1440) {
    throw new ApiError(
      'InvalidParameterCombination',
      `You have requested up to ${requested} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  const id: MetricId = { namespace, metricName, dimensions: readDimensions(input, 'Dimensions') };
  const unit = unitOf(input, 'Unit');
  const periods = ctx.cloudwatch.metrics.periods(id, periodOrigin(start, period), end.getTime(), period * 1000, unit);
  return {
    Label: metricName,
    Datapoints: periods.map(({ startMs, agg }) => renderStats(startMs, agg, stats)),
  };
};

function renderStats(startMs: number, agg: Aggregate, stats: Statistic[]): Out {
  const out: Out = { Timestamp: new Date(startMs) };
  for (const s of stats) out[s] = statisticOf(agg, s);
  out.Unit = agg.unit ?? 'None';
  return out;
}

/**
 * GetMetricData (API_GetMetricData.html): up to 500 MetricDataQueries, each with a MetricStat (Expression,
 * metric math, is refused), Id `^[a-z][a-zA-Z0-9_]*$`, results newest first unless ScanBy=TimestampAscending,
 * at most MaxDatapoints (default 100,800) per page with NextToken.
 */
export const getMetricData: CloudWatchHandler = (input, ctx) => {
  const queries = input.list('MetricDataQueries');
  if (!queries.length) throw missingParameter('MetricDataQueries');
  if (queries.length > 500) throw invalidParameterValue('MetricDataQueries', String(queries.length), 'must have at most 500 items');
  const { start, end } = timeRange(input);
  const scanBy = input.str('ScanBy') ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw invalidParameterValue('ScanBy', scanBy, 'must be TimestampDescending or TimestampAscending');
  const ids = new Set<string>();
  const results = queries.map((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    const id = q.required('Id');
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id))
      throw validationError(`The value ${id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.`);
    if (ids.has(id)) throw validationError(`The value ${id} for parameter ${at}.Id is not unique.`);
    ids.add(id);
    if (q.has('Expression')) throw invalidParameterValue(`${at}.Expression`, q.str('Expression')!, 'is not supported by the sandbox (metric math); use MetricStat');
    const ms = q.struct('MetricStat');
    if (!ms) throw missingParameter(`${at}.MetricStat`);
    const metric = ms.struct('Metric');
    if (!metric) throw missingParameter(`${at}.MetricStat.Metric`);
    const metricId: MetricId = {
      namespace: namespaceOf(metric, 'Namespace', false),
      metricName: metric.required('MetricName'),
      dimensions: readDimensions(metric, 'Dimensions'),
    };
    const period = periodOf(ms, 'Period');
    const stat = statOf(`${at}.MetricStat.Stat`, ms.str('Stat'));
    const unit = unitOf(ms, 'Unit');
    const periods = ctx.cloudwatch.metrics.periods(metricId, periodOrigin(start, period), end.getTime(), period * 1000, unit);
    if (scanBy === 'TimestampDescending') periods.reverse();
    return {
      id,
      label: q.str('Label') ?? metricId.metricName,
      returned: q.bool('ReturnData') ?? true,
      points: periods.map((p) => ({ at: new Date(p.startMs), value: statisticOf(p.agg, stat) })),
    };
  });
  // One page holds at most MaxDatapoints datapoints across the returned queries, in query order; the token is
  // how many were already served. A query cut short says PartialData, as CloudWatch does.
  const max = input.int('MaxDatapoints', { min: 1 }) ?? 100_800;
  const token = decodeToken(input.str('NextToken'))?.[0] ?? 0;
  if (typeof token !== 'number' || !Number.isInteger(token) || token < 0) throw new ApiError('InvalidNextToken', 'The NextToken is invalid.');
  const skip = token;
  let offset = 0;
  let served = 0;
  const out: Out[] = [];
  for (const r of results.filter((x) => x.returned)) {
    const from = Math.min(r.points.length, Math.max(0, skip - offset));
    const take = r.points.slice(from, from + Math.max(0, max - served));
    offset += r.points.length;
    served += take.length;
    const partial = from + take.length < r.points.length;
    out.push({ Id: r.id, Label: r.label, Timestamps: take.map((p) => p.at), Values: take.map((p) => p.value), StatusCode: partial ? 'PartialData' : 'Complete', Messages: [] });
  }
  return { MetricDataResults: out, Messages: [], NextToken: skip + served < offset ? encodeToken([skip + served]) : undefined };
};

/**
 * ListMetrics (API_ListMetrics.html): filtered by Namespace, MetricName and DimensionFilters (a Name, with
 * or without a Value, that every listed metric has), RecentlyActive PT3H; 500 per page.
 */
export const listMetrics: CloudWatchHandler = (input, ctx) => {
  const namespace = input.str('Namespace');
  const metricName = input.str('MetricName');
  const filters = input.list('Dimensions').map((d, i) => {
    const name = d.str('Name');
    if (!name) throw missingParameter(`Dimensions.member.${i + 1}.Name`);
    return { name, value: d.str('Value') };
  });
  if (filters.length > 10) throw invalidParameterValue('Dimensions', String(filters.length), 'must have at most 10 filters');
  const recently = input.str('RecentlyActive');
  if (recently !== undefined && recently !== 'PT3H') throw invalidParameterValue('RecentlyActive', recently, 'must be PT3H');
  const since = recently ? ctx.world.now() - 3 * 3_600_000 : undefined;
  const store = ctx.cloudwatch.metrics;
  const matching = store
    .list()
    .filter(
      (m) =>
        (namespace === undefined || m.namespace === namespace) &&
        (metricName === undefined || m.metricName === metricName) &&
        filters.every((f) => m.dimensions.some((d) => d.name === f.name && (f.value === undefined || d.value === f.value))) &&
        (since === undefined || (store.lastAt(m) ?? 0) >= since),
    );
  const { page, next } = paginate(matching, input.str('NextToken'), 500, (m) => [metricKey(m)]);
  return { Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: renderDimensions(m.dimensions) })), NextToken: next };
};
