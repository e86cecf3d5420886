/**
 * How a run ends when it does not reach its verdict: an error (or an interrupt surfacing as one) after the
 * journal was opened, and an interrupt. What was injected is undone first, always; the report says what remains.
 */
import { ChaosError, ExitCode } from '../core/errors.js';
import type { Fault } from '../faults/types.js';
import type { Run, RunOutcome } from './run-context.js';
import type { Undo } from './undo.js';
import type { Plan } from './types.js';

/**
 * An error (or an interrupt surfacing as one) after the journal was opened. Nothing injected: the error goes
 * on (or an interrupt ends with 130). Something injected, or possibly injected: undo it, then report the error
 * with what remains.
 */
export async function failedRun(run: Run, plan: Plan, fault: Fault, undo: Undo, probeDone: Promise<unknown>, err: unknown, injected: boolean): Promise<RunOutcome> {
  const wasInterrupted = run.deps.signal.aborted || (err instanceof ChaosError && err.exitCode === ExitCode.Interrupted);
  // An engine that knows nothing was injected although it registered a rollback (FIS ended the experiment
  // before any action started) says so on the error: a refusal, exit 3.
  const nothingInjected = (err as { nothingInjected?: boolean } | undefined)?.nothingInjected === true;
  if ((undo.registered === 0 || nothingInjected) && !undo.started && !injected) {
    // Nothing was injected (at most the victims were tagged).
    if (wasInterrupted) return finishInterrupted(run, undo, probeDone, `${(err as Error)?.message ?? 'interrupted'}; nothing was injected`);
    throw err;
  }
  const r = await undo.unwind();
  await undo.note({ type: 'end', error: (err as Error)?.message, rollback: r.status });
  const incomplete = r.status === 'incomplete';
  const code = incomplete ? ExitCode.RollbackIncomplete : wasInterrupted ? ExitCode.Interrupted : ExitCode.GateFailed;
  const undone = incomplete ? `; rollback INCOMPLETE: ${r.remaining.join('; ')}` : `; ${fault.afterwards}`;
  const verdict = !incomplete && wasInterrupted ? 'aborted' : 'error';
  const report = run.report({ verdict, exitCode: code, reason: `${(err as Error)?.message ?? String(err)}${undone}` });
  return { exitCode: code, report, plan };
}

export async function finishInterrupted(run: Run, undo: Undo, done: Promise<unknown>, reason: string): Promise<RunOutcome> {
  await done.catch(() => undefined);
  await undo.note({ type: 'end', interrupted: true });
  const report = run.report({ verdict: 'aborted', exitCode: ExitCode.Interrupted, reason });
  return { exitCode: ExitCode.Interrupted, report };
}
