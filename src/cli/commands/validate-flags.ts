import type { Command } from 'commander';

export function addValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check an experiment file (YAML or JSON) without touching AWS: exit 0 valid, 2 invalid')
    .requiredOption('-f, --file <file>', 'experiment file')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { file: string; json?: boolean }) => {
      const { validateCommand } = await import('./validate.js');
      process.exitCode = await validateCommand(flags);
    });
}
