/**
 * The sandbox's CloudWatch: metric alarms with their state, history and evaluation, and the metric datapoints
 * (metrics.ts). The API (api/cloudwatch*.ts) and the load balancer metrics (lb-metrics.ts) change it through
 * the methods below; every alarm state change is a history item (HistoryItemType StateUpdate) and an
 * `alarm-state` ground-truth event.
 *
 * Alarms are evaluated on the sandbox's timers every `alarmEvaluationMs`, with or without a client
 * connected, so a SetAlarmState lasts only until the next evaluation, as on AWS ("the alarm returns to its
 * actual state quickly, often within seconds", SetAlarmState,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
 */
import type { Timings } from '../profiles.js';
import type { Timers } from '../timers.js';
import type { AlarmStateValue } from '../world/types.js';
import type { World } from '../world/world.js';
import { awsDate, evaluateAlarm } from './evaluate.js';
import { LbMetrics } from './lb-metrics.js';
import { MetricStore } from './metrics.js';
import type { AlarmConfig, AlarmHistoryItem, HistoryItemType, MetricAlarm, StateChange } from './types.js';

/** History items kept (oldest dropped first); AWS keeps two weeks of history. */
const MAX_HISTORY = 50_000;

/** The reason of a new alarm's INSUFFICIENT_DATA before its first evaluation, as AWS words it. */
export const INITIAL_REASON = 'Unchecked: Initial alarm creation';

export class CloudWatchStore {
  readonly metrics = new MetricStore();
  /** The load balancers' metrics (AWS/ApplicationELB, AWS/NetworkELB), counted by the data plane. */
  readonly lbMetrics: LbMetrics;
  private readonly alarms = new Map<string, MetricAlarm>();
  private readonly history: AlarmHistoryItem[] = [];
  private seq = 0;

  constructor(
    private readonly world: World,
    private readonly timings: Pick<Timings, 'alarmEvaluationMs' | 'lbMetricPeriodMs'>,
    private readonly timers: Timers,
  ) {
    this.lbMetrics = new LbMetrics(world, this.metrics, timings, timers);
  }

  /** Starts publishing the load balancer metrics and the periodic evaluation of every alarm. */
  start(): void {
    this.lbMetrics.start();
    this.timers.every(this.timings.alarmEvaluationMs, () => this.evaluateAll());
  }

  alarmArn(name: string): string {
    return `arn:aws:cloudwatch:${this.world.region}:${this.world.accountId}:alarm:${name}`;
  }

  /** The state of the alarm with this ARN, or undefined when there is none (FIS stop conditions read this). */
  alarmStateByArn(arn: string): AlarmStateValue | undefined {
    const name = arn.startsWith(this.alarmArn('')) ? arn.slice(this.alarmArn('').length) : undefined;
    return name === undefined ? undefined : this.alarms.get(name)?.stateValue;
  }

  getAlarm(name: string): MetricAlarm | undefined {
    return this.alarms.get(name);
  }

  /** Every alarm in name order (DescribeAlarms lists them so). */
  listAlarms(): MetricAlarm[] {
    return [...this.alarms.values()].sort((a, b) => (a.alarmName < b.alarmName ? -1 : a.alarmName > b.alarmName ? 1 : 0));
  }

  get alarmCount(): number {
    return this.alarms.size;
  }

  /**
   * PutMetricAlarm: creates the alarm in INSUFFICIENT_DATA, or overwrites an existing alarm's whole
   * configuration and leaves its state as it is ("When you update an existing alarm, its state is left
   * unchanged", https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
   */
  putAlarm(config: AlarmConfig): MetricAlarm {
    const now = new Date(this.world.now());
    const existing = this.alarms.get(config.alarmName);
    if (existing) {
      const updated: MetricAlarm = { ...existing, ...stripUndefined(config), configurationUpdatedAt: now };
      if (config.alarmDescription === undefined) delete updated.alarmDescription;
      if (config.unit === undefined) delete updated.unit;
      this.alarms.set(config.alarmName, updated);
      this.record(config.alarmName, 'ConfigurationUpdate', `Alarm "${config.alarmName}" updated`, { version: '1.0', type: 'Update', updatedAlarm: describeForHistory(updated) }, now);
      return updated;
    }
    const alarm: MetricAlarm = {
      ...config,
      alarmArn: this.alarmArn(config.alarmName),
      configurationUpdatedAt: now,
      stateValue: 'INSUFFICIENT_DATA',
      stateReason: INITIAL_REASON,
      stateUpdatedAt: now,
      stateTransitionedAt: now,
    };
    this.alarms.set(config.alarmName, alarm);
    this.record(config.alarmName, 'ConfigurationUpdate', `Alarm "${config.alarmName}" created`, { version: '1.0', type: 'Create', createdAlarm: describeForHistory(alarm) }, now);
    this.world.emit(
      { type: 'alarm-state', alarmName: alarm.alarmName, alarmArn: alarm.alarmArn, from: null, to: alarm.stateValue, reason: alarm.stateReason, cause: 'created' },
      now.getTime(),
    );
    return alarm;
  }

