/**
 * The command table. Each command's module is imported only when that command runs, so start-up stays
 * light (no AWS SDK, no undici for --help).
 */
import type { Command } from 'commander';
import { addSandboxCommand } from './sandbox-flags.js';

export function registerCommands(program: Command): void {
  addSandboxCommand(program);
}
