/**
 * Typed errors and the exit-code table. Commands throw ChaosError; only cli/main.ts turns one into
 * output and a process exit code (one error boundary), so the table below is the single source of truth.
 */
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
  /** Interrupted; everything injected was rolled back. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type Phase =
  | 'config'
  | 'discover'
  | 'steady-state'
  | 'plan'
  | 'confirm'
  | 'inject'
  | 'observe'
  | 'rollback'
  | 'report'
  | 'recover'
  | 'sandbox';

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

export const usageError = (message: string, hint?: string): ChaosError =>
  new ChaosError(ExitCode.Usage, message, { phase: 'config', hint });

export const refused = (message: string, opts: ChaosErrorOptions = {}): ChaosError =>
  new ChaosError(ExitCode.Refused, message, opts);

/** The operator interrupted (SIGINT/SIGTERM): stop before the next mutation, roll back, exit 130. */
export const interrupted = (message: string, opts: ChaosErrorOptions = {}): ChaosError =>
  new ChaosError(ExitCode.Interrupted, message, opts);

/** Throws `interrupted` when the run's signal is aborted: called right before every mutating AWS call. */
export function throwIfInterrupted(signal: AbortSignal | undefined, before: string, phase: Phase = 'inject'): void {
  if (signal?.aborted) throw interrupted(`interrupted before ${before}; stopping`, { phase });
}
