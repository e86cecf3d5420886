/**
 * The observe phase: the probe keeps its constant arrival rate while the capacity watcher polls the group.
 * One session spans the whole run after injection; the runner asks it to watch `until` something happens —
 * the end of a hold, recovery, the deadline, an interrupt, or the stop condition (error rate above R for S
 * consecutive judged seconds), whichever comes first.
 */
import { faultFor } from '../faults/index.js';
import type { CapacityEvent, CapacitySnapshot } from '../observe/capacity-watch.js';
import type { SecondSummary } from '../observe/buckets.js';
import type { RunConfig } from './config.js';
import type { Probe, RunDeps, Watcher } from './deps.js';
import type { Discovery } from './discover.js';
import type { AlarmReading } from '../aws/cloudwatch.js';
import { AlarmWatch } from './alarm-watch.js';
import { Causes } from './causes.js';
import type { Recorder, StopFired } from './recorder.js';
import { alarmStop, errorRateStop } from './stop-alarms.js';

export type UntilReason = 'done' | 'deadline' | 'interrupted' | 'stop-condition';

export interface UntilOptions {
  /** Epoch ms at which to stop with 'deadline'. */
  deadline: number;
  /** Checked after every probe second and capacity poll; true ends with 'done'. */
  done?: () => boolean;
}

/** PURE: does the stop condition fire? True when the last `seconds` judged seconds all exceed `rate`. */
export function stopConditionFires(seconds: readonly Pick<SecondSummary, 'sent' | 'failed' | 'saturated'>[], rate: number, afterMs: number): boolean {
  const need = Math.max(1, Math.ceil(afterMs / 1000));
  const judged = seconds.filter((s) => !s.saturated);
  if (judged.length < need) return false;
  return judged.slice(-need).every((s) => s.sent > 0 && s.failed / s.sent > rate);
}

export class ObserveSession {
  private readonly watcher: Watcher;
  private readonly recent: SecondSummary[] = [];
  private wake: (() => void) | undefined;
  stopFiredAt: number | null = null;
  /** What fired the stop condition (the error rate, or a stop alarm). */
  stopFired: StopFired | undefined;
  private readonly alarms: AlarmWatch | undefined;
  /** Why members left that the experiment did not take, and what Auto Scaling did (scaling activities). */
  readonly causes: Causes;

  constructor(
    private readonly cfg: RunConfig,
    private readonly deps: RunDeps,
    d: Discovery,
    private readonly probe: Probe,
    baseline: CapacitySnapshot,
    private readonly rb: Recorder,
    private readonly stop: AbortSignal,
    alarms: readonly AlarmReading[] = [],
  ) {
    this.causes = new Causes(deps, cfg.asg, rb, new Set(baseline.instances.keys()));
    // The fault's certain victims: each counts as capacity lost once seen gone, even if refilled between polls.
    const plan = rb.r.plan;
    const victims = plan ? faultFor(plan.fault.kind).victims?.(plan) : undefined;
    this.watcher = deps.createWatcher({ asgName: cfg.asg, targetGroupArns: d.group.targetGroupArns, pollMs: cfg.pollMs, ...(victims ? { victims } : {}) }, baseline);
    this.watcher.on('event', (e: CapacityEvent) => {
      deps.emit({ type: 'timeline', entry: rb.addCapacityEvent(e) });
      if (e.event === 'instance-lost') this.causes.onLost(e);
    });
    this.watcher.on('snapshot', (s: CapacitySnapshot) => {
      rb.addSample(s);
      this.causes.onPoll();
      this.wake?.();
    });
    this.watcher.on('error', (err: unknown) => deps.emit({ type: 'timeline', entry: rb.mark('poll-failed', deps.clock.now(), (err as Error)?.message ?? String(err)) }));
    probe.on('second', this.onSecond);
    // --stop-alarm: polled on the run's clock, compared with the readings taken right before injecting.
    // With the FIS engine the alarms are the experiment template's stop conditions: FIS watches them on AWS's
    // side (even if this process dies) and its stop is reported through stopByEngine. A second, local watch
    // would race FIS to the same stop and blur which of the two rolled back.
    if (cfg.stopAlarms.length && cfg.engine !== 'fis') {
      this.alarms = new AlarmWatch(deps.clients.cloudwatch, deps.clock, cfg.pollMs, cfg.stopAlarms, alarms, {
        fired: (f) => this.fire(alarmStop(f)),
        mark: (m) => deps.emit({ type: 'timeline', entry: rb.addEvent(m) }),
      });
    }
  }

  private fire(c: StopFired, atMs = this.deps.clock.now()): void {
    if (this.stopFiredAt !== null) return;
    this.stopFiredAt = atMs;
    this.stopFired = c;
    this.wake?.();
  }

  /** A stop condition the engine saw fire on its side (FIS stopped its experiment on an alarm). */
  stopByEngine(atMs: number, c: StopFired): void {
    this.fire(c, atMs);
  }

  private readonly onSecond = (s: SecondSummary) => {
    this.rb.addSecond(s);
    this.recent.push(s);
    if (this.recent.length > 600) this.recent.shift();
    this.deps.emit({ type: 'second', second: s, capacity: this.watcher.latest });
    if (this.stopFiredAt === null && this.cfg.abortErrorRate !== undefined && stopConditionFires(this.recent, this.cfg.abortErrorRate, this.cfg.abortAfterMs)) {
      this.fire(errorRateStop(this.cfg));
    }
    this.wake?.();
  };

  get latest(): CapacitySnapshot | undefined {
    return this.watcher.latest;
  }

  get polls(): number {
    return this.watcher.polls;
  }

  start(): void {
    this.watcher.start();
    this.alarms?.start();
  }

  /**
   * Every cause lookup started has finished (call before the report is built), or `maxMs` passed: a slow
   * DescribeScalingActivities may leave a cause out of the report, never hold the exit back for long.
   */
  settled(maxMs = 10_000): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.deps.clock.setTimer(resolve, maxMs);
      void this.causes.settled().then(() => {
        cancel();
        resolve();
      });
    });
  }

  close(): void {
    this.watcher.stop();
    this.alarms?.stop();
    this.probe.off('second', this.onSecond);
    this.wake = undefined;
  }

  until(o: UntilOptions): Promise<UntilReason> {
    return new Promise<UntilReason>((resolve) => {
      const check = (): UntilReason | null => {
        if (this.stop.aborted) return 'interrupted';
        if (this.stopFiredAt !== null) return 'stop-condition';
        if (o.done?.()) return 'done';
        if (this.deps.clock.now() >= o.deadline) return 'deadline';
        return null;
      };
      const finish = (r: UntilReason) => {
        cancelTimer();
        this.stop.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(r);
      };
      const onAbort = () => finish('interrupted');
      this.wake = () => {
        const r = check();
        if (r) finish(r);
      };
      const cancelTimer = this.deps.clock.setTimer(() => finish(check() ?? 'deadline'), Math.max(0, o.deadline - this.deps.clock.now()));
      this.stop.addEventListener('abort', onAbort, { once: true });
      const first = check();
      if (first) finish(first);
    });
  }
}
