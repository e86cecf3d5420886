/**
 * The capacity half of the steady state, in desired's units (observe/capacity-model.ts): before injecting
 * (the steady-state gate, rechecked right before acting), after a hold (capacity back on a fresh poll), and
 * how the plan states the group's capacity. Unweighted groups read exactly as they always did.
 */
import { inUnits, isFull } from '../observe/capacity-model.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';
import { formatAz } from './safety.js';
import type { Plan } from './types.js';

export interface SteadyCheck {
  name: string;
  pass: boolean;
  detail: string;
}

/**
 * Steady before injecting: capacity at or above desired (overshoot is normal: rebalancing, max healthy up to
 * 200 %), every target group has registered targets, and at least desired's worth of units is healthy.
 */
export function capacityChecks(snap: CapacitySnapshot): SteadyCheck[] {
  const registered = [...snap.targets.values()].every((m) => m.size > 0);
  const u = snap.unit;
  return [
    {
      name: 'in-service == desired',
      pass: snap.capacity >= snap.desired,
      detail: u ? `${snap.capacity}/${snap.desired} ${u} InService (${snap.inService} instances)` : `${snap.inService}/${snap.desired} InService`,
    },
    {
      name: 'all targets healthy',
      // Every InService unit healthy, as it always was; while overshooting (a launch before a terminate), a new
      // member may still be registering: desired's worth of healthy units is steady.
      pass: registered && (snap.capacity > snap.desired ? snap.healthy >= snap.desired : snap.healthy === snap.capacity),
      detail: u ? `${snap.healthy}/${snap.capacity} ${u} healthy in every target group` : `${snap.healthy}/${snap.inService} healthy in every target group`,
    },
  ];
}

/**
 * Capacity is back after a hold: a poll taken after `sinceMs` is full under the model — capacity ≥ the current
 * desired and healthy ≥ min(planned healthy, current desired).
 */
export function capacityFull(s: CapacitySnapshot | undefined, baselineHealthy: number, sinceMs: number): boolean {
  return s !== undefined && s.atMs >= sinceMs && isFull(s, baselineHealthy);
}

/** The plan's "before": counts as they were, plus units InService and their word for a weighted group. */
export function planBefore(snap: CapacitySnapshot): Plan['before'] {
  return {
    desired: snap.desired,
    inService: snap.inService,
    healthy: snap.healthy,
    healthyByAz: snap.healthyByAz,
    ...(snap.unit ? { capacity: snap.capacity, unit: snap.unit } : {}),
  };
}

/** The plan's group line: `desired 4, InService 4, healthy 4 (…)`, or in units for a weighted group. */
export function beforeLine(b: Plan['before']): string {
  if (!b.unit) return `desired ${b.desired}, InService ${b.inService}, healthy ${b.healthy} (${formatAz(b.healthyByAz)})`;
  const n = b.inService;
  return `desired ${inUnits(b.desired, b.unit)}, InService ${inUnits(b.capacity ?? n, b.unit)} (${n} instance${n === 1 ? '' : 's'}), healthy ${inUnits(b.healthy, b.unit)} (${formatAz(b.healthyByAz)})`;
}
