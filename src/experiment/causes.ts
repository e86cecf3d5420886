/**
 * Causes: what Auto Scaling itself says happened, read from DescribeScalingActivities when the run needs a
 * reason — a member lost that the experiment did not cause, and the recovery timeout. Each activity goes into
 * the timeline once (by activity id) with its cause and status message. A loss the fault does not explain
 * (Fault.causedLoss: a Spot interruption, a scale-in, another operator) marks the run contaminated, with the
 * cause of the activity that names the instance.
 *
 * Activities are read since the run started, not since t0: this machine's clock and AWS's may differ by a few
 * seconds, and an activity that began right at t0 must not be missed for it.
 */
import { describeScalingActivities, type ScalingActivity } from '../aws/autoscaling-reads.js';
import { faultFor } from '../faults/index.js';
import type { CapacityEvent } from '../observe/capacity-watch.js';
import type { RunDeps } from './deps.js';
import type { Recorder } from './recorder.js';

/** A lost member whose activity was not there yet is looked up again at this many later polls. */
const RETRIES = 5;

export class Causes {
  private readonly seen = new Set<string>();
  /** Lost members not caused by the experiment whose cause is still unknown: instance id → the loss. */
  private readonly unexplained = new Map<string, { e: CapacityEvent; tries: number }>();
  private queue: Promise<void> = Promise.resolve();

  /**
   * `members`: the group's members when the plan was made. Only their losses can contaminate the run: a member
   * launched since (a replacement) that is lost again is the group failing to recover from the fault — the
   * experiment's own story, told by the timeline and the recovery figures.
   */
  constructor(
    private readonly deps: RunDeps,
    private readonly asg: string,
    private readonly rec: Recorder,
    private readonly members: ReadonlySet<string>,
  ) {}

  /** The watcher saw a member lost: when the fault does not explain it, find out why (in the background). */
  onLost(e: CapacityEvent): void {
    const plan = this.rec.r.plan;
    if (!plan || this.rec.r.t0 === null || !e.instanceId || !this.members.has(e.instanceId)) return;
    if (faultFor(plan.fault.kind).causedLoss(plan, { instanceId: e.instanceId, availabilityZone: e.availabilityZone ?? '' })) return;
    if (this.unexplained.has(e.instanceId) || this.contaminatedBy(e.instanceId)) return;
    this.unexplained.set(e.instanceId, { e, tries: 0 });
    this.enqueue(() => this.explain());
  }

  /** After each poll: losses still without a cause are looked up again, a few times. */
  onPoll(): void {
    if (this.unexplained.size) this.enqueue(() => this.explain());
  }

  /** Reads the activities now (the recovery timeout); resolves with them after recording the new ones. */
  read(): Promise<ScalingActivity[]> {
    let out: ScalingActivity[] = [];
    this.enqueue(async () => {
      out = await this.fetch();
    });
    return this.queue.then(() => out);
  }

  /** Every lookup started so far has finished (the report is built after this). */
  settled(): Promise<void> {
    return this.queue;
  }

  private enqueue(job: () => Promise<void>): void {
    // A failed read must never fail the run: it is noted in the timeline and the run goes on.
    this.queue = this.queue.then(job).catch((err: unknown) => {
      this.emit(this.rec.mark('activities-read-failed', this.deps.clock.now(), (err as Error)?.message ?? String(err)));
    });
  }

  private async fetch(): Promise<ScalingActivity[]> {
    const all = await describeScalingActivities(this.deps.clients.asg, this.asg, { sinceMs: this.rec.r.startedAt }, 'observe');
    const at = this.deps.clock.now();
    // Oldest first, so the timeline reads in the order Auto Scaling did things.
    for (const a of [...all].reverse()) {
      if (this.seen.has(a.id)) continue;
      this.seen.add(a.id);
      this.emit(
        this.rec.addEvent({
          atMs: at,
          event: 'scaling-activity',
          ...(a.instanceId ? { instanceId: a.instanceId } : {}),
          detail: `${a.description}: ${a.statusCode}${a.statusMessage ? ` (${a.statusMessage})` : ''}; cause: ${a.cause}`,
          activityId: a.id,
          statusCode: a.statusCode,
          cause: a.cause,
          ...(a.statusMessage ? { statusMessage: a.statusMessage } : {}),
          startedAt: new Date(a.startMs).toISOString(),
        }),
      );
    }
    return all;
  }

  private async explain(): Promise<void> {
    if (!this.unexplained.size) return;
    const activities = await this.fetch();
    for (const [id, u] of this.unexplained) {
      u.tries++;
      // Newest first: the latest activity that names the instance is the one that took it out.
      const a = activities.find((x) => x.instanceId === id);
      if (!a && u.tries < RETRIES) continue;
      this.unexplained.delete(id);
      const cause = a?.cause || 'unknown: no scaling activity names it (another operator, or EC2 itself)';
      this.emit(
        this.rec.addEvent({
          atMs: u.e.atMs,
          event: 'contaminated',
          instanceId: id,
          ...(u.e.availabilityZone ? { availabilityZone: u.e.availabilityZone } : {}),
          detail: `${id} was lost, and not by this experiment: ${cause}`,
          cause,
        }),
      );
    }
  }

  private contaminatedBy(id: string): boolean {
    return this.rec.r.marks.some((m) => m.event === 'contaminated' && m.instanceId === id);
  }

  private emit(entry: ReturnType<Recorder['mark']>): void {
    this.deps.emit({ type: 'timeline', entry });
  }
}
