/**
 * The command-line entry: commander wiring and the one error boundary. Commands are imported lazily so
 * `--help` and `--version` never load the AWS SDK or undici. Only this file prints stacks or sets
 * process.exitCode; commands throw ChaosError and return an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ChaosError, ExitCode } from '../core/errors.js';
import { registerCommands } from './commands/index.js';

// chaos-ec2 states its own Node support (engines); the SDK's notice about its future Node floor would only
// add noise to every run's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command()
    .name('chaos-ec2')
    .description('Chaos experiments for EC2 Auto Scaling groups behind a load balancer, with measured time to recovery.')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end with a CommanderError whose exitCode is 0.
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  if (err instanceof ChaosError) {
    const where = err.target ? ` (${err.target})` : '';
    process.stderr.write(`chaos-ec2: ${err.message}${where}\n`);
    if (err.hint) process.stderr.write(`  → ${err.hint}\n`);
    if (process.env.CHAOS_EC2_DEBUG && err.cause) process.stderr.write(`${String((err.cause as Error)?.stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`chaos-ec2: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.GateFailed;
}

const code = await main();
process.exitCode = code;
// The command has returned: its outcome is decided and written. A socket the AWS SDK still holds (a call
// abandoned at the rollback deadline, say) must not keep the process alive past that; the timer is unref'd,
// so a process that drains normally exits at once, with no delay.
setTimeout(() => process.exit(code), 2_000).unref();
