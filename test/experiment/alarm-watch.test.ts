/**
 * AlarmWatch alone, against the sandbox's CloudWatch (real SDK client) on a manual clock: what it does when a
 * read fails (recorded, and the visit still found at the next poll: the window starts at the last good
 * reading), when an alarm disappears (said once), and which state changes it records without firing.
 */
import { CloudWatchClient, DeleteAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAlarms } from '../../src/aws/cloudwatch.js';
import { AlarmWatch, type AlarmFiring } from '../../src/experiment/alarm-watch.js';
import type { Mark } from '../../src/experiment/recorder.js';
import { setKnobs } from '../../src/sandbox/index.js';
import { createAlarm, setAlarmState, waitForAlarmState } from '../helpers/alarms.js';
import { clientConfig, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { ManualClock } from './support/manual-clock.js';

describe('AlarmWatch (sandbox CloudWatch, manual clock)', () => {
  let sb: TestSandbox;
  let cw: CloudWatchClient;
  const POLL = 1000;

  beforeAll(async () => {
    sb = await startTestSandbox({ timings: { alarmEvaluationMs: 100 } });
    cw = new CloudWatchClient(clientConfig(sb.endpoint));
  });
  afterAll(async () => {
    cw?.destroy();
    await sb?.close();
  });

  /** A watch over `names`, started from their current readings; `poll()` runs one poll and waits for it. */
  const watching = async (names: string[]) => {
    const clock = new ManualClock();
    const marks: Mark[] = [];
    const fired: AlarmFiring[] = [];
    const w = new AlarmWatch(cw, clock, POLL, names, await describeAlarms(cw, names), { fired: (f) => fired.push(f), mark: (m) => marks.push(m) });
    let polled = 0;
    const poll = async () => {
      const before = w.polls;
      clock.advance(polled++ === 0 ? 0 : POLL);
      await w.idle();
      expect(w.polls).toBe(before + 1);
    };
    return { w, marks, fired, poll };
  };

  it('a failed history read is recorded and asked again from the same reading: the visit is still caught', async () => {
    await createAlarm({ sandbox: sb }, cw, 'flaky-read');
    const { w, marks, fired, poll } = await watching(['flaky-read']);
    w.start();
    await poll();
    expect(fired).toEqual([]);
    await setAlarmState(cw, 'flaky-read', 'ALARM', 'spike');
    await setAlarmState(cw, 'flaky-read', 'OK', 'spike over');
    setKnobs(sb.ctx, { failActions: ['DescribeAlarmHistory'] });
    try {
      await poll();
      expect(fired).toEqual([]);
      expect(marks.map((m) => m.event)).toEqual(['stop-alarm-poll-failed']);
      expect(marks[0]!.detail).toMatch(/^DescribeAlarmHistory flaky-read: DescribeAlarmHistory: ServiceUnavailable/);
    } finally {
      setKnobs(sb.ctx, { failActions: [] });
    }
    await poll();
    expect(fired).toEqual([expect.objectContaining({ name: 'flaky-read', transient: true, reason: 'spike' })]);
    w.stop();
  });

  it('records other state changes without firing, and an alarm deleted mid-run once', async () => {
    await createAlarm({ sandbox: sb }, cw, 'goes-quiet');
    await createAlarm({ sandbox: sb }, cw, 'goes-away');
    const { w, marks, fired, poll } = await watching(['goes-quiet', 'goes-away']);
    w.start();
    await poll();
    // INSUFFICIENT_DATA set by hand, then the evaluation puts it back to OK: both are changes, neither fires.
    await setAlarmState(cw, 'goes-quiet', 'INSUFFICIENT_DATA', 'quiet');
    await waitForAlarmState({ sandbox: sb }, 'goes-quiet', 'OK');
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['goes-away'] }));
    await poll();
    await poll();
    expect(fired).toEqual([]);
    expect(marks.filter((m) => m.event === 'stop-alarm-missing')).toEqual([expect.objectContaining({ alarm: 'goes-away' })]);
    // Both changes, from the history (the evaluation may have put it back before the poll read it).
    expect(marks.filter((m) => m.event === 'stop-alarm-state').slice(0, 2)).toMatchObject([
      { alarm: 'goes-quiet', from: 'OK', to: 'INSUFFICIENT_DATA', detail: 'goes-quiet: OK → INSUFFICIENT_DATA (quiet)' },
      { alarm: 'goes-quiet', from: 'INSUFFICIENT_DATA', to: 'OK' },
    ]);
    w.stop();
  });
});
