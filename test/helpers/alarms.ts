/**
 * CloudWatch stop alarms in a sandbox, for any engine's tests (local and FIS): an alarm that is OK while all
 * is well (a custom metric nobody publishes, missing data treated as not breaching — the sandbox's evaluation
 * keeps it OK), alarms in a chosen state, and SetAlarmState through the SDK or the AWS CLI as an operator
 * would do it on a game day. Waits are on the sandbox's own `alarm-state` events, never fixed sleeps.
 */
import { PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { EmbeddedSandbox, SandboxEvent } from '../../src/sandbox/index.js';
import { runAwsCli } from './aws-cli.js';
import { waitForWorldEvent } from './sandbox.js';

type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export const ALARM_NAMESPACE = 'ChaosTest/StopAlarms';

/** An alarm on a metric no one publishes: `notBreaching` → OK at each evaluation, `missing` → INSUFFICIENT_DATA. */
export function alarmInput(name: string, treatMissingData: 'notBreaching' | 'missing' | 'breaching' = 'notBreaching'): PutMetricAlarmCommandInput {
  return {
    AlarmName: name,
    Namespace: ALARM_NAMESPACE,
    MetricName: `${name}-errors`,
    Statistic: 'Sum',
    Period: 10,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: treatMissingData,
  };
}

const stateOf = (emb: Pick<EmbeddedSandbox, 'sandbox'>, name: string): AlarmState | undefined => emb.sandbox.ctx.cloudwatch.getAlarm(name)?.stateValue;

/** Resolves when the sandbox's alarm `name` is in `state` (now, or at its next `alarm-state` event). */
export async function waitForAlarmState(emb: Pick<EmbeddedSandbox, 'sandbox'>, name: string, state: AlarmState, timeoutMs = 5000): Promise<void> {
  const since = emb.sandbox.world.events().at(-1)?.seq ?? 0;
  if (stateOf(emb, name) === state) return;
  // Events after `since` include any change between the check above and now (waitForWorldEvent looks back).
  await waitForWorldEvent(emb.sandbox.world, (e: SandboxEvent) => e.seq > since && e.type === 'alarm-state' && e.alarmName === name && e.to === state, timeoutMs);
}

/**
 * Creates (or overwrites) the alarm and waits for its first evaluation: OK with `notBreaching` (the default),
 * ALARM with `breaching`. `missing` leaves it INSUFFICIENT_DATA (no wait needed: that is a new alarm's state).
 */
export async function createAlarm(
  emb: Pick<EmbeddedSandbox, 'sandbox'>,
  cw: CloudWatchClient,
  name: string,
  treat: 'notBreaching' | 'missing' | 'breaching' = 'notBreaching',
): Promise<string> {
  await cw.send(new PutMetricAlarmCommand(alarmInput(name, treat)));
  if (treat !== 'missing') await waitForAlarmState(emb, name, treat === 'breaching' ? 'ALARM' : 'OK');
  return emb.sandbox.ctx.cloudwatch.alarmArn(name);
}

/**
 * An alarm that keeps the state it is set to, starting OK: TreatMissingData `ignore` maintains the current state
 * while its metric has no data (CloudWatch user guide, "Configuring how CloudWatch alarms treat missing data").
 * A SetAlarmState ALARM on it then lasts as a real breach would, instead of until the next evaluation, so a
 * test does not race the sandbox's evaluation timer.
 */
export async function createHeldAlarm(emb: Pick<EmbeddedSandbox, 'sandbox'>, cw: CloudWatchClient, name: string): Promise<string> {
  await cw.send(new PutMetricAlarmCommand({ ...alarmInput(name), TreatMissingData: 'ignore' }));
  await setAlarmState(cw, name, 'OK', 'steady before the game day');
  await waitForAlarmState(emb, name, 'OK');
  return emb.sandbox.ctx.cloudwatch.alarmArn(name);
}

export function setAlarmState(cw: CloudWatchClient, name: string, state: AlarmState, reason: string): Promise<unknown> {
  return cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
}

/** `aws cloudwatch set-alarm-state` (awsQuery, as the AWS CLI v2 at /usr/bin/aws speaks it); throws on failure. */
export async function setAlarmStateWithCli(endpoint: string, name: string, state: AlarmState, reason: string): Promise<void> {
  const r = await runAwsCli(endpoint, ['cloudwatch', 'set-alarm-state', '--alarm-name', name, '--state-value', state, '--state-reason', reason]);
  if (r.code !== 0) throw new Error(`aws cloudwatch set-alarm-state: exit ${r.code}: ${r.stderr}`);
}

/** Counts a client's calls in flight (a test that must act between two polls waits for none in flight). */
export function callsInFlight(client: CloudWatchClient): { readonly count: number; idle(): Promise<void> } {
  let count = 0;
  let waiters: (() => void)[] = [];
  (client.middlewareStack as { add(mw: unknown, o: unknown): void }).add(
    (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      count++;
      try {
        return await next(args);
      } finally {
        count--;
        if (count === 0) {
          const w = waiters;
          waiters = [];
          w.forEach((f) => f());
        }
      }
    },
    { step: 'initialize', name: 'alarmTestInFlight' },
  );
  return {
    get count() {
      return count;
    },
    idle: () => (count === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  };
}
