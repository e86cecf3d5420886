/**
 * Lifecycle hooks (Auto Scaling API reference: PutLifecycleHook, DescribeLifecycleHooks, DeleteLifecycleHook,
 * CompleteLifecycleAction, RecordLifecycleActionHeartbeat). The hooks live on their group; the waits they
 * cause are autoscaling/hooks.ts's, reached through ctx.autoscaling.actions.hooks.
 * Where AWS documents a constraint but not its error text, the message here is the sandbox's own wording of it.
 */
import { globalTimeoutOf } from '../autoscaling/hooks.js';
import type { LifecycleActionRef } from '../autoscaling/lifecycle-api.js';
import type { LifecycleHook, LifecycleTransition } from '../world/types.js';
import { constraintError, intOrUndefined, requireGroup } from './autoscaling-common.js';
import { ApiError, missingParameter, validationError } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';

const TRANSITIONS: LifecycleTransition[] = ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'];
/** "The maximum time, in seconds, that can elapse before the lifecycle hook times out. The range is from 30 to 7200 seconds. The default value is 3600 seconds (1 hour)." */
const HEARTBEAT = { min: 30, max: 7200, fallback: 3600 };
/** Lifecycle hooks per Auto Scaling group (Auto Scaling quotas, ec2-auto-scaling-quotas). */
const HOOKS_PER_GROUP = 50;

function hookName(p: Params): string {
  const name = p.required('LifecycleHookName');
  if (name.length > 255) throw constraintError(name, 'lifecycleHookName', 'Member must have length less than or equal to 255');
  if (!/^[A-Za-z0-9\-_/]+$/.test(name)) throw constraintError(name, 'lifecycleHookName', 'Member must satisfy regular expression pattern: [A-Za-z0-9\\-_\\/]+');
  return name;
}

function result(p: Params, name: string): 'CONTINUE' | 'ABANDON' | undefined {
  const v = p.str(name);
  if (v === undefined || v === '') return undefined;
  if (v !== 'CONTINUE' && v !== 'ABANDON') throw validationError(`Valid values for ${name} are CONTINUE and ABANDON; received ${v}.`);
  return v;
}

function transition(p: Params): LifecycleTransition | undefined {
  const v = p.str('LifecycleTransition');
  if (v === undefined || v === '') return undefined;
  if (!TRANSITIONS.includes(v as LifecycleTransition)) throw validationError(`Invalid Lifecycle Transition: ${v}. Valid values are ${TRANSITIONS.join(' and ')}.`);
  return v as LifecycleTransition;
}

/** PutLifecycleHook creates or updates; on an update, parameters left out keep their values. */
const put: Handler = (p, ctx) => {
  const name = hookName(p);
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const hooks = (g.lifecycleHooks ??= new Map<string, LifecycleHook>());
  const existing = hooks.get(name);
  const lifecycleTransition = transition(p) ?? existing?.lifecycleTransition;
  // LifecycleTransition: "Required for new lifecycle hooks, but optional when updating existing hooks."
  if (!lifecycleTransition) throw missingParameter('LifecycleTransition');
  const heartbeat = intOrUndefined(p, 'HeartbeatTimeout') ?? existing?.heartbeatTimeout ?? HEARTBEAT.fallback;
  if (heartbeat < HEARTBEAT.min || heartbeat > HEARTBEAT.max) {
    throw validationError(`HeartbeatTimeout must be between ${HEARTBEAT.min} and ${HEARTBEAT.max} seconds; received ${heartbeat}.`);
  }
  const metadata = p.str('NotificationMetadata') ?? existing?.notificationMetadata;
  if (metadata !== undefined && metadata.length > 1023) throw constraintError(metadata, 'notificationMetadata', 'Member must have length less than or equal to 1023');
  if (!existing && hooks.size >= HOOKS_PER_GROUP) {
    throw new ApiError('LimitExceeded', `Auto Scaling group ${g.name} already has the maximum of ${HOOKS_PER_GROUP} lifecycle hooks.`);
  }
  const target = p.str('NotificationTargetARN') ?? existing?.notificationTargetARN;
  const role = p.str('RoleARN') ?? existing?.roleARN;
  hooks.set(name, {
    lifecycleHookName: name,
    autoScalingGroupName: g.name,
    lifecycleTransition,
    ...(target ? { notificationTargetARN: target } : {}),
    ...(role ? { roleARN: role } : {}),
    ...(metadata !== undefined ? { notificationMetadata: metadata } : {}),
    heartbeatTimeout: heartbeat,
    globalTimeout: globalTimeoutOf(heartbeat),
    defaultResult: result(p, 'DefaultResult') ?? existing?.defaultResult ?? 'ABANDON',
  });
  return '';
};

function hookXml(h: LifecycleHook): string {
  return (
    el('LifecycleHookName', h.lifecycleHookName) +
    el('AutoScalingGroupName', h.autoScalingGroupName) +
    el('LifecycleTransition', h.lifecycleTransition) +
    el('NotificationTargetARN', h.notificationTargetARN) +
    el('RoleARN', h.roleARN) +
    el('NotificationMetadata', h.notificationMetadata) +
    el('HeartbeatTimeout', h.heartbeatTimeout) +
    el('GlobalTimeout', h.globalTimeout) +
    el('DefaultResult', h.defaultResult)
  );
}

/** DescribeLifecycleHooks: every hook of the group, or the named ones (up to 50 names); unknown names are left out. */
const describe: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const names = p.members('LifecycleHookNames');
  if (names.length > 50) throw constraintError(`[${names.join(', ')}]`, 'lifecycleHookNames', 'Member must have length less than or equal to 50');
  const hooks = [...(g.lifecycleHooks?.values() ?? [])].filter((h) => !names.length || names.includes(h.lifecycleHookName));
  return list('LifecycleHooks', hooks, hookXml, 'member');
};

const remove: Handler = (p, ctx) => {
  const name = hookName(p);
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  if (!g.lifecycleHooks?.delete(name)) throw validationError(`No Lifecycle Hook found with name ${name} for Auto Scaling group ${g.name}.`);
  return '';
};

/** CompleteLifecycleAction and RecordLifecycleActionHeartbeat name the action by LifecycleActionToken or InstanceId. */
function actionRef(p: Params): LifecycleActionRef {
  const token = p.str('LifecycleActionToken') || undefined;
  const instanceId = p.str('InstanceId') || undefined;
  if (!token && !instanceId) throw validationError('Either LifecycleActionToken or InstanceId must be specified.');
  return { ...(token ? { token } : {}), ...(instanceId ? { instanceId } : {}) };
}

const complete: Handler = (p, ctx) => {
  const name = hookName(p);
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const outcome = result(p, 'LifecycleActionResult');
  if (!outcome) throw missingParameter('LifecycleActionResult');
  ctx.autoscaling.actions.hooks.complete(g, name, outcome, actionRef(p));
  ctx.autoscaling.nudge();
  return '';
};

const heartbeat: Handler = (p, ctx) => {
  const name = hookName(p);
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  ctx.autoscaling.actions.hooks.heartbeat(g, name, actionRef(p));
  return '';
};

export const HOOK_HANDLERS: Record<string, Handler> = {
  PutLifecycleHook: put,
  DescribeLifecycleHooks: describe,
  DeleteLifecycleHook: remove,
  CompleteLifecycleAction: complete,
  RecordLifecycleActionHeartbeat: heartbeat,
};
