/**
 * PURE: the events that explain how one capacity poll differs from the previous one — members lost, replacements
 * launched (from the warm pool or not), every lifecycle state change, target health, fail-open, desired
 * changes, and capacity lost / restored under the capacity model (capacity-model.ts).
 */
import type { GroupInstance } from '../aws/autoscaling.js';
import { countsText, healthyNeeded, inUnits, isFull } from './capacity-model.js';
import { isHealthyState, type CapacityEvent, type CapacitySnapshot } from './capacity-types.js';

/** What the watcher carries from poll to poll. */
export interface DiffState {
  lost: boolean;
  baselineHealthy: number;
  /**
   * The plan's victims (terminate, stop): each one gone or no longer InService/Healthy is capacity lost at
   * the first poll that sees it, even when the group refilled before that poll (the counts then never dip).
   */
  victims?: ReadonlySet<string>;
  /** Victims already seen lost (each is counted once). */
  victimsLost?: Set<string>;
}

const LIVE = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

const isLive = (i: { lifecycleState: string; healthStatus: string } | undefined): boolean => i !== undefined && LIVE.has(i.lifecycleState) && i.healthStatus === 'Healthy';

export function diffCapacity(prev: CapacitySnapshot, cur: CapacitySnapshot, state: DiffState): CapacityEvent[] {
  const at = cur.atMs;
  const out: CapacityEvent[] = [];
  if (prev.desired !== cur.desired) {
    out.push({ atMs: at, event: 'desired-changed', from: prev.desired, to: cur.desired, detail: `desired ${inUnits(prev.desired, cur.unit)} → ${inUnits(cur.desired, cur.unit)}` });
  }
  const lostNow = new Set<string>();
  const lose = (id: string, az: string, c: GroupInstance | undefined) => {
    lostNow.add(id);
    if (state.victims?.has(id)) state.victimsLost?.add(id);
    out.push({ atMs: at, event: 'instance-lost', instanceId: id, availabilityZone: az, detail: c ? `${c.lifecycleState}/${c.healthStatus}` : 'left the group' });
  };
  for (const [id, p] of prev.instances) {
    const c = cur.instances.get(id);
    if (isLive(p) && !isLive(c)) lose(id, p.availabilityZone, c);
  }
  // A victim not live now that no poll has yet counted as lost (it was already down in the previous reading).
  for (const id of state.victims ?? []) {
    if (state.victimsLost?.has(id) || lostNow.has(id) || isLive(cur.instances.get(id))) continue;
    lose(id, prev.instances.get(id)?.availabilityZone ?? cur.instances.get(id)?.availabilityZone ?? '', cur.instances.get(id));
  }
  for (const [id, c] of cur.instances) {
    const p = prev.instances.get(id);
    if (!p) {
      const warm = prev.warm?.get(id);
      out.push({
        atMs: at,
        event: 'replacement-launched',
        instanceId: id,
        availabilityZone: c.availabilityZone,
        to: c.lifecycleState,
        detail: warm ? `${c.lifecycleState}, from the warm pool (${warm.lifecycleState})` : c.lifecycleState,
        ...(warm ? { fromWarmPool: true } : {}),
      });
    } else if (p.lifecycleState !== c.lifecycleState) {
      out.push({
        atMs: at,
        event: 'lifecycle',
        instanceId: id,
        availabilityZone: c.availabilityZone,
        from: p.lifecycleState,
        to: c.lifecycleState,
        detail: `${p.lifecycleState} → ${c.lifecycleState}`,
      });
    }
    if (c.lifecycleState === 'InService' && p?.lifecycleState !== 'InService') {
      out.push({ atMs: at, event: 'instance-inservice', instanceId: id, availabilityZone: c.availabilityZone });
    }
  }
  // Warmed instances are not members, but their states (Warmed:Pending → Warmed:Stopped …) are the group's doing.
  for (const [id, w] of cur.warm ?? []) {
    const was = prev.warm?.get(id)?.lifecycleState ?? prev.instances.get(id)?.lifecycleState;
    if (was !== w.lifecycleState) {
      out.push({
        atMs: at,
        event: 'lifecycle',
        instanceId: id,
        availabilityZone: w.availabilityZone,
        ...(was ? { from: was } : {}),
        to: w.lifecycleState,
        detail: `${was ?? 'new'} → ${w.lifecycleState} (warm pool)`,
      });
    }
  }
  out.push(...targetEvents(prev, cur));

  const full = isFull(cur, state.baselineHealthy);
  const need = healthyNeeded(state.baselineHealthy, cur.desired);
  if (!state.lost && (!full || lostNow.size > 0)) {
    state.lost = true;
    out.push({ atMs: at, event: 'capacity-lost', detail: countsText(cur, need) });
    // Lost and already refilled in this same reading: the members seen lost no longer count toward capacity
    // and the group is full again. Restored at this poll, so the loss is counted and its recovery is a number.
    const stillCounted = [...lostNow].some((id) => cur.instances.get(id)?.lifecycleState === 'InService');
    if (full && !stillCounted) {
      state.lost = false;
      out.push({ atMs: at, event: 'capacity-restored', detail: `${countsText(cur)} (refilled between two polls)` });
    }
  } else if (state.lost && full) {
    state.lost = false;
    out.push({ atMs: at, event: 'capacity-restored', detail: countsText(cur) });
  }
  return out;
}

function targetEvents(prev: CapacitySnapshot, cur: CapacitySnapshot): CapacityEvent[] {
  const at = cur.atMs;
  const out: CapacityEvent[] = [];
  for (const [arn, states] of cur.targets) {
    const before = prev.targets.get(arn) ?? new Map<string, string>();
    for (const [id, s] of states) {
      const was = before.get(id);
      if (was === s) continue;
      const az = cur.instances.get(id)?.availabilityZone;
      out.push({
        atMs: at,
        event: isHealthyState(s) ? 'target-healthy' : 'target-state',
        instanceId: id,
        targetGroupArn: arn,
        ...(az ? { availabilityZone: az } : {}),
        detail: `${was ?? 'unregistered'} → ${s}`,
      });
    }
    for (const [id, was] of before) {
      if (!states.has(id)) out.push({ atMs: at, event: 'target-state', instanceId: id, targetGroupArn: arn, detail: `${was} → deregistered` });
    }
  }
  for (const arn of cur.failOpen)
    if (!prev.failOpen.includes(arn)) out.push({ atMs: at, event: 'fail-open', targetGroupArn: arn, detail: 'every target unhealthy: the load balancer routes to all of them' });
  for (const arn of prev.failOpen) if (!cur.failOpen.includes(arn)) out.push({ atMs: at, event: 'fail-open-ended', targetGroupArn: arn });
  return out;
}
