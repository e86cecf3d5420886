/** How a blackhole-az plan reads before confirmation, and its blast-radius guard. */
import { refused } from '../../core/errors.js';
import type { RunConfig } from '../../experiment/config.js';
import type { Plan } from '../../experiment/types.js';
import type { PlanLine } from '../types.js';
import { KIND, detailOf, type SharedInterface } from './types.js';

export function describeBlackhole(p: Plan): PlanLine[] {
  const bh = detailOf(p);
  const shared = bh.sharedInterfaces ?? [];
  return [
    `${KIND}: ${bh.az} (${bh.azChosenBy === 'random' ? `picked with seed ${p.seed}` : '--az'}) for ${bh.durationMs / 1000}s, ${p.fault.targets.length} instance(s) inside`,
    ...bh.subnets.map((s) => `  ${s.subnetId}  ${s.role.padEnd(13)}  ${s.vpcId}  original NACL ${s.originalNaclId}`),
    ...(shared.length
      ? [
          ['shared', `${shared.length} network interface(s) in these subnets are not the group's and would be cut off too:`] as PlanLine,
          ...shared.map((n) => `  ${n.networkInterfaceId}  ${n.subnetId}  ${describeInterface(n)}`),
        ]
      : []),
  ];
}

function describeInterface(n: SharedInterface): string {
  const who = n.instanceId ? `instance ${n.instanceId}` : n.requesterId ? `managed by ${n.requesterId}` : 'not attached to an instance';
  return [n.interfaceType, who, n.description ? `"${n.description}"` : ''].filter(Boolean).join(', ');
}

/**
 * The blast-radius guard, run after the plan is shown (so the operator sees what else is in the subnets):
 * interfaces that are not the group's refuse the run without --allow-shared-subnets.
 */
export function checkSharedSubnets(p: Plan, cfg: Pick<RunConfig, 'allowSharedSubnets'>): void {
  const shared = detailOf(p).sharedInterfaces ?? [];
  if (shared.length === 0 || cfg.allowSharedSubnets) return;
  const subnets = [...new Set(shared.map((n) => n.subnetId))].sort();
  throw refused(
    `blast radius: ${shared.length} network interface(s) that are not the group's share ${subnets.join(', ')} and would be cut off too (${shared.map((n) => n.networkInterfaceId).join(', ')}); refused without --allow-shared-subnets`,
    {
      phase: 'plan',
      target: subnets.join(','),
      hint: 'move them out of the subnets, pick another AZ (--az), or pass --allow-shared-subnets if cutting them off is intended',
    },
  );
}
