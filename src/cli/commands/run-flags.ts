/**
 * `chaos-ec2 run` flags, generated from the option table (experiment/run-options.ts and each fault's own
 * options). Values arrive as typed strings and are validated together by experiment/config.ts (all problems
 * at once), the same validator an experiment file's values go through.
 */
import type { Command } from 'commander';
import { text, type OptionDef } from '../../core/options.js';
import type { SetExitCode } from '../../core/errors.js';
import { RUN_OPTIONS } from '../../experiment/run-options.js';
import { addOptions } from '../options.js';

/** `-f`: the one flag that is not a run option (an experiment file cannot name another file). */
const FILE: OptionDef<string> = {
  name: 'file',
  flag: '--file',
  short: '-f',
  arg: '<path>',
  parser: text(),
  help: 'run the experiments of a YAML/JSON experiment file in order (other flags override the file)',
};

export const RUN_FLAGS: readonly OptionDef[] = [FILE, ...RUN_OPTIONS];

export function addRunCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program.command('run').description('inject a fault into an Auto Scaling group, probe its load balancer under load, and measure time to recovery');
  addOptions(cmd, RUN_FLAGS, { parse: false });
  cmd.action(async (opts: Record<string, string | boolean | string[] | undefined>) => {
    // An experiment file runs each of its experiments through run.ts; a plain run goes there directly.
    if (typeof opts.file === 'string') {
      const { runExperimentFile } = await import('./run-file.js');
      const { file, ...overrides } = opts;
      setExitCode(await runExperimentFile(file, overrides));
      return;
    }
    const { runCommand } = await import('./run.js');
    setExitCode(await runCommand(opts));
  });
}
