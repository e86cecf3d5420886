/**
 * StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh (Auto Scaling API reference). The
 * refresh itself runs in autoscaling/instance-refresh.ts, stepped by the reconciler.
 */
import { activeRefresh, type InstanceRefresh, refreshesOf, startRefresh } from '../autoscaling/instance-refresh.js';
import { constraintError, intOrUndefined, maxRecords, requireGroup } from './autoscaling-common.js';
import { ApiError, validationError } from './errors.js';
import { paginate } from './query.js';
import type { Handler } from './router.js';
import { el, esc, list, node } from './xml.js';

/** Preferences members echoed back as sent (scalars only; CheckpointPercentages and AlarmSpecification are lists). */
const PREFERENCE_MEMBERS = [
  'MinHealthyPercentage',
  'MaxHealthyPercentage',
  'InstanceWarmup',
  'CheckpointDelay',
  'SkipMatching',
  'AutoRollback',
  'ScaleInProtectedInstances',
  'StandbyInstances',
  'BakeTime',
];

const start: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const strategy = p.str('Strategy');
  if (strategy && strategy !== 'Rolling') throw validationError(`Unsupported instance refresh strategy: ${strategy}.`);
  if (activeRefresh(ctx.world, g.name)) {
    // Error code and message as AWS answers (InstanceRefreshInProgressFault, awsQuery code InstanceRefreshInProgress).
    throw new ApiError('InstanceRefreshInProgress', 'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.');
  }
  const prefs = p.struct('Preferences');
  const minHealthy = prefs ? intOrUndefined(prefs, 'MinHealthyPercentage') : undefined;
  if (minHealthy !== undefined && minHealthy > 100) throw constraintError(String(minHealthy), 'preferences.minHealthyPercentage', 'Member must have value less than or equal to 100');
  const warmup = prefs ? intOrUndefined(prefs, 'InstanceWarmup') : undefined;
  const raw = new Map<string, string>();
  for (const k of PREFERENCE_MEMBERS) {
    const v = prefs?.str(k);
    if (v !== undefined && v !== '') raw.set(k, v);
  }
  const refresh = startRefresh(ctx.world, g, {
    // Default 90 without an instance maintenance policy ("Understand the default values for an instance refresh").
    minHealthyPercentage: minHealthy ?? 90,
    ...(warmup !== undefined ? { instanceWarmup: warmup } : {}),
    skipMatching: prefs?.bool('SkipMatching') ?? false,
    raw,
  });
  ctx.autoscaling.nudge();
  return el('InstanceRefreshId', refresh.instanceRefreshId);
};

function refreshXml(r: InstanceRefresh): string {
  // The defaults applied are echoed too (MinHealthyPercentage 90, SkipMatching false), the rest as sent.
  const shown = new Map([...r.preferences, ['MinHealthyPercentage', String(r.minHealthyPercentage)], ['SkipMatching', String(r.skipMatching)]]);
  const prefs = [...shown].map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
  return (
    el('InstanceRefreshId', r.instanceRefreshId) +
    el('AutoScalingGroupName', r.asgName) +
    el('Status', r.status) +
    el('StatusReason', r.statusReason) +
    el('StartTime', r.startTime) +
    el('EndTime', r.endTime) +
    el('PercentageComplete', r.percentageComplete) +
    el('InstancesToUpdate', r.instancesToUpdate) +
    node('ProgressDetails', node('LivePoolProgress', el('PercentageComplete', r.percentageComplete), el('InstancesToUpdate', r.instancesToUpdate))) +
    node('Preferences', prefs) +
    el('Strategy', 'Rolling')
  );
}

const describe: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const ids = p.members('InstanceRefreshIds');
  const pageSize = maxRecords(p, 100, 50);
  const selected = refreshesOf(ctx.world).filter((r) => r.asgName === g.name && (!ids.length || ids.includes(r.instanceRefreshId)));
  // Newest first, as AWS lists them.
  const { page, next } = paginate(selected, p.str('NextToken'), pageSize, (r) => [-ctx.world.ordinal(r.instanceRefreshId)]);
  return list('InstanceRefreshes', page, refreshXml, 'member') + (next ? `<NextToken>${next}</NextToken>` : '');
};

const cancel: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const r = activeRefresh(ctx.world, g.name);
  if (!r || r.status === 'Cancelling') {
    throw new ApiError('ActiveInstanceRefreshNotFound', `No in progress or pending Instance Refresh found for Auto Scaling group ${g.name}`);
  }
  r.status = 'Cancelling';
  ctx.autoscaling.nudge();
  return el('InstanceRefreshId', r.instanceRefreshId);
};

export const REFRESH_HANDLERS: Record<string, Handler> = {
  StartInstanceRefresh: start,
  DescribeInstanceRefreshes: describe,
  CancelInstanceRefresh: cancel,
};
