/**
 * Typed errors and the exit-code table. Commands throw ChaosError; only cli/main.ts turns one into
 * output and a process exit code (one error boundary), so the table below is the single source of truth.
 */
import { readFileSync } from 'node:fs';

export const ExitCode = {
  Ok: 0,
  /**
   * A gate failed, or the service/capacity did not recover before the timeout — or the run failed AFTER
   * something was injected (an AWS error or a refusal mid-injection) and everything was rolled back.
   */
  GateFailed: 1,
  /** Usage or configuration error; nothing was touched. */
  Usage: 2,
  /** Refused before injecting: steady state not met, safety guard, blast radius, capacity floor. */
  Refused: 3,
  /** Rollback incomplete: something may still be injected. */
  RollbackIncomplete: 4,
  /** AWS error before injecting (credentials, permissions, API). */
  AwsError: 5,
  /**
   * Internal error: a bug in chaos-ec2 (an exception that is neither a ChaosError nor a usage error), sysexits'
   * EX_SOFTWARE. Never 1, so a CI job cannot mistake a crash for a failed gate. Rollback still ran.
   */
  Internal: 70,
  /** Interrupted; everything injected was rolled back. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * How a command hands its exit code to the one boundary (cli/main.ts): commander's parseAsync does not
 * return what an action returns, so main passes each command this callback and reads what it was given.
 */
export type SetExitCode = (code: number) => void;

export type Phase = 'config' | 'discover' | 'steady-state' | 'plan' | 'confirm' | 'inject' | 'observe' | 'rollback' | 'report' | 'recover' | 'sandbox';

export interface ChaosErrorOptions {
  phase?: Phase;
  /** The AWS resource the error is about (`i-…`, `subnet-…`, an ASG name). */
  target?: string;
  /** What the user should do next; printed after the message. */
  hint?: string;
  cause?: unknown;
}

export class ChaosError extends Error {
  readonly exitCode: ExitCode;
  readonly phase: Phase | undefined;
  readonly target: string | undefined;
  readonly hint: string | undefined;

  constructor(exitCode: ExitCode, message: string, opts: ChaosErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ChaosError';
    this.exitCode = exitCode;
    this.phase = opts.phase;
    this.target = opts.target;
    this.hint = opts.hint;
  }
}

export const usageError = (message: string, hint?: string): ChaosError => new ChaosError(ExitCode.Usage, message, { phase: 'config', hint });

export const refused = (message: string, opts: ChaosErrorOptions = {}): ChaosError => new ChaosError(ExitCode.Refused, message, opts);

/** The operator interrupted (SIGINT/SIGTERM): stop before the next mutation, roll back, exit 130. */
export const interrupted = (message: string, opts: ChaosErrorOptions = {}): ChaosError => new ChaosError(ExitCode.Interrupted, message, opts);

/** Throws `interrupted` when the run's signal is aborted: called right before every mutating AWS call. */
export function throwIfInterrupted(signal: AbortSignal | undefined, before: string, phase: Phase = 'inject'): void {
  if (signal?.aborted) throw interrupted(`interrupted before ${before}; stopping`, { phase });
}

/**
 * A failed system call as the end of a sentence that already names the path: `no such file or directory
 * (ENOENT)` rather than Node's `ENOENT: no such file or directory, mkdir '/x'`.
 */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e?.code || typeof e.message !== 'string') return String(e?.message ?? err);
  return `${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${e.code})`;
}

/** The package's version and where its bugs go (package.json `bugs`/`repository` when it names them). */
function packageInfo(): { version: string; issues: string } {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
      bugs?: string | { url?: string };
      repository?: string | { url?: string };
    };
    const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
    const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const issues = bugs ?? (repo ? `${repo.replace(/^git\+/, '').replace(/\.git$/, '')}/issues` : undefined);
    return { version: pkg.version ?? 'unknown', issues: issues ?? "the chaos-ec2 repository's issue tracker" };
  } catch {
    // Reporting a bug must not fail on a second one.
    return { version: 'unknown', issues: "the chaos-ec2 repository's issue tracker" };
  }
}

/**
 * The line asking for a bug report, with the version and where to report it; the stack follows only when
 * asked for (`debug`, CHAOS_EC2_DEBUG) — a stack is noise to an operator, and it can carry paths they would
 * rather not paste into an issue.
 */
export function bugReportRequest(err: unknown, opts: { debug?: boolean } = {}): string {
  const { version, issues } = packageInfo();
  const line = `  → this is a bug in chaos-ec2 ${version}: please report it at ${issues} with the command you ran and this output${opts.debug ? '' : ' (set CHAOS_EC2_DEBUG=1 to include the stack)'}\n`;
  return opts.debug ? `${line}${err instanceof Error && err.stack ? err.stack : String(err)}\n` : line;
}

/** What an internal error (a bug: anything that is not a ChaosError) prints: its message on one line, then the bug report request. */
export function describeInternalError(err: unknown, opts: { debug?: boolean } = {}): string {
  const raw = err instanceof Error ? err.message || err.name : String(err);
  const message = raw.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
  return `chaos-ec2: internal error: ${message}\n${bugReportRequest(err, opts)}`;
}
