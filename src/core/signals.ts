/**
 * Interrupts. The first SIGINT/SIGTERM aborts the run's signal: the runner stops observing, rolls back
 * whatever is injected, writes the report and exits 130. A second one means "now": it prints what may still
 * be injected and the exact command that undoes it, and exits at once — 4 when something may still be
 * injected (the tags on the AWS resources let `recover` finish the job), else 130.
 */
export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

export interface Leftovers {
  message: string;
  /** True when something may still be injected. */
  injected: boolean;
}

export function onInterrupt(describeLeftovers: () => Leftovers, write: (s: string) => void = (s) => process.stderr.write(s)): InterruptHandle {
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
    write(`\nexiting immediately. ${left.message}\n`);
    process.exit(left.injected ? 4 : 130);
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
