/**
 * CloudWatch's metric alarm actions: PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState and
 * DescribeAlarmHistory, with the validation and error codes of the CloudWatch API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_<Action>.html). Composite alarms,
 * anomaly-detection bands, metric-math alarms and percentile statistics are refused with a clear
 * InvalidParameterValue rather than half modelled.
 */
import { ALARM_STATES, COMPARISON_OPERATORS, STATISTICS, TREAT_MISSING_DATA, type AlarmConfig, type MetricAlarm } from '../cloudwatch/types.js';
import { paginate } from './query.js';
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import { readDimensions, renderDimensions, validationError } from './cloudwatch-common.js';
import type { Input } from './cloudwatch-input.js';
import type { CloudWatchHandler, Out } from './cloudwatch-wire.js';

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw validationError(`1 validation error detected: Value '${value}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function alarmName(input: Input, name = 'AlarmName'): string {
  const v = input.required(name);
  if (v.length > 255)
    throw validationError(`1 validation error detected: Value '${v}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must have length less than or equal to 255`);
  return v;
}

/**
 * PutMetricAlarm (API_PutMetricAlarm.html): AlarmName, EvaluationPeriods and ComparisonOperator are
 * required; Period is 10, 20, 30 or a multiple of 60; Period × EvaluationPeriods is at most one day;
 * DatapointsToAlarm ≤ EvaluationPeriods; exactly one of Statistic / ExtendedStatistic.
 */
export const putMetricAlarm: CloudWatchHandler = (input, ctx) => {
  const name = alarmName(input);
  if (input.has('Metrics')) throw invalidParameterValue('Metrics', '…', 'is not supported by the sandbox (metric math alarms); use MetricName, Namespace, Statistic and Period');
  if (input.has('ThresholdMetricId')) throw invalidParameterValue('ThresholdMetricId', input.str('ThresholdMetricId')!, 'is not supported by the sandbox (anomaly detection alarms)');
  const evaluationPeriods = input.int('EvaluationPeriods', { min: 1 });
  if (evaluationPeriods === undefined) throw missingParameter('EvaluationPeriods');
  const op = oneOf('ComparisonOperator', input.str('ComparisonOperator'), [
    ...COMPARISON_OPERATORS,
    'LessThanLowerOrGreaterThanUpperThreshold',
    'LessThanLowerThreshold',
    'GreaterThanUpperThreshold',
  ]);
  if (op === undefined) throw missingParameter('ComparisonOperator');
  if (!(COMPARISON_OPERATORS as readonly string[]).includes(op))
    throw invalidParameterValue('ComparisonOperator', op, 'is only valid for anomaly detection alarms, which the sandbox does not model');
  const metricName = input.required('MetricName');
  const namespace = input.required('Namespace');
  const statistic = oneOf('Statistic', input.str('Statistic'), STATISTICS);
  const extended = input.str('ExtendedStatistic');
  if (statistic !== undefined && extended !== undefined) throw new ApiError('InvalidParameterCombination', 'Exactly one of Statistic or ExtendedStatistic must be specified.');
  if (extended !== undefined) throw invalidParameterValue('ExtendedStatistic', extended, 'is not supported by the sandbox (percentiles); use Statistic');
  if (statistic === undefined) throw new ApiError('InvalidParameterCombination', 'Exactly one of Statistic or ExtendedStatistic must be specified.');
  const period = input.int('Period', { min: 1 });
  if (period === undefined) throw missingParameter('Period');
  if (![10, 20, 30].includes(period) && period % 60 !== 0) throw invalidParameterValue('Period', String(period), 'must be 10, 20, 30 or a multiple of 60');
  if (period * evaluationPeriods > 86_400) throw validationError('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)');
  const datapointsToAlarm = input.int('DatapointsToAlarm', { min: 1 }) ?? evaluationPeriods;
  if (datapointsToAlarm > evaluationPeriods) throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods');
  const threshold = input.num('Threshold');
  if (threshold === undefined) throw missingParameter('Threshold');
  const treatMissingData = oneOf('TreatMissingData', input.str('TreatMissingData'), TREAT_MISSING_DATA) ?? 'missing';
  const description = input.str('AlarmDescription');
  if (description !== undefined && description.length > 1024)
    throw validationError("1 validation error detected: Value at 'alarmDescription' failed to satisfy constraint: Member must have length less than or equal to 1024");
  const unit = input.str('Unit');
  const config: AlarmConfig = {
    alarmName: name,
    ...(description !== undefined ? { alarmDescription: description } : {}),
    actionsEnabled: input.bool('ActionsEnabled') ?? true,
    okActions: input.strings('OKActions'),
    alarmActions: input.strings('AlarmActions'),
    insufficientDataActions: input.strings('InsufficientDataActions'),
    namespace,
    metricName,
    dimensions: readDimensions(input, 'Dimensions'),
    statistic,
    period,
    ...(unit !== undefined ? { unit } : {}),
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparisonOperator: op as AlarmConfig['comparisonOperator'],
    treatMissingData,
  };
  ctx.cloudwatch.putAlarm(config);
  return undefined;
};

function renderAlarm(a: MetricAlarm): Out {
  return {
    AlarmName: a.alarmName,
    AlarmArn: a.alarmArn,
    AlarmDescription: a.alarmDescription,
    AlarmConfigurationUpdatedTimestamp: a.configurationUpdatedAt,
    ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.stateValue,
    StateReason: a.stateReason,
    StateReasonData: a.stateReasonData,
    StateUpdatedTimestamp: a.stateUpdatedAt,
    MetricName: a.metricName,
    Namespace: a.namespace,
    Statistic: a.statistic,
    Dimensions: renderDimensions(a.dimensions),
    Period: a.period,
    Unit: a.unit,
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.datapointsToAlarm,
    Threshold: a.threshold,
    ComparisonOperator: a.comparisonOperator,
    TreatMissingData: a.treatMissingData,
    StateTransitionedTimestamp: a.stateTransitionedAt,
  };
}

