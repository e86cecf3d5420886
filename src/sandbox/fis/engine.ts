/**
 * Runs one FIS experiment on the sandbox's timers, with FIS's states (FIS user guide, "Managing your AWS FIS
 * experiments", https://docs.aws.amazon.com/fis/latest/userguide/experiments.html; ExperimentStatus and
 * ExperimentActionStatus in the FIS API reference):
 *
 *   pending → initiating → running → completed
 *                            └→ stopping → stopped   (StopExperiment, or a stop condition's alarm in ALARM)
 *   any → failed                                     (role not assumable, targets not resolvable, an action error)
 *
 * "An experiment is finished when all actions completed, a stop condition is triggered, an action cannot be
 * completed because of an error, or it is stopped manually." Targets are resolved once, at initiation, and
 * recorded (ListExperimentResolvedTargets). With actionsMode skip-all FIS resolves the targets and runs no action:
 * every action ends `skipped` (FIS user guide, "Experiment options", actions mode).
 *
 * Stop conditions: each `aws:cloudwatch:alarm` is read while the experiment runs (FIS user guide, "Stop conditions
 * for AWS FIS": "If a stop condition is triggered during an experiment, AWS FIS stops the experiment").
 *
 * The role: FIS uses the experiment role to run the experiment, so a role it cannot assume shows when the
 * experiment starts, not when the template is stored — the sandbox fails the experiment at initiation, with a
 * reason naming the role. (The exact wording of FIS's reason is not documented; this is the sandbox's.)
 */
import { driverFor, type ActionDriver } from './actions.js';
import { fisRoleArn } from './role.js';
import type { ActionRun, ActionStatus, ExperimentStatus, FisDeps, FisExperiment, ResolvedTarget } from './types.js';
import { idOfArn, parseSelection } from './validate.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What FIS reads its stop conditions from: the CloudWatch store (h-cw's alarmStateByArn). */
export interface AlarmStates {
  alarmStateByArn(arn: string): AlarmState | undefined;
}

const ACTIVE = new Set<ExperimentStatus>(['pending', 'initiating', 'running']);

