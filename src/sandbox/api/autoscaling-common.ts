/**
 * What the Auto Scaling handlers share: finding a group or a member the way AWS reports a miss, reading
 * MaxRecords with AWS's own constraint message, and the list of suspendable processes.
 */
import type { ApiContext } from '../context.js';
import type { AsgInstance, AutoScalingGroup } from '../world/types.js';
import { type ApiError, validationError } from './errors.js';
import type { Params } from './query.js';

/** The processes SuspendProcesses/ResumeProcesses accept (Auto Scaling API reference, SuspendProcesses). */
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;

/** Mutating actions on a missing group answer ValidationError (Describe* answer an empty list instead). */
export function requireGroup(ctx: ApiContext, name: string): AutoScalingGroup {
  const g = ctx.world.asgs.get(name);
  if (!g) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
  return g;
}

export function requireMember(ctx: ApiContext, instanceId: string): AsgInstance {
  const member = ctx.world.asgInstances.get(instanceId);
  if (!member || !ctx.world.asgs.has(member.asgName)) {
    throw validationError(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`);
  }
  return member;
}

/** Auto Scaling reports model-constraint violations in this Coral-style sentence. */
export function constraintError(value: string, field: string, constraint: string): ApiError {
  return validationError(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function maxRecords(p: Params, max: number, fallback: number): number {
  const raw = p.str('MaxRecords');
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw)) throw constraintError(raw, 'maxRecords', 'Member must be an integer');
  if (n < 1) throw constraintError(raw, 'maxRecords', 'Member must have value greater than or equal to 1');
  if (n > max) throw constraintError(raw, 'maxRecords', `Member must have value less than or equal to ${max}`);
  return n;
}

export function intOrUndefined(p: Params, name: string, min = 0): number | undefined {
  const raw = p.str(name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw constraintError(raw, lowerFirst(name), 'Member must be an integer');
  const n = Number(raw);
  if (n < min) throw constraintError(raw, lowerFirst(name), `Member must have value greater than or equal to ${min}`);
  return n;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** AWS's sentence for an inconsistent min/max/desired triple. */
export function checkSizes(min: number, max: number, desired: number): void {
  if (min > max) throw validationError(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) {
    throw validationError(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
  }
}

/** SuspensionReason as AWS words it for a user call. */
export function suspensionReason(nowMs: number): string {
  return `User suspended at ${new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z')}`;
}
