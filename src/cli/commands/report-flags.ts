import type { Command } from 'commander';
import type { ReportFlags } from './report.js';
import type { SetExitCode } from '../../core/errors.js';

export function addReportCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('report')
    .description('re-render a saved report.json: terminal summary, or files with --format json,md,junit,html')
    .argument('<report.json>', 'a report written by chaos-ec2 run')
    .option('--format <list>', 'formats to write: json,md,junit,html (without it: print the summary)')
    .option('--out <dir>', "where to write (<dir>/<id>/...; default: beside the report); '-' prints one format")
    .action(async (file: string, flags: ReportFlags) => {
      const { reportCommand } = await import('./report.js');
      setExitCode(await reportCommand(file, flags));
    });
}