export class ExperimentEngine {
  private readonly drivers = new Map<string, ActionDriver>();
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: FisDeps,
    readonly exp: FisExperiment,
    private readonly alarms: () => AlarmStates,
  ) {}

  /** Called once, by StartExperiment; `onWire` is the actionsMode the request carried (null: none). */
  begin(onWire: string | null): void {
    this.setStatus('pending', 'Experiment is pending.', onWire);
    this.timer = this.ctx.timers.after(this.ctx.timings.fisPendingMs, () => this.initiate());
  }

  get active(): boolean {
    return ACTIVE.has(this.exp.status) || this.exp.status === 'stopping';
  }

  /** StopExperiment: only an experiment that has not finished changes. */
  stop(reason = 'Stopping Experiment.', finalReason = 'Experiment stopped.'): void {
    if (!ACTIVE.has(this.exp.status)) return;
    this.clearTimers();
    this.setStatus('stopping', reason);
    for (const run of this.exp.actions.values()) {
      if (run.status === 'running') {
        this.setAction(run, 'stopping', 'Action is stopping.');
        this.drivers.get(run.name)?.revert();
      } else if (run.status === 'pending') {
        this.setAction(run, 'cancelled', 'Experiment was stopped before the action started.');
      }
    }
    this.timer = this.ctx.timers.after(this.ctx.timings.fisStoppingMs, () => {
      for (const run of this.exp.actions.values()) if (run.status === 'stopping') this.setAction(run, 'stopped', 'Action was stopped.', true);
      this.finish('stopped', finalReason);
    });
  }

  private initiate(): void {
    if (this.exp.status !== 'pending') return;
    this.setStatus('initiating', 'Experiment is initiating.');
    this.timer = this.ctx.timers.after(this.ctx.timings.fisInitiatingMs, () => this.startRunning());
  }

  private startRunning(): void {
    if (this.exp.status !== 'initiating') return;
    const { world } = this.ctx;
    if (this.exp.roleArn !== fisRoleArn(world.accountId)) {
      return this.fail(`Unable to assume role ${this.exp.roleArn}: the role does not exist or does not trust fis.amazonaws.com.`, 'InvalidRole');
    }
    try {
      this.exp.resolved = this.resolveTargets();
    } catch (err) {
      return this.fail((err as Error).message, 'TargetResolutionFailed');
    }
    this.exp.startTime = world.now();
    this.setStatus('running', 'Experiment is running.');
    if (this.exp.actionsMode === 'skip-all') {
      for (const run of this.exp.actions.values()) this.setAction(run, 'skipped', 'Action was skipped (actionsMode skip-all).');
      return this.finish('completed', 'Experiment completed.');
    }
    if (this.checkStopConditions()) return;
    this.startReady();
    // startReady may have failed the experiment (an action that could not start).
    if ((this.exp.status as ExperimentStatus) !== 'running') return;
    this.ticker = this.ctx.timers.every(this.ctx.timings.fisTickMs, () => this.tick());
  }

  /**
   * Each target's ARNs that name a resource that exists (an instance not yet shutting down or terminated),
   * then the selection mode. A target that resolves to nothing fails the experiment: FIS's default
   * emptyTargetResolutionMode is `fail` (FIS user guide, "Experiment options").
   */
  private resolveTargets(): ResolvedTarget[] {
    const { world, rng } = this.ctx;
    const out: ResolvedTarget[] = [];
    for (const [name, t] of Object.entries(this.exp.targets)) {
      const found: ResolvedTarget[] = [];
      for (const arn of t.resourceArns) {
        const id = idOfArn(arn, world.region, world.accountId, t.resourceType)!;
        const exists = t.resourceType === 'aws:ec2:subnet' ? world.subnets.has(id) : !['shutting-down', 'terminated', undefined].includes(world.instances.get(id)?.state);
        if (exists) found.push({ targetName: name, resourceType: t.resourceType, arn, id });
      }
      const sel = parseSelection(t.selectionMode)!;
      const n = sel.kind === 'ALL' ? found.length : sel.kind === 'COUNT' ? Math.min(sel.n, found.length) : Math.ceil((found.length * sel.n) / 100);
      const chosen = n >= found.length ? found : rng.sample(found, n);
      if (chosen.length === 0) throw new Error(`Target resolution failed: target ${name} resolved to no resources (none of its resourceArns exists).`);
      out.push(...chosen);
    }
    return out;
  }

  /** Starts every pending action whose startAfter actions have all completed. */
  private startReady(): void {
    for (const run of this.exp.actions.values()) {
      if (run.status !== 'pending') continue;
      if (!run.startAfter.every((b) => this.exp.actions.get(b)?.status === 'completed')) continue;
      const targetName = Object.values(run.targets)[0]!;
      const driver = driverFor(
        this.ctx,
        run,
        this.exp.resolved.filter((r) => r.targetName === targetName),
      );
      this.drivers.set(run.name, driver);
      run.startTime = this.ctx.world.now();
      this.setAction(run, 'running', 'Action is running.');
      try {
        driver.start();
      } catch (err) {
        return this.failAction(run, (err as Error).message);
      }
    }
  }

  private tick(): void {
    if (this.exp.status !== 'running') return;
    if (this.checkStopConditions()) return;
    for (const run of this.exp.actions.values()) {
      if (run.status !== 'running') continue;
      const r = this.drivers.get(run.name)!.poll();
      if (r === 'completed') this.setAction(run, 'completed', 'Action was completed.', true);
      else if (r !== 'running') return this.failAction(run, r.failed);
    }
    this.startReady();
    if (this.exp.status === 'running' && [...this.exp.actions.values()].every((a) => a.status === 'completed')) this.finish('completed', 'Experiment completed.');
  }

  /** An alarm in ALARM stops the experiment; true when it did. */
  private checkStopConditions(): boolean {
    for (const c of this.exp.stopConditions) {
      if (c.source !== 'aws:cloudwatch:alarm' || !c.value) continue;
      if (this.alarms().alarmStateByArn(c.value) === 'ALARM') {
        const name = c.value.split(':alarm:')[1] ?? c.value;
        this.stop(`Stop condition triggered: alarm ${name} (${c.value}) is in ALARM.`, `Experiment stopped by stop condition: alarm ${name} (${c.value}) was in ALARM.`);
        return true;
      }
    }
    return false;
  }

  private failAction(run: ActionRun, reason: string): void {
    this.setAction(run, 'failed', reason, true);
    this.fail(`Action ${run.name} failed: ${reason}`, 'ActionFailed', run.name);
  }

  /** Reverts what the other running actions still hold, then fails the experiment. */
  private fail(reason: string, code: string, location?: string): void {
    this.clearTimers();
    for (const run of this.exp.actions.values()) {
      if (run.status === 'running') {
        this.drivers.get(run.name)?.revert();
        this.setAction(run, 'stopped', 'Action was stopped because the experiment failed.', true);
      } else if (run.status === 'pending') {
        this.setAction(run, 'cancelled', 'Action was cancelled because the experiment failed.');
      }
    }
    this.exp.error = { code, ...(location ? { location } : {}) };
    this.finish('failed', reason);
  }

  private finish(status: 'completed' | 'stopped' | 'failed', reason: string): void {
    this.clearTimers();
    this.exp.endTime = this.ctx.world.now();
    this.setStatus(status, reason);
  }

  private clearTimers(): void {
    this.ctx.timers.cancel(this.timer);
    this.ctx.timers.cancel(this.ticker);
    this.timer = this.ticker = undefined;
  }

  private setStatus(status: ExperimentStatus, reason: string, onWire?: string | null): void {
    this.exp.status = status;
    this.exp.reason = reason;
    const e = this.exp;
    this.ctx.world.emit({
      type: 'fis-experiment',
      experimentId: e.id,
      experimentTemplateId: e.experimentTemplateId,
      status,
      reason,
      actionsMode: e.actionsMode,
      ...(onWire !== undefined ? { actionsModeOnWire: onWire } : {}),
    });
  }

  private setAction(run: ActionRun, status: ActionStatus, reason: string, ended = false): void {
    run.status = status;
    run.reason = reason;
    if (ended) run.endTime = this.ctx.world.now();
    this.ctx.world.emit({ type: 'fis-action', experimentId: this.exp.id, action: run.name, actionId: run.actionId, status, reason });
  }
}
