/**
 * CloudWatch's records as the sandbox keeps them: metric alarms, their history, and metric datapoints. Field
 * meanings follow the CloudWatch API reference's MetricAlarm, AlarmHistoryItem and MetricDatum
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html).
 */
import type { AlarmStateValue } from '../world/types.js';

export type { AlarmStateValue };

export interface Dimension {
  name: string;
  value: string;
}

/** One metric: namespace, name and its full dimension set (kept sorted by name, as CloudWatch matches sets). */
export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
}

/** What one PutMetricData datum (or one published load balancer period) adds: a statistic set at a time. */
export interface Datapoint {
  atMs: number;
  sum: number;
  min: number;
  max: number;
  count: number;
  unit?: string;
}

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** The static-threshold operators; the three anomaly-detection ones need a band the sandbox does not model. */
export const COMPARISON_OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const TREAT_MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

export const ALARM_STATES: readonly AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** What PutMetricAlarm sets (the whole configuration: an update overwrites all of it). */
export interface AlarmConfig {
  alarmName: string;
  alarmDescription?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  statistic: Statistic;
  /** Seconds. */
  period: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
}

export interface MetricAlarm extends AlarmConfig {
  alarmArn: string;
  configurationUpdatedAt: Date;
  stateValue: AlarmStateValue;
  stateReason: string;
  stateReasonData?: string;
  /** Last change of the state (or its reason): StateUpdatedTimestamp. */
  stateUpdatedAt: Date;
  /** Last change of the state value itself: StateTransitionedTimestamp. */
  stateTransitionedAt: Date;
}

export type HistoryItemType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

export interface AlarmHistoryItem {
  alarmName: string;
  alarmType: 'MetricAlarm';
  timestamp: Date;
  historyItemType: HistoryItemType;
  historySummary: string;
  /** JSON text, as AWS returns it. */
  historyData: string;
  /** Order of recording (timestamps can tie). */
  seq: number;
}

/** A state an evaluation or SetAlarmState moves an alarm to. */
export interface StateChange {
  state: AlarmStateValue;
  reason: string;
  reasonData?: string;
}
