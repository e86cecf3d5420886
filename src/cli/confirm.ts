/**
 * Confirmation before any mutation. On a TTY the operator must type "yes"; without a TTY there is nobody to
 * ask, so the answer is no and the caller must pass --yes explicitly.
 */
import { createInterface } from 'node:readline/promises';

export async function confirmOnTty(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<boolean> {
  if (!input.isTTY) return false;
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(`${question} Type 'yes' to continue: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
