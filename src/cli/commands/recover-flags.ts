/**
 * `chaos-ec2 recover` flags as data. The command module (and with it the AWS SDK) is imported only when the
 * command runs.
 */
import type { Command } from 'commander';
import type { SetExitCode } from '../../core/errors.js';

export const RECOVER_FLAGS: { flags: string; description: string }[] = [
  { flags: '--experiment-id <id>', description: 'undo this experiment' },
  { flags: '--all', description: 'undo every chaos-ec2 experiment found in the account and region' },
  { flags: '--expired', description: 'undo only experiments whose chaos-ec2:expires-at time has passed' },
  { flags: '--region <region>', description: 'AWS region (else AWS_REGION / profile)' },
  { flags: '--profile <name>', description: 'AWS profile (else AWS_PROFILE)' },
  { flags: '--endpoint-url <url>', description: 'AWS endpoint, e.g. a chaos-ec2 sandbox (else AWS_ENDPOINT_URL)' },
  { flags: '--report-dir <dir>', description: 'where run journals are (used for extra detail when present; else CHAOS_EC2_REPORT_DIR or ./chaos-reports)' },
  { flags: '--dry-run', description: 'print what would be restored and deleted; change nothing' },
  { flags: '-y, --yes', description: 'do not ask for confirmation (required when stdin is not a TTY)' },
];

export function addRecoverCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('recover')
    .description('find what chaos-ec2 left injected (chaos network ACLs, by tag), put every subnet back on its original NACL, verify, and delete the chaos NACLs');
  for (const f of RECOVER_FLAGS) cmd.option(f.flags, f.description);
  cmd.action(async (opts: Record<string, string | boolean | undefined>) => {
    const { recoverCommand } = await import('./recover.js');
    setExitCode(await recoverCommand(opts));
  });
}
