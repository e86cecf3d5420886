/**
 * The confirmation prompt (src/cli/confirm.ts) on a fake terminal: readline reads it in raw mode, as on a real
 * TTY, so Ctrl-C and Ctrl-D arrive as keystrokes. Every way out is an answer, never an exception, and the
 * terminal always gets its normal mode back.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { confirmOnTty } from '../../src/cli/confirm.js';

/** A TTY-like input whose raw mode is recorded, and a TTY-like output that keeps what was written. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, isRaw: false, modes: [] as boolean[] }) as PassThrough & {
    isTTY: boolean;
    isRaw: boolean;
    modes: boolean[];
    setRawMode(m: boolean): unknown;
  };
  input.setRawMode = (m: boolean) => {
    input.isRaw = m;
    input.modes.push(m);
    return input;
  };
  let written = '';
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  output.on('data', (d: Buffer) => (written += d.toString()));
  return { input: input as unknown as NodeJS.ReadStream & { isRaw: boolean; modes: boolean[] }, output, written: () => written };
}

/** Types once the question is on screen (readline has put the terminal in raw mode by then). */
async function answer(t: ReturnType<typeof terminal>, keys: string, opts: Parameters<typeof confirmOnTty>[3] = {}) {
  const p = confirmOnTty('Inject?', t.input, t.output, opts);
  await vi.waitFor(() => expect(t.written()).toContain("Inject? Type 'yes' to continue: "));
  t.input.write(keys);
  return p;
}

describe('confirmOnTty', () => {
  it("'yes' (any case, spaces around) is yes; anything else is no", async () => {
    await expect(answer(terminal(), ' YES \r')).resolves.toBe(true);
    await expect(answer(terminal(), 'y\r')).resolves.toBe(false);
  });

  it('Ctrl-D (end of input) is no, and the terminal leaves raw mode', async () => {
    const t = terminal();
    await expect(answer(t, '\x04')).resolves.toBe(false);
    expect(t.input.modes.at(-1)).toBe(false);
  });

  it('Ctrl-C is no, handed to onCtrlC after the prompt closed (raw mode turned it into a keystroke)', async () => {
    const t = terminal();
    const onCtrlC = vi.fn(() => expect(t.input.isRaw).toBe(false));
    await expect(answer(t, '\x03', { onCtrlC })).resolves.toBe(false);
    expect(onCtrlC).toHaveBeenCalledTimes(1);
  });

  it('an interrupt from outside (the signal aborts) closes the waiting prompt at once: no', async () => {
    const t = terminal();
    const ac = new AbortController();
    const p = confirmOnTty('Inject?', t.input, t.output, { signal: ac.signal });
    await vi.waitFor(() => expect(t.input.isRaw).toBe(true));
    ac.abort();
    await expect(p).resolves.toBe(false);
    expect(t.input.isRaw).toBe(false);
    // A "yes" typed after the interrupt is nobody's answer.
    t.input.write('yes\r');
  });

  it('no prompt at all when already interrupted, or when stdin is not a TTY', async () => {
    const t = terminal();
    const ac = new AbortController();
    ac.abort();
    await expect(confirmOnTty('Inject?', t.input, t.output, { signal: ac.signal })).resolves.toBe(false);
    const notTty = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    await expect(confirmOnTty('Inject?', notTty, t.output)).resolves.toBe(false);
    expect(t.written()).toBe('');
  });
});
