/**
 * Capacity in units: what each member counts toward desired, and which instance type and subnet the next
 * launch uses. An unweighted group counts every member as 1 unit, so for it all of this reduces to counting
 * instances, exactly as before weights existed.
 *
 * AWS behaviour followed ("Configure an Auto Scaling group to use instance weights", Auto Scaling user guide,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html, and
 * LaunchTemplateOverrides.WeightedCapacity in the API reference):
 * - each instance counts its type's WeightedCapacity (1–999) toward desired capacity, in the same units as
 *   desired/min/max;
 * - Auto Scaling launches until desired is totally fulfilled, "even if this results in an overage": with two
 *   units left and only a weight-5 type available it launches it and exceeds desired by three — an overshoot
 *   is always smaller than the largest weight;
 * - when weights are added or changed, instances are launched or terminated to reach desired with the new
 *   weights; a running instance of a type no longer in the overrides keeps its last weight.
 *
 * The allocation rule modelled is `prioritized` (OnDemandAllocationStrategy's default without
 * InstanceRequirements, API reference InstancesDistribution): the overrides' order is the priority. The
 * sandbox has no prices, so `lowest-price` is treated the same. For each launch: the highest-priority type
 * whose weight fits in the units still missing; if none fits, the one with the smallest weight (the least
 * overage). Subnets: the one with the fewest units (launches in flight included), first listed on ties —
 * AWS balances capacity across the enabled Availability Zones.
 */
import type { AsgInstance, AutoScalingGroup, MixedInstancesPolicy } from '../world/types.js';

/** Units a member counts (1 without weights). */
export function unitsOf(m: Pick<AsgInstance, 'weightedCapacity'>): number {
  return m.weightedCapacity ?? 1;
}

/** The weight of an instance type in the group's overrides; undefined when the group has no weights. */
export function weightOf(policy: MixedInstancesPolicy | undefined, instanceType: string): number | undefined {
  return policy?.overrides.find((o) => o.instanceType === instanceType)?.weightedCapacity;
}

/** True when the group's overrides carry weights (AWS requires all or none of them to). */
export function isWeighted(asg: AutoScalingGroup): boolean {
  return asg.mixedInstancesPolicy?.overrides.some((o) => o.weightedCapacity !== undefined) ?? false;
}

export interface PlannedLaunch {
  subnetId: string;
  instanceType: string;
  /** Absent for an unweighted group (the member then has no WeightedCapacity). */
  weightedCapacity?: number;
}

/** The instance type (and weight) for the next launch, `missing` units short of desired. */
export function pickInstanceType(asg: AutoScalingGroup, missing: number): { instanceType: string; weightedCapacity?: number } {
  const overrides = asg.mixedInstancesPolicy?.overrides ?? [];
  if (!overrides.length) return { instanceType: asg.instanceType };
  if (!isWeighted(asg)) return { instanceType: overrides[0]!.instanceType };
  const fits = overrides.find((o) => (o.weightedCapacity ?? 1) <= missing);
  const pick = fits ?? [...overrides].sort((a, b) => (a.weightedCapacity ?? 1) - (b.weightedCapacity ?? 1))[0]!;
  return { instanceType: pick.instanceType, weightedCapacity: pick.weightedCapacity ?? 1 };
}

/**
 * The launches that bring `capacity` units up to `desired`: each picks a type, then the subnet with the
 * fewest units so far (`unitsPerSubnet` holds the members and launches in flight, and is updated here).
 */
export function planLaunches(asg: AutoScalingGroup, capacity: number, unitsPerSubnet: Map<string, number>): PlannedLaunch[] {
  const out: PlannedLaunch[] = [];
  for (let have = capacity; have < asg.desiredCapacity;) {
    let best: string | undefined;
    for (const [s, u] of unitsPerSubnet) if (best === undefined || u < unitsPerSubnet.get(best)!) best = s;
    if (best === undefined) break;
    const type = pickInstanceType(asg, asg.desiredCapacity - have);
    const units = type.weightedCapacity ?? 1;
    unitsPerSubnet.set(best, unitsPerSubnet.get(best)! + units);
    out.push({ subnetId: best, ...type });
    have += units;
  }
  return out;
}

/**
 * Scale-in victims: newest first (unprotected only), each taken only while the group stays at or above
 * desired without it — so an unweighted group loses exactly `capacity - desired` members, and a weighted one
 * may keep a small overage rather than drop below desired.
 */
export function planScaleIn(members: AsgInstance[], capacity: number, desired: number): AsgInstance[] {
  const out: AsgInstance[] = [];
  let have = capacity;
  for (const m of [...members].filter((x) => !x.protectedFromScaleIn).sort((a, b) => b.launchedAt - a.launchedAt)) {
    if (have <= desired) break;
    if (have - unitsOf(m) < desired) continue;
    out.push(m);
    have -= unitsOf(m);
  }
  return out;
}
