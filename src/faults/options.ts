/**
 * Options shared by several faults, declared once. A fault lists the ones it accepts in its meta.ts (with a
 * line of help in its own words); which faults accept an option is derived from those lists (catalog.ts),
 * so an option given for a fault that does not take it is a usage error naming the faults that do.
 */
import { duration, int, number, text, type OptionDef } from '../core/options.js';
import type { FaultOption } from './fault-meta.js';

// A selection beyond a few thousand instances is a typo, not an experiment (an Auto Scaling group's default
// quota is far below it); the plan still clamps it to the group's eligible members and the capacity floor.
export const COUNT: OptionDef<number> = {
  name: 'count',
  flag: '--count',
  arg: '<n>',
  parser: int(1, 10_000),
  defaultText: '1, unless --percent',
  help: 'instances to hit',
  file: { section: 'fault' },
  conflicts: ['percent'],
};

export const PERCENT: OptionDef<number> = {
  name: 'percent',
  flag: '--percent',
  arg: '<p>',
  parser: number(1, 100),
  help: 'share of the healthy InService instances to hit (1-100, rounded down, at least 1)',
  file: { section: 'fault' },
};

export const AZ: OptionDef<string> = {
  name: 'az',
  flag: '--az',
  arg: '<zone>',
  parser: text(),
  help: 'Availability Zone',
  file: { section: 'fault' },
};

// 12 h is the longest hold AWS FIS allows an action (PT12H); it also keeps the hold timer far below
// Node's 2^31-1 ms ceiling. At least 1 s: a shorter hold cannot be observed by the per-second probe.
export const DURATION: OptionDef<number> = {
  name: 'duration',
  flag: '--duration',
  arg: '<duration>',
  parser: duration(1000, 12 * 3_600_000),
  default: 60_000,
  help: 'how long the fault is held before it is rolled back (1s-12h)',
  file: { section: 'fault' },
  field: 'durationMs',
};

/** For the instance faults (terminate, stop): how many instances, and where. */
export const INSTANCE_SELECTION: readonly FaultOption[] = [{ def: COUNT, help: 'instances to hit' }, { def: PERCENT }, { def: AZ, help: 'only pick instances in this AZ' }];
