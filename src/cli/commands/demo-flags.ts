/**
 * `chaos-ec2 demo` flags: the run options it passes on (same definitions, parsers and limits as `run`), with
 * demo defaults, plus the size of the demo group. demo.ts hands them to validateRunOptions with the
 * fault's demo timings.
 */
import type { Command } from 'commander';
import { boolean, int, type OptionDef } from '../../core/options.js';
import type { SetExitCode } from '../../core/errors.js';
import { COUNT } from '../../faults/options.js';
import { FAULT, FORMAT, JSON_OUT, RATE, REPORT_DIR, SEED } from '../../experiment/run-options.js';
import { addOptions } from '../options.js';
import type { DemoFlags } from './demo.js';

// The sandbox runs every instance as an HTTP server in this process: 50 keeps the demo under a minute.
const INSTANCES: OptionDef<number> = { name: 'instances', flag: '--instances', arg: '<n>', parser: int(2, 50), default: 4, help: 'instances in the demo group' };

// The production shape: HTTPS for the service's own name, the forward in a host-header rule (sandbox --https).
const HTTPS: OptionDef<boolean> = {
  name: 'https',
  flag: '--https',
  parser: boolean(),
  default: false,
  help: 'HTTPS demo stack: certificate for shop.example.test from a sandbox CA, a host-header rule forwarding',
};

const DEMO_OPTIONS: readonly OptionDef[] = [INSTANCES, FAULT, COUNT, FORMAT, { ...RATE, default: 50 }, SEED, { ...REPORT_DIR, defaultText: './chaos-reports' }, JSON_OUT, HTTPS];

export function addDemoCommand(program: Command, setExitCode: SetExitCode): void {
  addOptions(program.command('demo'), DEMO_OPTIONS, { parse: true })
    .description('run a complete experiment against an embedded local sandbox: no AWS account needed, under a minute')
    .action(async (flags: DemoFlags) => {
      const { runDemo } = await import('./demo.js');
      setExitCode(await runDemo(flags));
    });
}
