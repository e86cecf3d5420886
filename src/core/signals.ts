/**
 * Interrupts. The first SIGINT/SIGTERM aborts the run's signal: the runner stops before its next mutation,
 * stops observing, rolls back whatever is injected, writes the report and exits 130.
 *
 * Later signals never abandon a rollback silently:
 * - a second SIGINT is a person insisting ("now"): it prints what may still be injected and the exact command
 *   that undoes it, and exits at once — 4 when something may still be injected (the tags on the AWS resources
 *   let `recover` finish the job), else 130;
 * - a SIGTERM after the first signal is a supervisor, not a person: GitHub Actions' cancel sends SIGINT and
 *   then SIGTERM ~7.5 s later, and systemd/Kubernetes follow up the same way. Exiting then would leave an AZ
 *   dark on every cancelled CI run, so it prints the same leftovers and recover command and KEEPS rolling
 *   back; only SIGKILL (or a second SIGINT) ends the process before the rollback does.
 */
import { ExitCode } from './errors.js';

export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

export interface Leftovers {
  message: string;
  /** True when something may still be injected. */
  injected: boolean;
}

export function onInterrupt(describeLeftovers: () => Leftovers, write: (s: string) => void = safeStderr): InterruptHandle {
  const ac = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      write(`\n${sig} received: stopping, rolling back and writing the report (press Ctrl-C again to exit at once)\n`);
      ac.abort(new Error(sig));
      return;
    }
    const left = describeLeftovers();
    if (sig !== 'SIGINT') {
      write(`\n${sig} received again: still rolling back (press Ctrl-C to exit at once). ${left.message}\n`);
      return;
    }
    write(`\nexiting immediately. ${left.message}\n`);
    process.exit(left.injected ? ExitCode.RollbackIncomplete : ExitCode.Interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Writes to stderr, never throwing: stderr may be a closed pipe, and a signal handler must not crash. */
export function safeStderr(s: string): void {
  try {
    process.stderr.write(s);
  } catch {
    // Nowhere left to say it; the report file and the exit code still carry the outcome.
  }
}
