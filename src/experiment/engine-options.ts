/**
 * The engine options (one block of the run option table): `--engine local|fis`, the FIS role, and whether the
 * experiment template outlives the run. `--engine fis` without `--fis-role-arn` is a usage error (exit 2,
 * config.ts): FIS needs a role it can assume to act, and guessing one is not safe.
 */
import { boolean, choice, text, type OptionDef } from '../core/options.js';

export const ENGINES = ['local', 'fis'] as const;
export type EngineKind = (typeof ENGINES)[number];

export const ENGINE: OptionDef<string> = {
  name: 'engine',
  flag: '--engine',
  arg: '<engine>',
  parser: choice(ENGINES),
  default: 'local',
  help: "who injects and reverts the fault: local (chaos-ec2's own AWS calls) | fis (an AWS FIS experiment; needs --fis-role-arn)",
  file: { section: 'fault' },
};

export const FIS_ROLE_ARN: OptionDef<string> = {
  name: 'fisRoleArn',
  flag: '--fis-role-arn',
  arg: '<arn>',
  parser: text({ pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, expect: 'an IAM role ARN arn:aws:iam::ACCOUNT:role/NAME' }),
  help: 'the role AWS FIS assumes to inject and revert (--engine fis; see `chaos-ec2 iam-policy --engine fis`)',
  file: { section: 'fault' },
};

export const KEEP_TEMPLATE: OptionDef<boolean> = {
  name: 'keepTemplate',
  flag: '--keep-template',
  parser: boolean(),
  default: false,
  help: 'keep the FIS experiment template after the run (--engine fis; deleted by default)',
  file: { section: 'fault' },
};

export const ENGINE_OPTIONS: readonly OptionDef[] = [ENGINE, FIS_ROLE_ARN, KEEP_TEMPLATE];

/** Cross-option checks of the engine block, one line each (config.ts adds them to the list of problems). */
export function engineProblems(values: Record<string, unknown>, given: ReadonlySet<string>): string[] {
  const out: string[] = [];
  if (values.engine === 'fis' && values.fisRoleArn === undefined) out.push('--engine fis: needs --fis-role-arn (the role AWS FIS assumes; see chaos-ec2 iam-policy --engine fis)');
  if (values.engine !== 'fis') {
    for (const def of [FIS_ROLE_ARN, KEEP_TEMPLATE]) if (given.has(def.name)) out.push(`${def.flag}: only with --engine fis`);
  }
  return out;
}
