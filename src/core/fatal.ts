/**
 * The last resort while something is injected. An exception nobody catches (a renderer bug, a write to a
 * closed pipe, a throwing event subscriber) would otherwise end the process with the fault still in place —
 * an AZ left dark. While a rollback is registered, the runner installs this guard: it runs the rollback,
 * prints what remains and how to finish it, and exits.
 *
 * Exit code: reaching this guard is a bug, so it is 70 (internal error) — unless the rollback is incomplete
 * (4: something may still be injected, which outranks everything) or the operator interrupted the run (130).
 * A rollback that itself fails is treated as incomplete (4): nothing proves the fault is gone.
 *
 * This is one of the two last resorts besides cli/main.ts that end the process (the other: a second Ctrl-C,
 * core/signals.ts): by the time it runs, the normal error boundary is unreachable (the exception escaped
 * every await), so it has to.
 */
import { bugReportRequest, ExitCode } from './errors.js';
import { safeStderr } from './signals.js';

export interface FatalOutcome {
  /** RollbackIncomplete or Interrupted when that is the outcome; any other code becomes Internal (70). */
  exitCode: number;
  /** What to print after the rollback (what remains, the recover command). */
  message: string;
}

export interface FatalGuard {
  dispose(): void;
}

let active = 0;
let unwinding = false;

/**
 * True while a guard is installed (something is injected) or one is unwinding (even if the run disposed it
 * meanwhile): the process-wide last resort in cli/main.ts then stands aside, so an uncaught exception is
 * always unwound here, and this guard's exit is the one that happens.
 */
export function fatalGuardActive(): boolean {
  return active > 0 || unwinding;
}

export function installFatalGuard(onFatal: (err: unknown) => Promise<FatalOutcome>, write: (s: string) => void = safeStderr): FatalGuard {
  let handling = false;
  let disposed = false;
  active++;
  const handler = (err: unknown) => {
    // A second failure while unwinding must not start a second unwind or exit before the first one ends.
    if (handling) return;
    handling = true;
    unwinding = true;
    write(`\nchaos-ec2: unexpected error while a fault is injected: ${(err as Error)?.message ?? String(err)}\nrolling back before exiting…\n`);
    onFatal(err).then(
      (o) => {
        write(`${o.message}\n`);
        const code = o.exitCode === ExitCode.RollbackIncomplete || o.exitCode === ExitCode.Interrupted ? o.exitCode : ExitCode.Internal;
        if (code === ExitCode.Internal) write(bugReportRequest(err, { debug: Boolean(process.env.CHAOS_EC2_DEBUG) }));
        process.exit(code);
      },
      (e: unknown) => {
        write(`rollback failed: ${(e as Error)?.message ?? String(e)}\n`);
        process.exit(ExitCode.RollbackIncomplete);
      },
    );
  };
  process.on('uncaughtException', handler);
  process.on('unhandledRejection', handler);
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      active--;
      process.off('uncaughtException', handler);
      process.off('unhandledRejection', handler);
    },
  };
}