/**
 * DescribeAlarms (API_DescribeAlarms.html): AlarmNames (≤ 100) or AlarmNamePrefix, not both; StateValue;
 * ActionPrefix; AlarmTypes; MaxRecords 1–100 (default 50) with NextToken. Names in order.
 */
export const describeAlarms: CloudWatchHandler = (input, ctx) => {
  const names = input.strings('AlarmNames');
  const prefix = input.str('AlarmNamePrefix');
  if (names.length > 100) throw validationError("1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
  if (names.length && prefix !== undefined) throw new ApiError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be specified together.');
  const state = oneOf('StateValue', input.str('StateValue'), ALARM_STATES);
  const actionPrefix = input.str('ActionPrefix');
  const types = input.strings('AlarmTypes');
  const max = input.int('MaxRecords', { min: 1, max: 100 }) ?? 50;
  const wanted = new Set(names);
  const metricAlarms = types.length && !types.includes('MetricAlarm') ? [] : ctx.cloudwatch.listAlarms();
  const matching = metricAlarms.filter(
    (a) =>
      (!wanted.size || wanted.has(a.alarmName)) &&
      (prefix === undefined || a.alarmName.startsWith(prefix)) &&
      (!state || a.stateValue === state) &&
      (actionPrefix === undefined || [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) => x.startsWith(actionPrefix))),
  );
  const { page, next } = paginate(matching, input.str('NextToken'), max, (a) => [a.alarmName]);
  return { CompositeAlarms: [], MetricAlarms: page.map(renderAlarm), NextToken: next };
};

/**
 * DeleteAlarms (API_DeleteAlarms.html): up to 100 names; "If you specify any incorrect alarm names, the
 * alarms you specify with correct names are still deleted" — an unknown name is no error.
 */
export const deleteAlarms: CloudWatchHandler = (input, ctx) => {
  const names = input.strings('AlarmNames');
  if (!names.length) throw missingParameter('AlarmNames');
  if (names.length > 100) throw validationError("1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
  ctx.cloudwatch.deleteAlarms(names);
  return undefined;
};

/**
 * SetAlarmState (API_SetAlarmState.html): StateValue and StateReason (≤ 1023) required; StateReasonData must
 * be JSON (InvalidFormat); an unknown alarm is ResourceNotFound. The state lasts until the next evaluation.
 */
export const setAlarmState: CloudWatchHandler = (input, ctx) => {
  const name = alarmName(input);
  const state = oneOf('StateValue', input.str('StateValue'), ALARM_STATES);
  if (state === undefined) throw missingParameter('StateValue');
  const reason = input.str('StateReason');
  if (reason === undefined) throw missingParameter('StateReason');
  if (reason.length > 1023) throw validationError("1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023");
  const reasonData = input.str('StateReasonData');
  if (reasonData !== undefined) {
    try {
      JSON.parse(reasonData);
    } catch {
      throw new ApiError('InvalidFormat', 'StateReasonData must be valid JSON.');
    }
  }
  const found = ctx.cloudwatch.setAlarmState(name, { state, reason, ...(reasonData !== undefined ? { reasonData } : {}) });
  if (!found) throw new ApiError('ResourceNotFound', `Alarm ${name} not found`, 404);
  return undefined;
};

/**
 * DescribeAlarmHistory (API_DescribeAlarmHistory.html): AlarmName, HistoryItemType, StartDate/EndDate,
 * ScanBy (TimestampDescending, the default, or TimestampAscending), MaxRecords 1–100 (default 100), NextToken.
 */
export const describeAlarmHistory: CloudWatchHandler = (input, ctx) => {
  const name = input.str('AlarmName');
  const type = oneOf('HistoryItemType', input.str('HistoryItemType'), ['ConfigurationUpdate', 'StateUpdate', 'Action', 'AlarmContributorStateUpdate', 'AlarmContributorAction']);
  const start = input.date('StartDate');
  const end = input.date('EndDate');
  const types = input.strings('AlarmTypes');
  const scanBy = oneOf('ScanBy', input.str('ScanBy'), ['TimestampDescending', 'TimestampAscending']) ?? 'TimestampDescending';
  const max = input.int('MaxRecords', { min: 1, max: 100 }) ?? 100;
  const items = ctx.cloudwatch
    .historyItems()
    .filter(
      (h) =>
        (name === undefined || h.alarmName === name) &&
        (type === undefined || h.historyItemType === type) &&
        (!start || h.timestamp >= start) &&
        (!end || h.timestamp <= end) &&
        (!types.length || types.includes(h.alarmType)),
    );
  // Newest first by default: the page key orders by the (negated) record sequence.
  const { page, next } = paginate(items, input.str('NextToken'), max, (h) => [scanBy === 'TimestampDescending' ? -h.seq : h.seq]);
  return {
    AlarmHistoryItems: page.map((h) => ({
      AlarmName: h.alarmName,
      AlarmType: h.alarmType,
      Timestamp: h.timestamp,
      HistoryItemType: h.historyItemType,
      HistorySummary: h.historySummary,
      HistoryData: h.historyData,
    })),
    NextToken: next,
  };
};
