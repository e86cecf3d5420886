/**
 * Interrupts. The first SIGINT/SIGTERM aborts the run's signal: the runner stops observing, rolls back
 * whatever is injected, writes the report and exits 130. A second SIGINT means "now": it prints what may
 * still be injected and how to undo it, and exits at once — the tags on AWS resources let `recover` finish.
 */
export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(describeLeftovers: () => string, write: (s: string) => void = (s) => process.stderr.write(s)): InterruptHandle {
  const ac = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      write(`\n${sig} received: stopping, rolling back and writing the report (press Ctrl-C again to exit at once)\n`);
      ac.abort(new Error(sig));
      return;
    }
    write(`\nexiting immediately. ${describeLeftovers()}\n`);
    process.exit(130);
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
