/**
 * `chaos-ec2 sandbox`: runs the sandbox in the foreground with the sample stack until Ctrl-C.
 */
import { startSandbox } from '../../sandbox/server.js';
import type { SandboxFlags } from './sandbox-flags.js';

export async function runSandbox(flags: SandboxFlags): Promise<number> {
  const sb = await startSandbox({ port: flags.port, profile: flags.profile, region: flags.region, accountId: flags.accountId });
  process.stdout.write(`chaos-ec2 sandbox listening on ${sb.endpoint} (profile ${flags.profile})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sb.close();
  process.stdout.write('sandbox stopped\n');
  return 0;
}
