/**
 * PutScheduledUpdateGroupAction, DescribeScheduledActions, DeleteScheduledAction (Auto Scaling API
 * reference). The actions run in autoscaling/scheduled-actions.ts, from the reconciler's passes.
 */
import { actionKey, nextCronMs, parseCron, type ScheduledAction, scheduledActionsOf } from '../autoscaling/scheduled-actions.js';
import { checkSizes, intOrUndefined, maxRecords, requireGroup } from './autoscaling-common.js';
import { missingParameter, validationError } from './errors.js';
import { paginate, type Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';

function timestamp(p: Params, name: string): Date | undefined {
  const raw = p.str(name);
  if (raw === undefined || raw === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (Number.isNaN(ms)) throw validationError(`Invalid value for ${name}: ${raw}. Timestamps must be in ISO 8601 format, for example 2021-06-01T00:00:00Z.`);
  return new Date(ms);
}

const put: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const name = p.required('ScheduledActionName');
  const store = scheduledActionsOf(ctx.world);
  const existing = store.get(actionKey(g.name, name));
  const now = ctx.world.now();
  // Time is the deprecated spelling of StartTime (API reference).
  const start = timestamp(p, 'StartTime') ?? timestamp(p, 'Time');
  const end = timestamp(p, 'EndTime');
  const recurrence = p.str('Recurrence') || existing?.recurrence;
  const sizes = { minSize: intOrUndefined(p, 'MinSize'), maxSize: intOrUndefined(p, 'MaxSize'), desiredCapacity: intOrUndefined(p, 'DesiredCapacity') };
  if (!existing && sizes.minSize === undefined && sizes.maxSize === undefined && sizes.desiredCapacity === undefined) {
    // "You must specify at least one of the following properties: MaxSize, MinSize, or DesiredCapacity."
    throw validationError('At least one of MinSize, MaxSize or DesiredCapacity must be specified.');
  }
  // "If you try to schedule your action in the past, Amazon EC2 Auto Scaling returns an error message."
  if (start && start.getTime() < now) throw validationError('Given start time is in the past');
  if (start && end && end.getTime() < start.getTime()) throw validationError('Given end time is before the start time');
  const fields = recurrence ? parseCron(recurrence) : undefined;
  if (recurrence && !fields)
    throw validationError(`Given recurrence string '${recurrence}' is not a valid cron expression: five fields [Minute] [Hour] [Day_of_Month] [Month_of_Year] [Day_of_Week].`);
  let next = start?.getTime() ?? existing?.startTime.getTime();
  if (fields && !start) next = nextCronMs(fields, now);
  if (next === undefined) throw missingParameter('StartTime');
  const merged = { ...existing, ...Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined)) } as Partial<ScheduledAction>;
  // The action's own sizes must agree with each other; the group's are checked when it runs (and desired kept within them).
  const min = merged.minSize ?? 0;
  const max = merged.maxSize ?? Number.MAX_SAFE_INTEGER;
  checkSizes(min, max, Math.min(max, Math.max(min, merged.desiredCapacity ?? min)));
  const action: ScheduledAction = {
    ...merged,
    name,
    asgName: g.name,
    arn:
      existing?.arn ??
      `arn:aws:autoscaling:${ctx.world.region}:${ctx.world.accountId}:scheduledUpdateGroupAction:${ctx.world.newRequestId()}:autoScalingGroupName/${g.name}:scheduledActionName/${name}`,
    startTime: new Date(next),
    ...(end ? { endTime: end } : {}),
    ...(recurrence ? { recurrence } : {}),
    ...(p.str('TimeZone') ? { timeZone: p.str('TimeZone')! } : {}),
  };
  store.set(actionKey(g.name, name), action);
  ctx.autoscaling.nudge();
  return '';
};

function actionXml(a: ScheduledAction): string {
  return (
    el('AutoScalingGroupName', a.asgName) +
    el('ScheduledActionName', a.name) +
    el('ScheduledActionARN', a.arn) +
    el('Time', a.startTime) +
    el('StartTime', a.startTime) +
    el('EndTime', a.endTime) +
    el('Recurrence', a.recurrence) +
    el('MinSize', a.minSize) +
    el('MaxSize', a.maxSize) +
    el('DesiredCapacity', a.desiredCapacity) +
    el('TimeZone', a.timeZone)
  );
}

const describe: Handler = (p, ctx) => {
  const groupName = p.str('AutoScalingGroupName');
  if (groupName) requireGroup(ctx, groupName);
  const names = p.members('ScheduledActionNames');
  const from = timestamp(p, 'StartTime');
  const to = timestamp(p, 'EndTime');
  const pageSize = maxRecords(p, 100, 50);
  const selected = [...scheduledActionsOf(ctx.world).values()].filter((a) => {
    if (groupName && a.asgName !== groupName) return false;
    // StartTime / EndTime bound the actions' start times, and are ignored when names are given (API reference).
    if (names.length) return names.includes(a.name);
    return (!from || a.startTime >= from) && (!to || a.startTime <= to);
  });
  const { page, next } = paginate(selected, p.str('NextToken'), pageSize, (a) => [a.startTime.getTime(), a.asgName, a.name]);
  return list('ScheduledUpdateGroupActions', page, actionXml, 'member') + (next ? `<NextToken>${next}</NextToken>` : '');
};

const remove: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const name = p.required('ScheduledActionName');
  if (!scheduledActionsOf(ctx.world).delete(actionKey(g.name, name)))
    throw validationError(`Scheduled Update Group Action name not found - Could not find scheduled action ${name} for Auto Scaling group ${g.name}`);
  return '';
};

export const SCHEDULED_HANDLERS: Record<string, Handler> = {
  PutScheduledUpdateGroupAction: put,
  DescribeScheduledActions: describe,
  DeleteScheduledAction: remove,
};
