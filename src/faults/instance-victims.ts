/**
 * What the instance faults (terminate, stop) share: the seeded pick of victims among healthy InService
 * members within the capacity floor, the recheck right before acting, tagging the victims with the
 * experiment id before touching them (so the console, CloudTrail and `recover` can tell who did it), the
 * plan's description and the IAM scoping to Auto Scaling members.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { call } from '../aws/errors.js';
import { TAG_EXPERIMENT, TAG_EXPIRES } from '../aws/nacl.js';
import { ExitCode, refused, throwIfInterrupted } from '../core/errors.js';
import { checkFloorAfter, floorUnits, formatAz, resolveFloor, selectWithinFloor, selectionSize } from '../experiment/safety.js';
import type { FaultTarget, Plan } from '../experiment/types.js';
import { isHealthyState, type CapacitySnapshot } from '../observe/capacity-watch.js';
import type { FaultContext, FaultPlanSection, IamStatement, PlanInput, PlanLine } from './types.js';

export const TAG_ACTION = 'chaos-ec2:action';

/** Healthy InService members (in every target group), sorted so the seeded pick ignores API order. */
export function healthyMembers(snap: CapacitySnapshot, az: string | undefined): FaultTarget[] {
  const out: FaultTarget[] = [];
  for (const [id, i] of snap.instances) {
    if (i.lifecycleState !== 'InService' || i.healthStatus !== 'Healthy') continue;
    if (![...snap.targets.values()].every((m) => isHealthyState(m.get(id)))) continue;
    if (az && i.availabilityZone !== az) continue;
    out.push({ instanceId: id, availabilityZone: i.availabilityZone });
  }
  return out.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

/** Picks the victims with the seed, within the floor; `candidates` defaults to every healthy member. */
export function pickVictims({ d, snap, cfg, rng }: PlanInput, kind: string, candidates = healthyMembers(snap, cfg.az)): Pick<FaultPlanSection, 'fault' | 'after'> {
  if (cfg.az && candidates.length === 0) {
    throw refused(`no eligible healthy InService instance of '${d.group.name}' in ${cfg.az}`, {
      phase: 'plan',
      hint: `the group's AZs: ${formatAz(snap.healthyByAz) || 'none healthy'}`,
    });
  }
  const selection = { ...(cfg.count !== undefined ? { count: cfg.count } : {}), ...(cfg.percent !== undefined ? { percent: cfg.percent } : {}), ...(cfg.az ? { az: cfg.az } : {}) };
  const k = selectionSize(candidates.length, cfg.count === undefined && cfg.percent === undefined ? { count: 1 } : selection);
  const floor = resolveFloor(snap.desired, cfg.minHealthy, cfg.minHealthyPerAz);
  const picked = selectWithinFloor(candidates, snap.healthyByAz, k, floor, rng, floorUnits(snap));
  return {
    fault: { kind, selection, targets: picked.targets },
    after: { ...picked.after, floor: floor.minHealthy, perAzFloor: floor.minHealthyPerAz },
  };
}

/** The instance faults' victims (terminate, stop): the planned targets, and only they, are the experiment's. */
export const victimIds = (plan: Plan): string[] => plan.fault.targets.map((t) => t.instanceId);
export const isVictim = (plan: Plan, i: { instanceId: string }): boolean => plan.fault.targets.some((t) => t.instanceId === i.instanceId);

export const victimList = (targets: FaultTarget[]): string => targets.map((t) => `${t.instanceId} (${t.availabilityZone})`).join(', ');

/** The plan's fault lines for an instance fault. */
export function describeVictims(p: Plan, extra: PlanLine[] = []): PlanLine[] {
  return [`${p.fault.kind}: ${p.fault.targets.length} instance(s), seed ${p.seed}`, ...p.fault.targets.map((t) => `  ${t.instanceId}  ${t.availabilityZone}`), ...extra];
}

/** Right before acting: every victim still InService, and the floor still kept on the fresh snapshot. */
export async function recheckVictims(plan: Plan, fresh: CapacitySnapshot): Promise<void> {
  const gone = plan.fault.targets.filter((t) => fresh.instances.get(t.instanceId)?.lifecycleState !== 'InService');
  if (gone.length) throw refused(`the group changed since planning: ${gone.map((t) => t.instanceId).join(', ')} no longer InService`, { phase: 'inject' });
  checkFloorAfter(fresh.healthyByAz, plan.fault.targets, { minHealthy: plan.after.floor, minHealthyPerAz: plan.after.perAzFloor }, floorUnits(fresh));
}

/**
 * Tags the victims (journaled first) with the experiment id, what was done, and — for faults that are undone —
 * when the experiment is over for sure, so `recover` can find them from the tags alone.
 */
export async function tagVictims(plan: Plan, ctx: FaultContext, action: string, expiresAt?: string): Promise<void> {
  const ids = plan.fault.targets.map((t) => t.instanceId);
  await ctx.journal.record({ type: 'intent', action: 'ec2:CreateTags', resources: ids });
  throwIfInterrupted(ctx.signal, 'tagging the instances');
  const Tags = [{ Key: TAG_EXPERIMENT, Value: plan.experimentId }, { Key: TAG_ACTION, Value: action }, ...(expiresAt ? [{ Key: TAG_EXPIRES, Value: expiresAt }] : [])];
  await call('CreateTags', { phase: 'inject', target: ids.join(','), exitCode: ExitCode.AwsError }, () => ctx.clients.ec2.send(new CreateTagsCommand({ Resources: ids, Tags })));
  await ctx.journal.record({ type: 'done', action: 'ec2:CreateTags', resources: ids });
}

/**
 * Instances of an Auto Scaling group only (of the named group with --asg): Auto Scaling tags its instances
 * aws:autoscaling:groupName, and ec2 instance actions support aws:ResourceTag conditions.
 */
export function inGroupCondition(asg: string | undefined): NonNullable<IamStatement['Condition']> {
  return asg ? { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': asg } } : { Null: { 'aws:ResourceTag/aws:autoscaling:groupName': 'false' } };
}

/** Adds keys under one condition operator without dropping the ones already there (IAM ANDs them all). */
export function withCondition(c: NonNullable<IamStatement['Condition']>, operator: string, keys: Record<string, string | string[]>): NonNullable<IamStatement['Condition']> {
  return { ...c, [operator]: { ...c[operator], ...keys } };
}

/** ec2:CreateTags on group members, limited to chaos-ec2's own tag keys (aws:TagKeys). */
export function tagVictimsStatement(asg: string | undefined): IamStatement {
  return {
    Sid: 'TagVictimsWithExperimentId',
    Effect: 'Allow',
    Action: 'ec2:CreateTags',
    Resource: 'arn:aws:ec2:*:*:instance/*',
    Condition: { ...inGroupCondition(asg), 'ForAllValues:StringLike': { 'aws:TagKeys': ['chaos-ec2:*'] } },
  };
}
