/**
 * The MFA code a profile with `mfa_serial` needs before its AssumeRole. On a TTY the operator types it (a code
 * lives 30 seconds, so echoing it is harmless); without a TTY nobody can answer, and waiting would hang a CI
 * job, so the run is refused at once — before any AWS call, since the SDK asks for the code before AssumeRole.
 */
import { createInterface } from 'node:readline';
import { usageError } from '../core/errors.js';

export function mfaPrompt(profile: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr): (serial: string) => Promise<string> {
  return (serial) => {
    if (!input.isTTY) {
      return Promise.reject(
        usageError(
          `profile ${profile} needs an MFA code (mfa_serial ${serial}) and stdin is not a TTY: nobody can type it`,
          'run on a terminal, or export session credentials from `aws sts get-session-token --serial-number … --token-code …` (or a role assumed with them) and run without the MFA profile',
        ),
      );
    }
    return new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input, output });
      let answered = false;
      rl.on('close', () => {
        if (!answered) reject(usageError(`no MFA code given for profile ${profile} (mfa_serial ${serial})`));
      });
      rl.question(`MFA code for ${serial} (profile ${profile}): `, (answer) => {
        answered = true;
        rl.close();
        const code = answer.trim();
        if (/^\d{6}$/.test(code)) resolve(code);
        else reject(usageError(`MFA code for profile ${profile}: '${code}' is not a 6-digit code`));
      });
    });
  };
}
