/**
 * `--stop-alarm` in the run's steady state: every alarm named must exist (else a usage error naming it, exit 2)
 * and be OK — before the plan is shown, and again right before injecting. ALARM refuses (exit 3, nothing
 * changed): the service is already unhealthy by its owners' own measure. INSUFFICIENT_DATA refuses too unless
 * --allow-insufficient-data: an alarm that cannot say "ALARM" is no stop condition at all, and the usual cause
 * is a metric that has no datapoints when all is well (a load balancer's 5XX counts are not published at zero).
 *
 * During the run, AlarmWatch (alarm-watch.ts) polls them; what it finds becomes the run's stop condition here.
 */
import { alarmHistorySince, describeAlarms, type AlarmReading } from '../aws/cloudwatch.js';
import { ChaosError, ExitCode, refused } from '../core/errors.js';
import type { AlarmFiring } from './alarm-watch.js';
import type { RunConfig } from './config.js';
import type { RunDeps } from './deps.js';
import type { Recorder, StopFired } from './recorder.js';

export const INSUFFICIENT_DATA_HINT =
  "an alarm on a metric with no datapoints while all is well (e.g. an ALB's HTTPCode_ELB_5XX_Count, not published at zero) stays INSUFFICIENT_DATA: set the alarm's TreatMissingData to notBreaching, or pass --allow-insufficient-data";
const IN_ALARM_HINT = 'the service is already unhealthy by this alarm: find out why and wait for it to be OK, or choose other --stop-alarm alarms';

/**
 * The planning reading of each run's alarms, for the recheck: a visit to ALARM between the two (during the
 * baseline) is found in the history, as the watcher finds one between two polls. Keyed by the run's recorder,
 * so it lives exactly as long as the run.
 */
const planned = new WeakMap<Recorder, readonly AlarmReading[]>();

const shown = (a: AlarmReading): string => `'${a.name}' is ${a.state}${a.reason ? ` (${a.reason})` : ''}`;

/**
 * Reads every stop alarm (one DescribeAlarms) and refuses unless each is OK (or INSUFFICIENT_DATA, when
 * allowed). `when: 'planning'` records one steady-state check per alarm; 'recheck' is the last look before
 * injecting. Returns the readings (AlarmWatch compares its first poll with them).
 */
export async function checkStopAlarms(
  cfg: Pick<RunConfig, 'stopAlarms' | 'allowInsufficientData' | 'asg'>,
  deps: Pick<RunDeps, 'clients'>,
  rec: Recorder,
  when: 'planning' | 'recheck',
): Promise<AlarmReading[]> {
  if (!cfg.stopAlarms.length) return [];
  const alarms = await describeAlarms(deps.clients.cloudwatch, cfg.stopAlarms, 'steady-state').catch((err: unknown) => {
    // Found at planning, gone right before injecting (deleted meanwhile): a refusal, no longer a usage error.
    if (when === 'recheck' && err instanceof ChaosError && err.exitCode === ExitCode.Usage) {
      throw refused(`${err.message.replace(/^--stop-alarm: /, 'stop alarm gone since planning: ')}; nothing was changed`, {
        phase: 'steady-state',
        target: cfg.asg,
        ...(err.hint ? { hint: err.hint } : {}),
      });
    }
    throw err;
  });
  const ok = (a: AlarmReading) => a.state === 'OK' || (a.state === 'INSUFFICIENT_DATA' && cfg.allowInsufficientData);
  if (when === 'planning') {
    rec.addSteadyChecks(
      alarms.map((a) => ({
        name: `stop alarm ${a.name}`,
        pass: ok(a),
        detail: a.state === 'INSUFFICIENT_DATA' && ok(a) ? `INSUFFICIENT_DATA, allowed by --allow-insufficient-data (${a.reason})` : `${a.state}${a.reason ? ` (${a.reason})` : ''}`,
      })),
    );
  }
  const bad = alarms.filter((a) => !ok(a));
  if (when === 'planning') planned.set(rec, alarms);
  else if (!bad.length) await refuseVisitSincePlanning(deps, alarms, planned.get(rec) ?? [], cfg.asg);
  if (bad.length) {
    const since = when === 'planning' ? 'before injecting' : 'since planning (checked right before injecting)';
    const alarming = bad.some((a) => a.state === 'ALARM');
    throw refused(`stop alarm not OK ${since}: ${bad.map(shown).join('; ')}; nothing was changed`, {
      phase: 'steady-state',
      target: cfg.asg,
      hint: alarming ? IN_ALARM_HINT : INSUFFICIENT_DATA_HINT,
    });
  }
  return alarms;
}

/** Refuses when an alarm OK at both readings went through ALARM in between (a SetAlarmState, a short spike). */
async function refuseVisitSincePlanning(deps: Pick<RunDeps, 'clients'>, now: readonly AlarmReading[], before: readonly AlarmReading[], asg: string): Promise<void> {
  for (const a of now) {
    const then = before.find((b) => b.arn === a.arn);
    if (!then || a.updatedAt <= then.updatedAt) continue;
    const visit = (await alarmHistorySince(deps.clients.cloudwatch, a, then.updatedAt, 'steady-state')).find((t) => t.to === 'ALARM');
    if (visit) {
      throw refused(`stop alarm '${a.name}' was in ALARM at ${new Date(visit.at).toISOString()}, since planning${visit.reason ? ` (${visit.reason})` : ''}; nothing was changed`, {
        phase: 'steady-state',
        target: asg,
        hint: IN_ALARM_HINT,
      });
    }
  }
}

/** An alarm that fired, as the run's stop condition (report.stopCondition, the timeline, the verdict). */
export function alarmStop(f: AlarmFiring): StopFired {
  const state = f.transient ? `in ALARM at ${new Date(f.alarmAt).toISOString()}, between two polls` : 'in ALARM';
  return {
    name: f.name,
    threshold: 'ALARM',
    detail: f.reason || 'no reason given',
    because: `alarm '${f.name}' ${state}${f.reason ? `: ${f.reason}` : ''}`,
    gate: `alarm ${f.name} never in ALARM`,
    fields: { alarm: f.name, alarmArn: f.arn, reason: f.reason, transient: f.transient },
  };
}

/** The error-rate stop condition (--abort-error-rate R for --abort-after S). */
export function errorRateStop(cfg: Pick<RunConfig, 'abortErrorRate' | 'abortAfterMs'>): StopFired {
  return {
    name: 'error rate',
    threshold: `> ${cfg.abortErrorRate} for ${cfg.abortAfterMs / 1000}s`,
    detail: 'rolled back at once',
    because: `error rate above ${cfg.abortErrorRate} for ${cfg.abortAfterMs / 1000}s`,
    gate: `error rate <= ${cfg.abortErrorRate} (${cfg.abortAfterMs / 1000}s)`,
  };
}
