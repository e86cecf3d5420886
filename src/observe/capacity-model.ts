/**
 * The capacity model, PURE: what "full capacity" means for a real group. Capacity is the sum of the InService
 * members' weights (`Instances[].WeightedCapacity`, 1 each when unweighted), in the units desired counts
 * (units, vCPUs or MiB: the group's DesiredCapacityType). Healthy is counted in the same units.
 *
 * Full (steady, recovered) when capacity ≥ desired AND healthy ≥ min(baseline healthy, desired):
 * - ≥, not ==: capacity rebalancing and instance maintenance policies (max healthy up to 200 %) launch before
 *   they terminate, and a weight-2 launch may fill one missing unit. Overshoot is normal, not unsteady.
 * - min(baseline, desired): a scheduled action or target tracking may LOWER desired mid-run; requiring the
 *   baseline's healthy count then would never be met and would read as a false failure.
 */
import type { GroupInstance } from '../aws/autoscaling.js';

export interface CapacityLevel {
  desired: number;
  /** Sum of the InService members' weights. */
  capacity: number;
  /** Units healthy in every target group. */
  healthy: number;
}

/** The healthy units a reading needs: the planned baseline, or less when desired was lowered since. */
export function healthyNeeded(baselineHealthy: number, desired: number): number {
  return Math.min(baselineHealthy, desired);
}

/** Capacity is at or above desired and enough of it is healthy (see the file comment). */
export function isFull(s: CapacityLevel, baselineHealthy: number): boolean {
  return s.capacity >= s.desired && s.healthy >= healthyNeeded(baselineHealthy, s.desired);
}

/** A group whose members count other than one each, or whose desired is in vCPUs or MiB. */
export function isWeighted(desiredCapacityType: string, instances: readonly GroupInstance[]): boolean {
  return desiredCapacityType !== 'units' || instances.some((i) => i.weightedCapacity !== 1);
}

/** The word for desired's units, as the plan and report print it. */
export function unitWord(desiredCapacityType: string | undefined): string {
  if (desiredCapacityType === 'vcpu') return 'vCPUs';
  if (desiredCapacityType === 'memory-mib') return 'MiB';
  return 'units';
}

/** What a member counts toward capacity. */
export function unitsOf(i: Pick<GroupInstance, 'weightedCapacity'> | undefined): number {
  return i?.weightedCapacity ?? 1;
}

/** A figure in units when the group is weighted (`6 units`), the bare number otherwise (`6`). */
export function inUnits(n: number, unit: string | undefined): string {
  return unit ? `${n} ${unit}` : String(n);
}

/**
 * A reading in words: `InService 3/4, healthy 3/4` unweighted (as it always read), and for a weighted group
 * `InService 4/6 units (3 instances), healthy 4/6 units`. `need` is the healthy units required, when it matters.
 */
export function countsText(s: CapacityLevel & { inService: number; unit?: string }, need?: number): string {
  const healthy = need === undefined ? String(s.healthy) : `${s.healthy}/${need}`;
  if (!s.unit) return `InService ${s.capacity}/${s.desired}, healthy ${healthy}`;
  return `InService ${s.capacity}/${s.desired} ${s.unit} (${s.inService} instance${s.inService === 1 ? '' : 's'}), healthy ${healthy} ${s.unit}`;
}
