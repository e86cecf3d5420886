/**
 * The stop alarms, watched while the fault is in place (local engine): every poll reads all of them with ONE
 * DescribeAlarms call. An alarm in ALARM fires the stop condition; so does one that went to ALARM and back
 * between two polls — a SetAlarmState (or a short spike) lasts only until the next evaluation, so a watcher
 * that only looks at the current state can miss it. What gives such a visit away is a StateUpdatedTimestamp
 * newer than the previous reading's; the alarm's history since that reading then says whether it passed
 * through ALARM. Both timestamps are CloudWatch's own, so the local clock's skew cannot hide a visit.
 *
 * Polls never overlap (the next is scheduled when one ends), and a failed poll is recorded and retried at the
 * next: the comparison is always against the last successful reading, so nothing in between is lost.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { alarmHistorySince, readAlarms, type AlarmReading, type AlarmState, type AlarmTransition } from '../aws/cloudwatch.js';
import type { Clock } from '../core/clock.js';
import type { Mark } from './recorder.js';

/** An alarm seen in ALARM: now, or (transient) between two polls, at `alarmAt` on CloudWatch's clock. */
export interface AlarmFiring {
  name: string;
  arn: string;
  reason: string;
  transient: boolean;
  alarmAt: number;
}

export interface AlarmWatchHooks {
  fired(f: AlarmFiring): void;
  /** A timeline event: a state change, an alarm gone missing, a failed poll. */
  mark(m: Mark): void;
}

export class AlarmWatch {
  private readonly last = new Map<string, AlarmReading>();
  private readonly missing = new Set<string>();
  private cancel: (() => void) | undefined;
  private stopped = true;
  private done = false;
  private current: Promise<void> | undefined;
  polls = 0;

  /**
   * `refs`: the --stop-alarm values; `initial`: the readings taken right before injecting (the steady-state
   * recheck), so a visit to ALARM between that reading and the first poll is caught too.
   */
  constructor(
    private readonly client: CloudWatchClient,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly refs: readonly string[],
    initial: readonly AlarmReading[],
    private readonly hooks: AlarmWatchHooks,
  ) {
    for (const r of initial) this.last.set(r.name, r);
  }

  /** Polls at once (the fault was just injected), then every pollMs until stop() or the first firing. */
  start(): void {
    if (!this.stopped || this.done) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped || this.done) return;
    this.cancel = this.clock.setTimer(() => {
      this.cancel = undefined;
      const p = this.poll().finally(() => {
        if (this.current === p) this.current = undefined;
        this.schedule(this.pollMs);
      });
      this.current = p;
    }, ms);
  }

  /** Resolves when the poll under way (if any) has ended. */
  idle(): Promise<void> {
    return this.current ?? Promise.resolve();
  }

  /** One reading of every alarm, compared with the last. */
  private async poll(): Promise<void> {
    let read: Map<string, AlarmReading | undefined>;
    try {
      read = await readAlarms(this.client, this.refs, 'observe');
    } catch (err) {
      this.mark('stop-alarm-poll-failed', (err as Error)?.message ?? String(err));
      return;
    }
    this.polls++;
    const seen: AlarmReading[] = [];
    for (const ref of this.refs) {
      const now = read.get(ref);
      if (now) {
        this.missing.delete(ref);
        seen.push(now);
      } else if (!this.missing.has(ref)) {
        // Deleted (or renamed) mid-run: the stop condition is blind for this alarm; said once, on the record.
        this.missing.add(ref);
        this.mark('stop-alarm-missing', `stop alarm '${ref}' no longer exists: it can no longer stop the run`, { alarm: ref });
      }
    }
    // An alarm in ALARM now fires before any history is read: no extra call delays the rollback.
    const alarming = seen.find((r) => r.state === 'ALARM');
    if (alarming) {
      this.noteChange(alarming.name, this.last.get(alarming.name)?.state, 'ALARM', alarming.reason);
      this.fire({ name: alarming.name, arn: alarming.arn, reason: alarming.reason, transient: false, alarmAt: alarming.updatedAt });
      return;
    }
    for (const now of seen) {
      if (this.stopped || this.done) return;
      const prev = this.last.get(now.name);
      if (prev && now.updatedAt > prev.updatedAt) {
        // Updated since the last reading and not in ALARM now: its history says what happened meanwhile.
        let changes: AlarmTransition[];
        try {
          changes = await alarmHistorySince(this.client, now, prev.updatedAt, 'observe');
        } catch (err) {
          // Asked again at the next poll, from the same reading: nothing in between is lost.
          this.mark('stop-alarm-poll-failed', `DescribeAlarmHistory ${now.name}: ${(err as Error)?.message ?? String(err)}`);
          continue;
        }
        // The change that produced the last reading shares its timestamp (the history is read inclusively).
        changes = changes.filter((c) => !(c.at === prev.updatedAt && c.to === prev.state));
        for (const c of changes) this.noteChange(now.name, c.from, c.to, c.reason);
        const visit = changes.find((c) => c.to === 'ALARM');
        if (visit) {
          this.fire({ name: now.name, arn: now.arn, reason: visit.reason, transient: true, alarmAt: visit.at });
          return;
        }
      } else if (prev) this.noteChange(now.name, prev.state, now.state, now.reason);
      this.last.set(now.name, now);
    }
  }

  private noteChange(name: string, from: AlarmState | undefined, to: AlarmState, reason: string): void {
    if (from !== undefined && from === to) return;
    this.mark('stop-alarm-state', `${name}: ${from ?? '?'} → ${to}${reason ? ` (${reason})` : ''}`, { alarm: name, from, to });
  }

  private fire(f: AlarmFiring): void {
    if (this.done) return;
    this.done = true;
    this.stop();
    this.hooks.fired(f);
  }

  private mark(event: string, detail: string, fields: Record<string, unknown> = {}): void {
    this.hooks.mark({ atMs: this.clock.now(), event, detail, ...fields });
  }
}
