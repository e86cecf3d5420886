/**
 * The run's undo machinery in one place: the rollback stack, the one bounded unwind, the last-resort guard
 * for exceptions nobody catches, and best-effort journal writes. Safety invariants:
 * - the unwind runs at most once per run, and every exit path awaits the same one;
 * - it retries transient AWS failures with backoff, but never for longer than the rollback window, and an
 *   unanswered call cannot hold it past that window: then it is 'incomplete', exit 4, with the recover command;
 * - while anything is registered, an uncaught exception or unhandled rejection unwinds before the process
 *   ends (installFatalGuard), so a renderer bug or a closed pipe cannot leave the fault in place;
 * - nothing on the undo path throws because of the journal: its writes warn and carry on.
 */
import { installFatalGuard, type FatalGuard } from '../core/fatal.js';
import { ExitCode } from '../core/errors.js';
import type { Rollback } from '../faults/types.js';
import type { RunConfig } from './config.js';
import type { Journal, JournalEntry } from './journal.js';
import type { RunDeps } from './deps.js';
import type { Recorder } from './recorder.js';
import { RollbackStack, type UnwindResult } from './rollbacks.js';

/** Retries and deadline of a rollback: the recovery timeout, but at least 5 s and at most 60 s. */
export function rollbackWindowMs(cfg: Pick<RunConfig, 'recoveryTimeoutMs'>): number {
  return Math.min(60_000, Math.max(5_000, cfg.recoveryTimeoutMs));
}

/** The exact command that finishes an incomplete rollback, with the flags that reach the same account. */
export function recoverCommand(cfg: Pick<RunConfig, 'region' | 'profile' | 'endpoint' | 'reportDir'>, experimentId: string): string {
  const q = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  return [
    'chaos-ec2 recover',
    `--experiment-id ${q(experimentId)}`,
    ...(cfg.region ? [`--region ${q(cfg.region)}`] : []),
    ...(cfg.profile ? [`--profile ${q(cfg.profile)}`] : []),
    ...(cfg.endpoint ? [`--endpoint-url ${q(cfg.endpoint)}`] : []),
    '--yes',
  ].join(' ');
}

export class Undo {
  private readonly rollbacks: RollbackStack;
  private unwinding: Promise<UnwindResult> | undefined;
  private guard: FatalGuard | undefined;

  constructor(
    private readonly cfg: RunConfig,
    private readonly deps: RunDeps,
    private readonly rb: Recorder,
    private readonly journal: Journal,
    private readonly experimentId: string,
  ) {
    this.rollbacks = new RollbackStack(deps.clock);
  }

  get registered(): number {
    return this.rollbacks.registered;
  }

  get started(): boolean {
    return this.unwinding !== undefined;
  }

  get last(): UnwindResult | undefined {
    return this.rollbacks.last;
  }

  register(r: Rollback): void {
    this.rollbacks.register(r);
    this.guard ??= installFatalGuard(async () => {
      const res = await this.unwind();
      const cmd = recoverCommand(this.cfg, this.experimentId);
      if (res.status === 'incomplete') {
        return { exitCode: ExitCode.RollbackIncomplete, message: `ROLLBACK INCOMPLETE — still injected:\n${res.remaining.map((x) => `  ${x}`).join('\n')}\nfinish it with:\n  ${cmd}` };
      }
      return {
        exitCode: this.deps.signal.aborted ? ExitCode.Interrupted : ExitCode.GateFailed,
        message: `rollback ${res.status}: nothing of experiment ${this.experimentId} is left injected (no report was written; the journal is in ${this.journal.path})`,
      };
    });
  }

  /** The one unwind of this run (memoized): bounded retries, bounded time. */
  unwind(): Promise<UnwindResult> {
    this.unwinding ??= this.doUnwind();
    return this.unwinding;
  }

  private async doUnwind(): Promise<UnwindResult> {
    const { deps, rb } = this;
    deps.emit({ type: 'phase', phase: 'rollback' });
    const r = await this.rollbacks.unwindWithin({
      windowMs: rollbackWindowMs(this.cfg),
      onRetry: (res, delay) => deps.emit({ type: 'timeline', entry: rb.mark('rollback-retry', deps.clock.now(), `${res.remaining.join('; ')}; retrying in ${(delay / 1000).toFixed(1)}s`) }),
    });
    if (r.status !== 'not-needed') {
      deps.emit({
        type: 'timeline',
        entry: rb.mark(r.status === 'complete' ? 'rollback-complete' : 'rollback-incomplete', r.atMs, r.remaining.join('; ') || 'everything injected was undone and verified'),
      });
    }
    rb.setRollback(r, recoverCommand(this.cfg, this.experimentId));
    if (r.status === 'complete') deps.emit({ type: 'damage', experimentId: this.experimentId, items: [] });
    return r;
  }

  /** Best-effort journal write: warns on the timeline and carries on. */
  async note(entry: Omit<JournalEntry, 'at' | 'experimentId'>): Promise<void> {
    const err = await this.journal.tryRecord(entry);
    if (err) this.deps.emit({ type: 'timeline', entry: this.rb.mark('journal-write-failed', this.deps.clock.now(), `${String(entry.type)}: ${err.message}`) });
  }

  async close(): Promise<void> {
    this.guard?.dispose();
    this.guard = undefined;
    await this.journal.tryClose();
  }
}
