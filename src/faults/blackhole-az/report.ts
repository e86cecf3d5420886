/**
 * The blackhole-az section of the report: which subnets and NACLs, every association change with its time,
 * the restore verification, and what Auto Scaling did meanwhile — it marks the dark AZ's instances unhealthy
 * (with ELB health checks) and launches replacements into the AZ with the fewest instances, which is often
 * the dark one itself (AWS keeps launching into a blackholed AZ: a NACL does not make launches fail).
 */
import { formatDuration } from '../../core/duration.js';
import type { FaultReportInput, FaultView } from '../types.js';
import { detailOf, type AssociationChange, type BlackholeReport, type RestoreRecord } from './types.js';

/** Timeline marks are absolute (epoch ms); `base` turns them into ms since t0. */
export function buildBlackholeReport({ plan, marks, rollback, base }: FaultReportInput): BlackholeReport {
  const bh = detailOf(plan);
  const injected = marks.flatMap((m) => (m.event === 'association-replaced' && m.change ? [m.change as AssociationChange] : []));
  const chaosNacls = marks
    .filter((m) => m.event === 'nacl-created' && typeof m.networkAclId === 'string')
    .map((m) => ({
      networkAclId: m.networkAclId as string,
      vpcId: bh.subnets.find((s) => injected.some((c) => c.toNaclId === m.networkAclId && c.subnetId === s.subnetId))?.vpcId ?? bh.vpcs[0] ?? '',
    }));
  const atAz = (event: string) =>
    marks
      .filter((m) => m.event === event && typeof m.instanceId === 'string')
      .map((m) => ({ instanceId: m.instanceId as string, availabilityZone: (m.availabilityZone as string | undefined) ?? '', atMs: m.atMs - base }));
  const instancesLost = atAz('instance-lost');
  const replacements = atAz('replacement-launched');
  const restores = (rollback?.results ?? []).map((r) => r.detail as RestoreRecord | undefined).filter((r): r is RestoreRecord => r !== undefined);
  const checks = restores.at(-1)?.verification ?? [];
  return {
    az: bh.az,
    azChosenBy: bh.azChosenBy,
    durationMs: bh.durationMs,
    subnets: bh.subnets,
    chaosNacls,
    associationChanges: [...injected, ...restores.flatMap((r) => r.changes)].sort((a, b) => a.at.localeCompare(b.at)),
    restoreVerification: rollback && rollback.status !== 'not-needed' ? { verified: rollback.status === 'complete' && checks.every((c) => c.ok), checks } : null,
    asgReaction: { instancesLost, replacements, replacementsIntoDarkAz: replacements.filter((r) => r.availabilityZone === bh.az).length },
  };
}

/** Which subnets were cut off, from which NACL, and whether each is verified back. */
export function blackholeView(section: unknown): FaultView | undefined {
  const b = section as BlackholeReport | undefined;
  if (!b?.subnets) return undefined;
  const rows: FaultView['rows'] = [{ key: 'AZ', value: `${b.az} (${b.azChosenBy === 'flag' ? '--az' : 'seeded random'}), held ${formatDuration(b.durationMs)}` }];
  const checks = new Map((b.restoreVerification?.checks ?? []).map((c) => [c.subnetId, c]));
  for (const sn of b.subnets) {
    const c = checks.get(sn.subnetId);
    const state = c ? (c.ok ? 'restored ✓' : `NOT restored (on ${c.actualNaclId ?? '?'})`) : 'not verified';
    rows.push({ key: `${sn.role} subnet`, value: `${sn.subnetId}  original ${sn.originalNaclId}  ${state}`, ...(c ? { tone: c.ok ? ('good' as const) : ('bad' as const) } : {}) });
  }
  if (b.chaosNacls.length) rows.push({ key: 'chaos NACLs', value: b.chaosNacls.map((n) => n.networkAclId).join(' ') });
  const a = b.asgReaction;
  rows.push({ key: 'Auto Scaling reaction', value: `${a.instancesLost.length} lost, ${a.replacements.length} replaced (${a.replacementsIntoDarkAz} into the dark AZ)` });
  return { heading: 'Blackhole', rows };
}
