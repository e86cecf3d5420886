/**
 * --stop-alarm with the local engine, in-process against the sandbox's CloudWatch (real SDK client, the
 * sandbox evaluating alarms on its own timers): the steady-state refusals before anything is changed, an
 * ALARM mid-hold rolling back within one poll, and a brief ALARM set and reset between two polls (caught
 * from StateUpdatedTimestamp + DescribeAlarmHistory). The runner's clock is held while any AWS call is in
 * flight, so "within one poll" is measured on the run's own clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeleteAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ChaosError } from '../../src/core/errors.js';
import type { RunEvent } from '../../src/experiment/deps.js';
import { associations, chaosNaclIds, mutations, settle, startInProcessSandbox, type InProcessSandbox, type RunHandle } from '../helpers/run-harness.js';
import { callsInFlight, createAlarm, createHeldAlarm, setAlarmState } from '../helpers/alarms.js';

describe('--stop-alarm (in-process, sandbox CloudWatch)', () => {
  let sb: InProcessSandbox;
  let before: Record<string, string>;
  let seq: number;
  let az: string;
  let cwCalls: ReturnType<typeof callsInFlight>;
  const POLL_MS = 100;

  beforeAll(async () => {
    sb = await startInProcessSandbox({ instances: 4, azs: 2 });
    before = await associations(sb.clients.ec2);
    az = sb.emb.stack.subnets[0]!.availabilityZone;
    cwCalls = callsInFlight(sb.clients.cloudwatch);
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    await settle(sb, 300);
    seq = sb.lastSeq();
  });

  const blackhole = (stopAlarm: string | string[], extra: Record<string, string | boolean> = {}, script = {}) =>
    sb.runInProcess({ fault: 'blackhole-az', az, duration: '10m', poll: `${POLL_MS}ms`, stopAlarm, ...extra }, script);

  /** Acts once, on the run's clock held still, at the `n`-th probe second of `phase`. */
  const atSecond = (phase: string, n: number, act: (h: RunHandle) => Promise<unknown>) => {
    let seen = 0;
    let current = '';
    let at: number | undefined;
    return {
      script: {
        on: (e: RunEvent, h: RunHandle) => {
          if (e.type === 'phase') current = e.phase;
          if (e.type !== 'second' || at !== undefined || current !== phase) return;
          if (++seen < n) return;
          at = h.clock.now();
          h.pauseWhile(act(h));
        },
      },
      get at() {
        return at;
      },
    };
  };

  it('an alarm set to ALARM mid-hold: rolled back within one poll, verdict aborted, exit 1, the alarm and its reason on record', async () => {
    // Held in ALARM once set (as a breach would be): the next poll sees it in ALARM now, not as a visit between polls.
    const arn = await createHeldAlarm(sb.emb, sb.clients.cloudwatch, 'mid-hold');
    const act = atSecond('hold', 2, () => setAlarmState(sb.clients.cloudwatch, 'mid-hold', 'ALARM', 'game day: 5XX above 1%'));
    const r = await blackhole(['mid-hold'], {}, act.script);
    expect(r.outcome?.exitCode, r.report?.reason).toBe(1);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toMatch(/^stop condition: alarm 'mid-hold' in ALARM: game day: 5XX above 1%; everything injected was rolled back/);
    expect(r.report?.stopCondition).toMatchObject({ name: 'mid-hold', threshold: 'ALARM', detail: 'game day: 5XX above 1%' });
    // Within one poll of the run's clock: the next poll after the SetAlarmState saw it.
    const firedAt = r.report!.stopCondition!.firedAtMs + r.report!.fault!.t0!;
    expect(firedAt - act.at!).toBeLessThanOrEqual(POLL_MS);
    const stop = r.report!.timeline.find((t) => t.event === 'stop-condition')!;
    expect(stop).toMatchObject({ alarm: 'mid-hold', alarmArn: arn, reason: 'game day: 5XX above 1%', transient: false });
    expect(r.report?.gates.find((g) => g.name === 'stop condition')).toMatchObject({ pass: false, threshold: 'alarm mid-hold never in ALARM' });
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.phases).not.toContain('observe');
    expect(await associations(sb.clients.ec2)).toEqual(before);
    expect(await chaosNaclIds(sb.clients.ec2)).toEqual([]);
  });

  it('a brief ALARM, set and reset between two polls (by its ARN), still aborts: the history shows the visit', async () => {
    const arn = await createAlarm(sb.emb, sb.clients.cloudwatch, 'brief');
    // No poll in flight and the clock held: no poll can see the ALARM itself, only its traces.
    const act = atSecond('hold', 2, async () => {
      await cwCalls.idle();
      await setAlarmState(sb.clients.cloudwatch, 'brief', 'ALARM', 'spike');
      await setAlarmState(sb.clients.cloudwatch, 'brief', 'OK', 'spike over');
    });
    const r = await blackhole([arn], {}, act.script);
    expect(r.outcome?.exitCode, r.report?.reason).toBe(1);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.stopCondition).toMatchObject({ name: 'brief', detail: 'spike' });
    expect(r.report!.timeline.find((t) => t.event === 'stop-condition')).toMatchObject({ alarm: 'brief', transient: true, reason: 'spike' });
    expect(r.report?.reason).toMatch(/^stop condition: alarm 'brief' in ALARM at \S+, between two polls: spike;/);
    expect(r.report!.stopCondition!.firedAtMs + r.report!.fault!.t0! - act.at!).toBeLessThanOrEqual(POLL_MS);
    expect(await associations(sb.clients.ec2)).toEqual(before);
  });

  it('an alarm in ALARM before injecting: refused, exit 3, nothing changed (no journal, no mutation), with the reason and a hint', async () => {
    await createAlarm(sb.emb, sb.clients.cloudwatch, 'firing', 'breaching');
    await createAlarm(sb.emb, sb.clients.cloudwatch, 'fine');
    const r = await blackhole(['fine', 'firing']);
    expect(r.outcome?.exitCode, String(r.error)).toBe(3);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toMatch(/^stop alarm not OK before injecting: 'firing' is ALARM \(Threshold Crossed: .*\); nothing was changed$/);
    expect(r.report?.hint).toMatch(/already unhealthy/);
    expect(r.report?.steadyState.checks.filter((c) => c.name.startsWith('stop alarm'))).toMatchObject([
      { name: 'stop alarm fine', pass: true, detail: expect.stringMatching(/^OK/) },
      { name: 'stop alarm firing', pass: false, detail: expect.stringMatching(/^ALARM/) },
    ]);
    expect(r.report?.fault).toBeNull();
    expect(r.journal).toEqual([]);
    expect(mutations(sb, seq)).toEqual([]);
  });

  it('INSUFFICIENT_DATA refuses with the TreatMissingData hint; --allow-insufficient-data lets it through (dry run)', async () => {
    await createAlarm(sb.emb, sb.clients.cloudwatch, 'no-data', 'missing');
    const r = await blackhole('no-data');
    expect(r.outcome?.exitCode, String(r.error)).toBe(3);
    expect(r.report?.reason).toMatch(/^stop alarm not OK before injecting: 'no-data' is INSUFFICIENT_DATA/);
    expect(r.report?.hint).toMatch(/TreatMissingData to notBreaching, or pass --allow-insufficient-data/);
    const allowed = await blackhole('no-data', { allowInsufficientData: true, dryRun: true });
    expect(allowed.outcome?.exitCode, allowed.report?.reason).toBe(0);
    expect(allowed.outcome?.plan).toBeDefined();
    expect(mutations(sb, seq)).toEqual([]);
  });

  it('an ALARM that came and went during the baseline refuses at the recheck right before injecting: exit 3, nothing changed', async () => {
    await createAlarm(sb.emb, sb.clients.cloudwatch, 'baseline-blip');
    // As the baseline begins (after the planning reading), with the run's clock held.
    const blip = async () => {
      await setAlarmState(sb.clients.cloudwatch, 'baseline-blip', 'ALARM', 'blip');
      await setAlarmState(sb.clients.cloudwatch, 'baseline-blip', 'OK', 'blip over');
    };
    const r = await blackhole('baseline-blip', {}, { on: (e: RunEvent, h: RunHandle) => e.type === 'phase' && e.phase === 'baseline' && h.pauseWhile(blip()) });
    expect(r.outcome?.exitCode, String(r.error)).toBe(3);
    expect(r.report?.reason).toMatch(/^stop alarm 'baseline-blip' was in ALARM at \S+, since planning \(blip\); nothing was changed$/);
    expect(r.report?.fault?.t0 ?? null).toBeNull();
    expect(mutations(sb, seq)).toEqual([]);
  });

  it('an alarm deleted between planning and injecting: refused at the recheck (exit 3), nothing changed', async () => {
    await createAlarm(sb.emb, sb.clients.cloudwatch, 'short-lived');
    const del = () => sb.clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['short-lived'] }));
    const r = await blackhole('short-lived', {}, { on: (e: RunEvent, h: RunHandle) => e.type === 'phase' && e.phase === 'baseline' && h.pauseWhile(del()) });
    expect(r.outcome?.exitCode, String(r.error)).toBe(3);
    expect(r.report?.reason).toMatch(/^stop alarm gone since planning: no CloudWatch alarm 'short-lived' .*; nothing was changed$/);
    expect(mutations(sb, seq)).toEqual([]);
  });

  it('a name that matches no alarm: usage error (exit 2) naming it, before any mutation', async () => {
    await createAlarm(sb.emb, sb.clients.cloudwatch, 'exists');
    const r = await blackhole(['exists', 'no-such-alarm', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:exists']);
    expect(r.error).toBeInstanceOf(ChaosError);
    const err = r.error as ChaosError;
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe("--stop-alarm: no CloudWatch alarm 'no-such-alarm', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:exists' (metric or composite) in this account and region");
    expect(mutations(sb, seq)).toEqual([]);
  });
});
