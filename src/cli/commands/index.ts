/**
 * The command table. Each command's module is imported only when that command runs, so start-up stays
 * light (no AWS SDK, no undici for --help).
 */
import type { Command } from 'commander';
import { addDemoCommand } from './demo-flags.js';
import { addRunCommand } from './run-flags.js';
import { addProbeCommand } from './probe-flags.js';
import { addRecoverCommand } from './recover-flags.js';
import { addSandboxCommand } from './sandbox-flags.js';
import { addReportCommand } from './report-flags.js';
import { addValidateCommand } from './validate-flags.js';
import { addHistoryCommand } from './history-flags.js';
import { addIamPolicyCommand } from './iam-policy-flags.js';

export function registerCommands(program: Command): void {
  addRunCommand(program);
  addDemoCommand(program);
  addProbeCommand(program);
  addRecoverCommand(program);
  addSandboxCommand(program);
  addReportCommand(program);
  addValidateCommand(program);
  addHistoryCommand(program);
  addIamPolicyCommand(program);
}
