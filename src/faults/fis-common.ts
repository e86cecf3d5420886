/**
 * What the fault modules share when they ask AWS FIS to inject them (`--engine fis`): resource ARNs, FIS's
 * 5-ARN limit per target (⌈n/5⌉ targets and actions), and durations in FIS's ISO 8601 form rounded UP to its
 * minimum. FIS user guide, "Actions reference" and "Targets": `resourceArns` takes at most 5 ARNs; the
 * `duration` / `startInstancesAfterDuration` parameters take PT1M to PT12H.
 */
import type { FisActionSpec, FisTargetSpec } from '../experiment/types.js';

/** FIS's per-target limit on `resourceArns`. */
export const FIS_MAX_ARNS_PER_TARGET = 5;
/** FIS's shortest action duration (PT1M) and longest (PT12H). */
export const FIS_MIN_DURATION_MS = 60_000;
export const FIS_MAX_DURATION_MS = 12 * 60 * 60_000;

export type { FisActionSpec, FisTargetSpec };

/** What a fault asks of FIS for one plan. */
export interface FisRequest {
  targets: Record<string, FisTargetSpec>;
  actions: Record<string, FisActionSpec>;
  /** Every ARN the template names: what ListExperimentResolvedTargets must resolve, no more and no less. */
  arns: string[];
  /** How long FIS keeps the fault injected (0: nothing held, e.g. terminate), after rounding up to PT1M. */
  holdMs: number;
  /** Plan lines about what FIS will do differently from the local engine (a duration rounded up, say). */
  notes: string[];
}

/** arn:aws:ec2:<region>:<account>:<type>/<id> (partition from the region: China and GovCloud differ). */
export function ec2Arn(plan: { region: string; account: string }, type: 'instance' | 'subnet', id: string): string {
  return `arn:${partitionOf(plan.region)}:ec2:${plan.region}:${plan.account}:${type}/${id}`;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Splits into groups of at most FIS_MAX_ARNS_PER_TARGET. */
export function chunks<T>(items: readonly T[], size = FIS_MAX_ARNS_PER_TARGET): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A duration as FIS holds it: whole seconds, at least PT1M (the plan says when it was rounded up). */
export function fisDurationMs(ms: number): number {
  return Math.min(FIS_MAX_DURATION_MS, Math.max(FIS_MIN_DURATION_MS, Math.ceil(ms / 1000) * 1000));
}

/** ISO 8601 as FIS's examples write it: PT1M, PT90S, PT2H. */
export function isoDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 3600 === 0) return `PT${s / 3600}H`;
  if (s % 60 === 0) return `PT${s / 60}M`;
  return `PT${s}S`;
}

/** The plan line saying a duration was rounded up to FIS's minimum (none when it was not). */
export function roundedNote(askedMs: number, what: string): string[] {
  const held = fisDurationMs(askedMs);
  if (held === askedMs) return [];
  return [`${what} ${isoDuration(held)} instead of ${askedMs / 1000}s: FIS's shortest duration is PT1M (rounded up)`];
}

/**
 * The targets and actions for one action over many resources: ⌈n/5⌉ targets `<Prefix>-<i>` and one action
 * `<name>-<i>` per target, all started together (no startAfter).
 */
export function splitActions(o: {
  arns: string[];
  resourceType: string;
  targetPrefix: string;
  targetKey: string;
  actionName: string;
  actionId: string;
  parameters?: Record<string, string>;
}): Pick<FisRequest, 'targets' | 'actions'> {
  const targets: FisRequest['targets'] = {};
  const actions: FisRequest['actions'] = {};
  chunks(o.arns).forEach((group, i) => {
    const t = `${o.targetPrefix}-${i + 1}`;
    targets[t] = { resourceType: o.resourceType, resourceArns: group, selectionMode: 'ALL' };
    actions[`${o.actionName}-${i + 1}`] = { actionId: o.actionId, ...(o.parameters ? { parameters: { ...o.parameters } } : {}), targets: { [o.targetKey]: t } };
  });
  return { targets, actions };
}

/** One EC2 instance action on the plan's exact victims (terminate, stop), split ⌈n/5⌉ ways. */
export function instanceActions(
  plan: Parameters<typeof ec2Arn>[0] & { fault: { targets: { instanceId: string }[] } },
  actionName: string,
  actionId: string,
  parameters?: Record<string, string>,
): Pick<FisRequest, 'targets' | 'actions' | 'arns'> {
  const arns = plan.fault.targets.map((t) => ec2Arn(plan, 'instance', t.instanceId));
  return {
    ...splitActions({ arns, resourceType: 'aws:ec2:instance', targetPrefix: 'Instances', targetKey: 'Instances', actionName, actionId, ...(parameters ? { parameters } : {}) }),
    arns,
  };
}
