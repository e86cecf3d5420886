/**
 * Following one FIS experiment: GetExperiment on the capacity watcher's cadence, every change of the
 * experiment's state and of each action's state into the timeline as it happens, and the moment FIS stops
 * the experiment on its own (a stop condition) reported once. Read-only: it never stops anything itself.
 */
import type { Experiment, FisClient } from '../../aws/fis.js';
import { call } from '../../aws/errors.js';
import { sleep } from '../../core/clock.js';
import type { EngineContext } from './types.js';

export type FisApi = Pick<
  FisClient,
  | 'createExperimentTemplate'
  | 'deleteExperimentTemplate'
  | 'startExperiment'
  | 'getExperiment'
  | 'stopExperiment'
  | 'listExperiments'
  | 'listExperimentResolvedTargets'
  | 'listExperimentTemplates'
>;

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['completed', 'stopped', 'failed', 'cancelled']);
const ACTION_ENDED: ReadonlySet<string> = new Set(['completed', 'stopped', 'failed', 'cancelled', 'skipped']);

export const isTerminal = (e: Pick<Experiment, 'state'>): boolean => TERMINAL_STATES.has(e.state.status);

/** Every action has ended (or the experiment has). */
export function actionsEnded(e: Experiment): boolean {
  if (isTerminal(e)) return true;
  const actions = Object.values(e.actions ?? {});
  return actions.length > 0 && actions.every((a) => a.state?.status !== undefined && ACTION_ENDED.has(a.state.status));
}

/** The latest startTime of the actions, once every action has one: when the last injecting call began. */
export function actionsStartedAt(e: Experiment): number | undefined {
  const actions = Object.values(e.actions ?? {});
  if (!actions.length || actions.some((a) => !a.startTime)) return undefined;
  return Math.max(...actions.map((a) => a.startTime!.getTime()));
}

/**
 * PURE: FIS stopping (or failing) the experiment while chaos-ec2 did not ask it to is a stop condition: with
 * stop alarms, one of them went to ALARM (FIS's reason names it); without, someone stopped it outside
 * chaos-ec2; FIS failing it (an action error) ends the run the same way. Either way the run ends at once as aborted. Undefined while nothing of the kind happened.
 */
export function foreignStop(x: Pick<Experiment, 'id' | 'state'>, stopRequested: boolean, stopConditions: readonly string[]): { name: string; detail: string } | undefined {
  if (stopRequested) return undefined;
  // An action that failed mid-hold: the experiment did not run as planned, so its figures are not a pass.
  if (x.state.status === 'failed') return { name: 'FIS experiment failed', detail: x.state.reason ?? `FIS experiment ${x.id} failed` };
  if (!['stopping', 'stopped'].includes(x.state.status)) return undefined;
  const alarms = stopConditions.map((a) => a.split(':alarm:')[1] ?? a);
  return {
    name: alarms.length ? alarms.join(', ') : 'FIS experiment stopped outside chaos-ec2',
    detail: x.state.reason ?? `FIS stopped experiment ${x.id}`,
  };
}

export class FisWatch {
  private readonly seen = new Map<string, string>();
  latest: Experiment | undefined;
  /** Set before chaos-ec2 itself calls StopExperiment: a stop that follows is ours, not a stop condition. */
  stopRequested = false;
  private loop: Promise<void> | undefined;
  private readonly halt = new AbortController();

  constructor(
    private readonly fis: FisApi,
    readonly experimentId: string,
    private readonly ctx: Pick<EngineContext, 'now' | 'record' | 'clock' | 'cfg'>,
  ) {}

  async poll(phase: 'inject' | 'rollback' | 'confirm' = 'inject'): Promise<Experiment> {
    const e = await call('fis:GetExperiment', { phase, target: this.experimentId }, () => this.fis.getExperiment(this.experimentId));
    this.latest = e;
    this.note(e);
    return e;
  }

  /** Records what changed since the last reading: the experiment's state, then each action's. */
  private note(e: Experiment): void {
    const at = this.ctx.now();
    const st = e.state.status;
    if (this.seen.get('') !== st) {
      this.seen.set('', st);
      const reason = e.state.reason;
      this.ctx.record({ atMs: at, event: 'fis-state', status: st, ...(reason ? { reason } : {}), detail: `FIS experiment ${this.experimentId} ${st}${reason ? `: ${reason}` : ''}` });
    }
    for (const [name, a] of Object.entries(e.actions ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
      const s = a.state?.status;
      if (!s || this.seen.get(name) === s) continue;
      this.seen.set(name, s);
      const reason = a.state?.reason;
      this.ctx.record({
        atMs: at,
        event: 'fis-action-state',
        action: name,
        status: s,
        ...(reason ? { reason } : {}),
        detail: `${name} (${a.actionId ?? ''}) ${s}${reason ? `: ${reason}` : ''}`,
      });
    }
  }

  /** Polls on the watcher's cadence until `stop` resolves true (or the watch is halted); errors are on the timeline. */
  follow(onReading: (e: Experiment) => void): void {
    this.loop ??= (async () => {
      while (!this.halt.signal.aborted) {
        await sleep(this.ctx.clock, this.ctx.cfg.pollMs, this.halt.signal);
        if (this.halt.signal.aborted) return;
        try {
          const e = await this.poll();
          onReading(e);
          if (isTerminal(e)) return;
        } catch (err) {
          this.ctx.record({ atMs: this.ctx.now(), event: 'poll-failed', detail: `fis:GetExperiment: ${(err as Error)?.message ?? String(err)}` });
        }
      }
    })();
  }

  /** Stops following (the rollback polls for itself from here on). */
  async halted(): Promise<void> {
    this.halt.abort();
    await this.loop;
  }
}
