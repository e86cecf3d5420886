/**
 * Interrupts. The first SIGINT/SIGTERM aborts the run's signal: the runner stops at the phase it is in
 * (discovery, plan, the prompt, the baseline …), never makes another mutation, stops observing, rolls back
 * whatever is injected, writes the report when there is one to write, and exits 130.
 *
 * Later signals never abandon a rollback silently:
 * - a second SIGINT is a person insisting ("now"): it prints what may still be injected and the exact command
 *   that undoes it, and exits at once — 4 when something may still be injected (the tags on the AWS resources
 *   let `recover` finish the job), else 130;
 * - a SIGTERM after the first signal is a supervisor, not a person: GitHub Actions' cancel sends SIGINT and
 *   then SIGTERM ~7.5 s later, and systemd/Kubernetes follow up the same way. Exiting then would leave an AZ
 *   dark on every cancelled CI run, so it prints the same leftovers and recover command and KEEPS rolling
 *   back; only SIGKILL (or a second SIGINT) ends the process before the rollback does.
 *
 * Before a command claims the signals (argument parsing, loading its modules) and after it returned, the
 * process-wide fallback (`installSignalFallback`, from cli/main.ts's start) answers them, so no signal is ever
 * left to Node's default of dying without a word or an exit code.
 */
import { ExitCode, interrupted } from './errors.js';

export interface InterruptHandle {
  signal: AbortSignal;
  /**
   * Delivers a signal as if the process had received it. A prompt reading a TTY in raw mode receives Ctrl-C as
   * a keystroke, not as SIGINT: it hands it here, so a typed Ctrl-C and `kill -INT` take the same path.
   */
  raise(sig: NodeJS.Signals): void;
  /**
   * The run's outcome is decided (exit `code`) and only its report is left to write. An interrupt from here on
   * changes nothing: there is no phase left to stop and nothing injected to roll back (a rollback that could
   * not finish is already in `code`, 4). The first signal says so and lets the report files finish — they take
   * milliseconds, and each is written to a temp name and renamed, so none is ever half written; a second one
   * exits at once with that same code.
   */
  decided(code: number): void;
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
  let decided: number | undefined;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (decided !== undefined) {
      if (count === 1) {
        write(`\n${sig} received: the run has ended (exit ${decided}); finishing its report (press Ctrl-C again to exit at once)\n`);
        return;
      }
      write(`\nexiting immediately (exit ${decided}); report files not yet written are missing\n`);
      process.exit(decided);
      return;
    }
    if (count === 1) {
      write(`\n${sig} received: stopping; nothing more is changed, and whatever is injected is rolled back (press Ctrl-C again to exit at once)\n`);
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
    raise: handler,
    decided(code) {
      // When a signal already stopped the run (code 130), the next one is a second signal: exit at once.
      decided = code;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * Awaits `work` unless `signal` aborts first: then rejects at once with `interrupted(message)` (exit 130).
 * For read-only phases (discovery, the capacity snapshot, planning, the prompt) whose calls may hang on a slow
 * or stalled API: an interrupt must not wait for them. The abandoned promise is left to settle on its own
 * (the caller's clients are destroyed at the end of the run); its rejection is swallowed so it can never
 * surface as an unhandled rejection (exit 70) after the run has ended with 130.
 */
export function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(interrupted(message));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted(message));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * `work`'s value, or `fallback` as soon as `signal` aborts (an interrupt during a slow look-up or warm-up stops
 * the caller now, not after it). Without a signal, `work` itself; a rejection of `work` is passed on.
 */
export function orOnAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, fallback: T): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(fallback);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => resolve(fallback);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The process-wide answer to SIGINT/SIGTERM while no command holds them: exit 130 at once (or, once the
 * command has returned, with its decided code, which a late signal must not change). A command that handles
 * signals itself (run's onInterrupt, the sandbox, the probe) owns them while its listener is installed: this
 * one was installed first, so it runs first and stands aside whenever another listener is present.
 */
export function installSignalFallback(decided: () => number | undefined, write: (s: string) => void = safeStderr): void {
  const handler = (sig: NodeJS.Signals) => {
    if (process.listenerCount(sig) > 1) return;
    const code = decided();
    if (code !== undefined) process.exit(code);
    write(`\n${sig} received: exiting\n`);
    process.exit(ExitCode.Interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Writes to stderr, never throwing: stderr may be a closed pipe, and a signal handler must not crash. */
export function safeStderr(s: string): void {
  try {
    process.stderr.write(s);
  } catch {
    // Nowhere left to say it; the report file and the exit code still carry the outcome.
  }
}
