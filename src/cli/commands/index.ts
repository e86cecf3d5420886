/**
 * The command table. Each command's module is imported only when that command runs, so start-up stays
 * light (no AWS SDK, no undici for --help).
 */
import type { Command } from 'commander';
import type { SetExitCode } from '../../core/errors.js';
import { addDemoCommand } from './demo-flags.js';
import { addRunCommand } from './run-flags.js';
import { addProbeCommand } from './probe-flags.js';
import { addRecoverCommand } from './recover-flags.js';
import { addSandboxCommand } from './sandbox-flags.js';
import { addReportCommand } from './report-flags.js';
import { addValidateCommand } from './validate-flags.js';
import { addHistoryCommand } from './history-flags.js';
import { addIamPolicyCommand } from './iam-policy-flags.js';

/** Adds every command; each hands its exit code to `setExitCode` (cli/main.ts reads it: one boundary). */
export function registerCommands(program: Command, setExitCode: SetExitCode): void {
  addRunCommand(program, setExitCode);
  addDemoCommand(program, setExitCode);
  addProbeCommand(program, setExitCode);
  addRecoverCommand(program, setExitCode);
  addSandboxCommand(program, setExitCode);
  addReportCommand(program, setExitCode);
  addValidateCommand(program, setExitCode);
  addHistoryCommand(program, setExitCode);
  addIamPolicyCommand(program, setExitCode);
}
