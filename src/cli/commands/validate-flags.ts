import type { Command } from 'commander';
import type { SetExitCode } from '../../core/errors.js';

export function addValidateCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('validate')
    .description('check an experiment file (YAML or JSON) without touching AWS: exit 0 valid, 2 invalid')
    .requiredOption('-f, --file <file>', 'experiment file')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { file: string; json?: boolean }) => {
      const { validateCommand } = await import('./validate.js');
      setExitCode(await validateCommand(flags));
    });
}
