/**
 * Scheduled actions (PutScheduledUpdateGroupAction / DescribeScheduledActions / DeleteScheduledAction): at
 * its time an action sets the group's MinSize / MaxSize / DesiredCapacity.
 *
 * AWS behaviour followed (Auto Scaling user guide, "Scheduled scaling for Amazon EC2 Auto Scaling",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html; API reference
 * PutScheduledUpdateGroupAction, DescribeScheduledActions):
 * - a one-time action runs at StartTime and is then gone (DescribeScheduledActions lists only actions that
 *   have not run); a recurring one (Recurrence, cron in UTC) runs at each match between StartTime and EndTime,
 *   and DescribeScheduledActions shows its next run as StartTime;
 * - sizes left out of the action stay; a desired left out is kept within the new min/max;
 * - while ScheduledActions is suspended, actions whose time passes are skipped, not run late on resume
 *   ("Suspend and resume processes", understand-how-suspending-processes-affects-other-processes).
 * Not modelled: TimeZone (cron is read in UTC).
 */
import type { SandboxContext } from '../context.js';
import type { AutoScalingGroup } from '../world/types.js';
import type { World } from '../world/world.js';
import { groupCauses } from './causes.js';
import { recordDesiredChange } from './desired.js';

export interface ScheduledAction {
  name: string;
  asgName: string;
  arn: string;
  /** The next run (for a recurring action, its next cron match at or after its StartTime). */
  startTime: Date;
  endTime?: Date;
  recurrence?: string;
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
  timeZone?: string;
}

const stores = new WeakMap<World, Map<string, ScheduledAction>>();

/** Every scheduled action in this world, keyed `<group>\n<name>`. */
export function scheduledActionsOf(world: World): Map<string, ScheduledAction> {
  let m = stores.get(world);
  if (!m) stores.set(world, (m = new Map<string, ScheduledAction>()));
  return m;
}

export const actionKey = (asgName: string, name: string): string => `${asgName}\n${name}`;

// ── cron (minute hour day-of-month month day-of-week, UTC) ───────────────────────────────────────────
const FIELDS: [min: number, max: number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

/** The allowed values of each of the five fields, or undefined when the expression is not valid cron. */
export function parseCron(expr: string): Set<number>[] | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return undefined;
  const sets: Set<number>[] = [];
  for (const [i, part] of parts.entries()) {
    const [lo, hi] = FIELDS[i]!;
    const set = new Set<number>();
    for (const item of part.split(',')) {
      const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) return undefined;
      const range = m[1]!;
      const step = m[2] ? Number(m[2]) : 1;
      // `*`, `a-b`, or `a` (`a/n` runs from a to the field's end, as in cron).
      const [from, to] = range === '*' ? [lo, hi] : range.includes('-') ? range.split('-').map(Number) : [Number(range), m[2] ? hi : Number(range)];
      if (from === undefined || to === undefined || from < lo || to > hi || from > to || step < 1) return undefined;
      for (let v = from; v <= to; v += step) set.add(i === 4 && v === 7 ? 0 : v);
    }
    sets.push(set);
  }
  return sets;
}

/** The first whole minute strictly after `afterMs` that the cron matches (within a year), in ms. */
export function nextCronMs(fields: Set<number>[], afterMs: number): number | undefined {
  const [min, hour, dom, mon, dow] = fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  // As in cron, when both day fields are restricted a day matches either of them.
  const domAll = dom.size === 31;
  const dowAll = dow.size === 7;
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (!min.has(d.getUTCMinutes()) || !hour.has(d.getUTCHours()) || !mon.has(d.getUTCMonth() + 1)) continue;
    const domOk = dom.has(d.getUTCDate());
    const dowOk = dow.has(d.getUTCDay());
    if (domAll || dowAll ? domOk && dowOk : domOk || dowOk) return t;
  }
  return undefined;
}

/**
 * Runs the group's due actions (once per reconcile pass). Returns the Cause sentence of the last one that
 * changed desired capacity, for the launches and terminations it brings about; undefined otherwise.
 */
export function runDueActions(ctx: SandboxContext, asg: AutoScalingGroup): string | undefined {
  const { world } = ctx;
  const now = world.now();
  const store = scheduledActionsOf(world);
  let cause: string | undefined;
  for (const [key, a] of store) {
    if (a.asgName !== asg.name || a.startTime.getTime() > now) continue;
    if (a.endTime && a.endTime.getTime() < now) {
      store.delete(key);
      continue;
    }
    if (!asg.suspendedProcesses.has('ScheduledActions')) cause = apply(ctx, asg, a, now) ?? cause;
    const next = a.recurrence ? nextCronMs(parseCron(a.recurrence) ?? [], now) : undefined;
    if (next === undefined || (a.endTime && next > a.endTime.getTime())) store.delete(key);
    else a.startTime = new Date(next);
  }
  return cause;
}

function apply(ctx: SandboxContext, asg: AutoScalingGroup, a: ScheduledAction, now: number): string | undefined {
  const min = a.minSize ?? asg.minSize;
  const max = Math.max(min, a.maxSize ?? asg.maxSize);
  const desired = Math.min(max, Math.max(min, a.desiredCapacity ?? asg.desiredCapacity));
  const from = asg.desiredCapacity;
  asg.minSize = min;
  asg.maxSize = max;
  asg.desiredCapacity = desired;
  if (desired === from) return undefined;
  const cause = groupCauses.scheduledAction(now, { min, max, desired }, from);
  recordDesiredChange(ctx.world, asg, from, cause);
  return cause;
}
