/**
 * The blackhole-az section of the report: which subnets and NACLs, every association change with its time,
 * the restore verification, and what Auto Scaling did meanwhile — it marks the dark AZ's instances unhealthy
 * (with ELB health checks) and launches replacements into the AZ with the fewest instances, which is often
 * the dark one itself (AWS keeps launching into a blackholed AZ: a NACL does not make launches fail).
 */
import type { UnwindResult } from './rollbacks.js';
import type { AssociationChange, BlackholeReport, Plan } from './types.js';

interface MarkLike {
  atMs: number;
  event: string;
  instanceId?: string;
  availabilityZone?: string;
  networkAclId?: string;
  change?: AssociationChange;
  [k: string]: unknown;
}

/** Timeline marks are absolute (epoch ms); `base` turns them into ms since t0. */
export function buildBlackholeReport(plan: Plan, marks: readonly MarkLike[], rollback: UnwindResult | undefined, base: number): BlackholeReport | undefined {
  const bh = plan.fault.blackhole;
  if (!bh) return undefined;
  const injected = marks.flatMap((m) => (m.event === 'association-replaced' && m.change ? [m.change] : []));
  const chaosNacls = marks
    .filter((m) => m.event === 'nacl-created' && m.networkAclId)
    .map((m) => ({ networkAclId: m.networkAclId!, vpcId: bh.subnets.find((s) => injected.some((c) => c.toNaclId === m.networkAclId && c.subnetId === s.subnetId))?.vpcId ?? bh.vpcs[0] ?? '' }));
  const instancesLost = marks
    .filter((m) => m.event === 'instance-lost' && m.instanceId)
    .map((m) => ({ instanceId: m.instanceId!, availabilityZone: m.availabilityZone ?? '', atMs: m.atMs - base }));
  const replacements = marks
    .filter((m) => m.event === 'replacement-launched' && m.instanceId)
    .map((m) => ({ instanceId: m.instanceId!, availabilityZone: m.availabilityZone ?? '', atMs: m.atMs - base }));
  const checks = rollback?.verification ?? [];
  return {
    az: bh.az,
    azChosenBy: bh.azChosenBy,
    durationMs: bh.durationMs,
    subnets: bh.subnets,
    chaosNacls,
    associationChanges: [...injected, ...(rollback?.changes ?? [])].sort((a, b) => a.at.localeCompare(b.at)),
    restoreVerification: rollback && rollback.status !== 'not-needed' ? { verified: rollback.status === 'complete' && checks.every((c) => c.ok), checks } : null,
    asgReaction: { instancesLost, replacements, replacementsIntoDarkAz: replacements.filter((r) => r.availabilityZone === bh.az).length },
  };
}
