/**
 * Starting a target's deregistration, shared by ELBv2 DeregisterTargets and by Auto Scaling when a target
 * group is detached or a group is force-deleted. The target moves to `draining` for the group's
 * deregistration_delay.timeout_seconds; the data plane removes it once `drainingUntil` has passed.
 */
import type { ApiContext } from '../context.js';
import type { TargetRegistration } from '../world/types.js';

/** AWS default when the attribute is unset (Elastic Load Balancing user guide, "Deregistration delay"). */
const DEFAULT_DELAY_SECONDS = 300;

export function deregistrationDelayMs(ctx: ApiContext, targetGroupArn: string): number {
  const raw = ctx.world.targetGroups.get(targetGroupArn)?.attributes.get('deregistration_delay.timeout_seconds');
  const seconds = raw === undefined ? DEFAULT_DELAY_SECONDS : Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

export function beginDeregistration(ctx: ApiContext, reg: TargetRegistration): void {
  if (reg.state === 'draining') return;
  // drainingUntil is set before the state change so that event subscribers already see the deadline.
  reg.drainingUntil = ctx.world.now() + deregistrationDelayMs(ctx, reg.targetGroupArn);
  ctx.world.setTargetState(reg, 'draining', 'Target.DeregistrationInProgress');
}

/** Deregisters `targetId` from every listed group where it is registered. */
export function deregisterEverywhere(ctx: ApiContext, targetGroupArns: Iterable<string>, targetId: string): void {
  for (const arn of targetGroupArns) {
    const reg = ctx.world.targets.get(arn)?.get(targetId);
    if (reg) beginDeregistration(ctx, reg);
  }
}