  /** DeleteAlarms; the caller has checked that every name exists. */
  deleteAlarms(names: string[]): void {
    for (const name of names) {
      const alarm = this.alarms.get(name);
      if (!alarm) continue;
      this.alarms.delete(name);
      this.record(name, 'ConfigurationUpdate', `Alarm "${name}" deleted`, { version: '1.0', type: 'Delete', deletedAlarm: describeForHistory(alarm) });
    }
  }

  /** SetAlarmState: the state holds until the next evaluation says otherwise. False when there is no such alarm. */
  setAlarmState(name: string, change: StateChange): boolean {
    const alarm = this.alarms.get(name);
    if (!alarm) return false;
    this.transition(alarm, change, 'set');
    return true;
  }

  /** History items, newest first; the API filters and pages them. */
  historyItems(): AlarmHistoryItem[] {
    return [...this.history].reverse();
  }

  /** One evaluation pass over every alarm (the timer calls this; tests may too). */
  evaluateAll(): void {
    const now = this.world.now();
    for (const alarm of [...this.alarms.values()]) {
      const change = evaluateAlarm(alarm, this.metrics, now);
      if (change) this.transition(alarm, change, 'evaluation');
    }
  }

  /** A change of state value is recorded (history + event); the same state again changes nothing. */
  private transition(alarm: MetricAlarm, change: StateChange, cause: 'evaluation' | 'set'): void {
    if (change.state === alarm.stateValue) return;
    const now = new Date(this.world.now());
    const old = { stateValue: alarm.stateValue, stateReason: alarm.stateReason, ...(alarm.stateReasonData ? { stateReasonData: JSON.parse(alarm.stateReasonData) as unknown } : {}) };
    const from = alarm.stateValue;
    alarm.stateValue = change.state;
    alarm.stateReason = change.reason;
    if (change.reasonData === undefined) delete alarm.stateReasonData;
    else alarm.stateReasonData = change.reasonData;
    alarm.stateUpdatedAt = now;
    alarm.stateTransitionedAt = now;
    const next = { stateValue: change.state, stateReason: change.reason, ...(change.reasonData ? { stateReasonData: JSON.parse(change.reasonData) as unknown } : {}) };
    // The history item (and the ground-truth event) carry the change's own timestamp, the one
    // StateUpdatedTimestamp shows: CloudWatch stamps a state change once, and a reader matching the two (as
    // chaos-ec2's alarm watch does) relies on it.
    this.record(alarm.alarmName, 'StateUpdate', `Alarm updated from ${from} to ${change.state}`, { version: '1.0', oldState: old, newState: next }, now);
    this.world.emit({ type: 'alarm-state', alarmName: alarm.alarmName, alarmArn: alarm.alarmArn, from, to: change.state, reason: change.reason, cause }, now.getTime());
  }

  private record(alarmName: string, type: HistoryItemType, summary: string, data: unknown, at = new Date(this.world.now())): void {
    this.history.push({
      alarmName,
      alarmType: 'MetricAlarm',
      timestamp: at,
      historyItemType: type,
      historySummary: summary,
      historyData: JSON.stringify(data),
      seq: ++this.seq,
    });
    if (this.history.length > MAX_HISTORY + MAX_HISTORY / 10) this.history.splice(0, this.history.length - MAX_HISTORY);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The alarm as a history item's JSON shows it (a subset of its configuration). */
function describeForHistory(a: MetricAlarm): Record<string, unknown> {
  return {
    alarmName: a.alarmName,
    namespace: a.namespace,
    metricName: a.metricName,
    dimensions: a.dimensions,
    statistic: a.statistic,
    period: a.period,
    evaluationPeriods: a.evaluationPeriods,
    datapointsToAlarm: a.datapointsToAlarm,
    threshold: a.threshold,
    comparisonOperator: a.comparisonOperator,
    treatMissingData: a.treatMissingData,
    timestamp: awsDate(a.configurationUpdatedAt.getTime()),
  };
}
