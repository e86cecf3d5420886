/**
 * The command-line entry: commander wiring and the one error boundary. Commands are imported lazily so
 * `--help` and `--version` never load the AWS SDK or undici.
 *
 * Exit codes return here and only here: each command's action hands its code to the `SetExitCode` callback
 * that `main` gives registerCommands (commander's parseAsync does not return what an action returns), and a
 * command that throws is mapped by `exitCodeFor`. `start` — called by bin/chaos-ec2.js — is the one place
 * that sets process.exitCode; it also installs the last resort for exceptions no await caught (exit 70).
 * This module has no side effects on import, so tests can drive `main` in-process.
 */
import { redact } from '../core/redact.js';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ChaosError, describeInternalError, ExitCode, type SetExitCode } from '../core/errors.js';
import { fatalGuardActive } from '../core/fatal.js';
import { installSignalFallback, safeStderr } from '../core/signals.js';
import { registerCommands } from './commands/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The widest help layout (commander's own width when the output is not a terminal). */
export const HELP_WIDTH = 80;

export type Register = (program: Command, setExitCode: SetExitCode) => void;

export function buildProgram(setExitCode: SetExitCode, register: Register = registerCommands): Command {
  const program = new Command()
    .name('chaos-ec2')
    .description('Chaos experiments for EC2 Auto Scaling groups behind a load balancer, with measured time to recovery.')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      // commander prints its own usage errors (a bad argument quoted back): through the redactor like ours.
      writeErr: (s) => process.stderr.write(redact(s)),
      // Help is laid out for 80 columns (or a narrower terminal): the same text in a terminal, a pipe and the
      // README, which is what lets bin/chaos-ec2.js print the help generated at build time without loading
      // this module (scripts/help-text.mjs; test/e2e/help-fast-path.test.ts proves the two identical).
      getOutHelpWidth: () => Math.min((process.stdout.isTTY && process.stdout.columns) || HELP_WIDTH, HELP_WIDTH),
    })
    .exitOverride();
  register(program, setExitCode);
  return program;
}

export interface MainOptions {
  /** The command table (tests pass their own to reach the boundary with a given outcome). */
  register?: Register;
  stderr?: (s: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Parses `argv`, runs the command, and returns its exit code; never throws. */
export async function main(argv: string[] = process.argv, opts: MainOptions = {}): Promise<number> {
  // A command that returns without handing over a code (--help, --version) ends with 0.
  let code: number = ExitCode.Ok;
  const program = buildProgram((c) => {
    code = c;
  }, opts.register);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    // The one error boundary is also a secrets boundary: whatever a message quotes, noted secrets never print.
    const write = opts.stderr ?? ((s: string) => process.stderr.write(s));
    return exitCodeFor(err, (s) => write(redact(s)), opts.env ?? process.env);
  }
}

/**
 * The error boundary: a ChaosError is one line (plus its hint) and its own code; a commander error is a usage
 * error (already printed by commander); anything else is a bug — exit 70 with a request for a bug report,
 * never 1, which CI reads as "a gate failed".
 */
export function exitCodeFor(err: unknown, write: (s: string) => void, env: NodeJS.ProcessEnv = process.env): number {
  if (err instanceof CommanderError) {
    // --help and --version end with a CommanderError whose exitCode is 0.
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  if (err instanceof ChaosError) {
    const where = err.target ? ` (${err.target})` : '';
    write(`chaos-ec2: ${err.message}${where}\n`);
    if (err.hint) write(`  → ${err.hint}\n`);
    if (env.CHAOS_EC2_DEBUG && err.cause) write(`${err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : JSON.stringify(err.cause)}\n`);
    return err.exitCode;
  }
  write(describeInternalError(err, { debug: Boolean(env.CHAOS_EC2_DEBUG) }));
  return ExitCode.Internal;
}

/**
 * The last resort for an exception no await caught (a throwing timer callback, a stray rejection): without
 * it Node prints a stack and exits 1, which CI reads as "a gate failed". It is a bug: exit 70 with the
 * bug-report request. Two things outrank it:
 * - while something is injected, core/fatal.ts's guard is listening too and owns the exit (it rolls back
 *   first), so this one stands aside;
 * - once the command has returned, its code stands (`decided`): a 4 (still injected) must never become 70.
 */
export function installLastResort(decided: () => number | undefined, write: (s: string) => void = safeStderr): void {
  const handler = (err: unknown) => {
    if (fatalGuardActive()) return;
    write(redact(describeInternalError(err, { debug: Boolean(process.env.CHAOS_EC2_DEBUG) })));
    process.exit(decided() ?? ExitCode.Internal);
  };
  process.on('uncaughtException', handler);
  process.on('unhandledRejection', handler);
}

/** The process entry (bin/chaos-ec2.js): runs `main` and sets the exit code, the only place that does. */
export async function start(): Promise<void> {
  // chaos-ec2 states its own Node support (engines); the SDK's notice about its future Node floor would only
  // add noise to every run's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Read by the last-resort handler: undefined until the command has returned its code.
  let decided: number | undefined = undefined;
  installLastResort(() => decided);
  // From here on no SIGINT/SIGTERM kills the process silently: a command that handles them (run) takes them
  // over; before it does, and after it returned, the fallback exits 130 (or with the decided code).
  installSignalFallback(() => decided);
  const code = await main();
  decided = code;
  process.exitCode = code;
  // The command has returned: its outcome is decided and written. A socket the AWS SDK still holds (a call
  // abandoned at the rollback deadline, say) must not keep the process alive past that; the timer is unref'd,
  // so a process that drains normally exits at once, with no delay.
  setTimeout(() => process.exit(code), 2_000).unref();
}
