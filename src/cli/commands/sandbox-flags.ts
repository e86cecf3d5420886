import { Option, type Command } from 'commander';
import { parseIntFlag } from '../flags.js';
import type { SetExitCode } from '../../core/errors.js';
import type { SandboxFlags } from './sandbox.js';

export function addSandboxCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('sandbox')
    .description('start a local AWS-compatible endpoint (EC2, Auto Scaling, ELBv2, STS) with a sample stack and a real data plane')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', parseIntFlag('--port', 0, 65535), 4566)
    .addOption(new Option('--profile <name>', 'timing profile').choices(['fast', 'realistic']).default('fast'))
    .option('--instances <n>', 'desired capacity of the sample group demo-asg', parseIntFlag('--instances', 1, 500), 4)
    .option('--azs <n>', 'Availability Zones of the sample stack', parseIntFlag('--azs', 1, 6), 3)
    .option('--region <region>', 'region the sandbox pretends to be', 'us-east-1')
    .option('--account-id <id>', 'account id returned by STS', '123456789012')
    .option('--seed <seed>', "seed for the sandbox's own randomness (which API calls the apiErrorRate knob fails)")
    .option('--https', 'production shape: an HTTPS listener for shop.example.test (certificate from a sandbox CA written to a temp file), 404 by default, a host-header rule forwarding')
    .action(async (flags: SandboxFlags) => {
      const { runSandbox } = await import('./sandbox.js');
      setExitCode(await runSandbox(flags));
    });
}
