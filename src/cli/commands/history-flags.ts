import type { Command } from 'commander';
import { parseIntFlag } from '../flags.js';
import type { SetExitCode } from '../../core/errors.js';

export function addHistoryCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('history')
    .description('past runs from the report directory, newest first, with a recovery-time trend per group and fault')
    .argument('[dir]', 'report directory (default: CHAOS_EC2_REPORT_DIR or ./chaos-reports)')
    .option('--last <n>', 'runs per trend window', parseIntFlag('--last', 1, 100), 3)
    .option('--json', 'print runs and trends as JSON')
    .action(async (dir: string | undefined, flags: { json?: boolean; last: number }) => {
      const { historyCommand } = await import('./history.js');
      setExitCode(await historyCommand(dir ?? process.env.CHAOS_EC2_REPORT_DIR ?? './chaos-reports', flags));
    });
}
