/**
 * The last resort while something is injected. An exception nobody catches (a renderer bug, a write to a
 * closed pipe, a throwing event subscriber) would otherwise end the process with the fault still in place —
 * an AZ left dark. While a rollback is registered, the runner installs this guard: it runs the rollback,
 * prints what remains and how to finish it, and exits (4 when something may still be injected).
 *
 * This is the one place besides cli/main.ts that ends the process: by the time it runs, the normal error
 * boundary is unreachable (the exception escaped every await), so it has to.
 */
import { safeStderr } from './signals.js';

export interface FatalOutcome {
  exitCode: number;
  /** What to print after the rollback (what remains, the recover command). */
  message: string;
}

export interface FatalGuard {
  dispose(): void;
}

export function installFatalGuard(onFatal: (err: unknown) => Promise<FatalOutcome>, write: (s: string) => void = safeStderr): FatalGuard {
  let handling = false;
  const handler = (err: unknown) => {
    // A second failure while unwinding must not start a second unwind or exit before the first one ends.
    if (handling) return;
    handling = true;
    write(`\nchaos-ec2: unexpected error while a fault is injected: ${(err as Error)?.message ?? String(err)}\nrolling back before exiting…\n`);
    onFatal(err).then(
      (o) => {
        write(`${o.message}\n`);
        process.exit(o.exitCode);
      },
      (e: unknown) => {
        write(`rollback failed: ${(e as Error)?.message ?? String(e)}\n`);
        process.exit(4);
      },
    );
  };
  process.on('uncaughtException', handler);
  process.on('unhandledRejection', handler);
  return {
    dispose() {
      process.off('uncaughtException', handler);
      process.off('unhandledRejection', handler);
    },
  };
}
