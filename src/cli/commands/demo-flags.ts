import { Option, type Command } from 'commander';
import { parseIntFlag } from '../flags.js';
import { DEFAULT_FAULT, FAULT_KINDS } from '../../faults/catalog.js';
import type { DemoFlags } from './demo.js';
import type { SetExitCode } from '../../core/errors.js';

export function addDemoCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('demo')
    .description('run a complete experiment against an embedded local sandbox: no AWS account needed, under a minute')
    .option('--instances <n>', 'instances in the demo group', parseIntFlag('--instances', 2, 50), 4)
    .addOption(new Option('--fault <kind>', 'fault to inject').choices([...FAULT_KINDS]).default(DEFAULT_FAULT))
    .option('--count <n>', 'instance faults: instances to hit', parseIntFlag('--count', 1, 10))
    .option('--format <list>', 'report files besides report.json: md,junit,html')
    .option('--rate <n>', 'probe requests per second', '50')
    .option('--seed <seed>', 'seed for the random selection')
    .option('--report-dir <dir>', 'where the report goes (default ./chaos-reports)')
    .option('--json', 'print the JSON report alone on stdout')
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('./demo.js');
      setExitCode(await runDemo(flags));
    });
}
