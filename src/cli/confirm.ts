/**
 * Confirmation before any mutation. On a TTY the operator must type "yes"; without a TTY there is nobody to
 * ask, so the answer is no and the caller must pass --yes explicitly.
 *
 * Every way out of the prompt is an answer, never an exception: "yes" is yes; anything else, Ctrl-D (end of
 * input) or a closed terminal is no (the run refuses: exit 3, "not confirmed"). An interrupt is no as well,
 * and the caller tells it apart by its signal: a SIGINT/SIGTERM from outside aborts `signal`, which closes
 * the prompt at once; a Ctrl-C typed at the prompt arrives as a keystroke (readline reads the TTY in raw
 * mode, where the terminal raises no SIGINT), so it is handed to `onCtrlC`, which raises the same interrupt.
 * Whatever ends it, the prompt is closed, which gives the terminal back its normal mode.
 */
import { createInterface } from 'node:readline';

export interface ConfirmOptions {
  /** The run's interrupt: once aborted, the prompt closes and the answer is no. */
  signal?: AbortSignal;
  /** Ctrl-C typed at the prompt (called after the prompt closed with no); without it, Ctrl-C is just no. */
  onCtrlC?: () => void;
}

export function confirmOnTty(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr, opts: ConfirmOptions = {}): Promise<boolean> {
  const { signal, onCtrlC } = opts;
  if (!input.isTTY || signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const rl = createInterface({ input, output });
    let settled = false;
    const finish = (yes: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      rl.close();
      resolve(yes);
    };
    const onAbort = () => finish(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Ctrl-D on an empty line, or the terminal going away, closes the interface: no answer is no.
    rl.on('close', () => finish(false));
    rl.on('SIGINT', () => {
      finish(false);
      onCtrlC?.();
    });
    rl.question(`${question} Type 'yes' to continue: `, (answer) => finish(answer.trim().toLowerCase() === 'yes'));
  });
}
