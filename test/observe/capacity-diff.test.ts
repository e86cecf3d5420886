/**
 * The pure diff between two capacity polls under the capacity model: units, desired changes, lifecycle states,
 * the warm pool, and a victim lost and refilled between two polls.
 */
import { describe, expect, it } from 'vitest';
import { diffCapacity, type CapacitySnapshot, type DiffState } from '../../src/observe/capacity-watch.js';

interface M {
  id: string;
  state?: string;
  health?: string;
  weight?: number;
  az?: string;
  target?: string;
}

/** A reading built the way snapshotCapacity sums it: InService members' weights, healthy ones in units. */
function snap(atMs: number, desired: number, members: M[], extra: Partial<CapacitySnapshot> = {}): CapacitySnapshot {
  const instances = new Map(
    members.map((m) => [
      m.id,
      { instanceId: m.id, availabilityZone: m.az ?? 'az-a', lifecycleState: m.state ?? 'InService', healthStatus: m.health ?? 'Healthy', weightedCapacity: m.weight ?? 1 },
    ]),
  );
  const tg = new Map(members.filter((m) => m.state === undefined || m.state === 'InService').map((m) => [m.id, m.target ?? 'healthy']));
  const inSvc = [...instances.values()].filter((i) => i.lifecycleState === 'InService');
  const healthy = inSvc.filter((i) => tg.get(i.instanceId) === 'healthy');
  const weighted = members.some((m) => (m.weight ?? 1) !== 1);
  return {
    atMs,
    desired,
    inService: inSvc.length,
    capacity: inSvc.reduce((a, i) => a + i.weightedCapacity, 0),
    healthy: healthy.reduce((a, i) => a + i.weightedCapacity, 0),
    healthyByAz: {},
    instances,
    targets: new Map([['tg', tg]]),
    failOpen: [],
    ...(weighted ? { unit: 'units' } : {}),
    ...extra,
  };
}

const kinds = (events: { event: string }[]): string[] => events.map((e) => e.event);
const fresh = (baselineHealthy: number, victims: string[] = []): DiffState => ({ lost: false, baselineHealthy, victims: new Set(victims), victimsLost: new Set() });

describe('diffCapacity under the capacity model', () => {
  const weighted = [
    { id: 'i-a', weight: 2 },
    { id: 'i-b', weight: 2 },
    { id: 'i-c', weight: 1 },
    { id: 'i-d', weight: 1 },
  ];

  it('sums weights: losing a weight-2 member is 4/6 units lost; a weight-2 launch for it restores (overshoot is full)', () => {
    const s = fresh(6);
    const lost = diffCapacity(snap(0, 6, weighted), snap(1, 6, weighted.slice(1)), s);
    expect(lost.find((e) => e.event === 'capacity-lost')?.detail).toBe('InService 4/6 units (3 instances), healthy 4/6 units');
    // The replacement weighs 2 while one unit would do... and then one more member launches: 7/6 is full.
    const back = diffCapacity(snap(1, 6, weighted.slice(1)), snap(2, 6, [...weighted.slice(1), { id: 'i-e', weight: 2 }, { id: 'i-f', weight: 1 }]), s);
    expect(kinds(back)).toContain('capacity-restored');
    expect(s.lost).toBe(false);
  });

  it('records desired-changed with from → to, and judges against the lowered desired (no false failure)', () => {
    const four = ['i-1', 'i-2', 'i-3', 'i-4'].map((id) => ({ id }));
    const s = fresh(4);
    expect(kinds(diffCapacity(snap(0, 4, four), snap(1, 4, four.slice(0, 3)), s))).toContain('capacity-lost');
    const lowered = diffCapacity(snap(1, 4, four.slice(0, 3)), snap(2, 3, four.slice(0, 3)), s);
    expect(lowered.find((e) => e.event === 'desired-changed')).toMatchObject({ from: 4, to: 3, detail: 'desired 4 → 3' });
    // 3 healthy >= min(baseline 4, desired 3): restored.
    expect(kinds(lowered)).toContain('capacity-restored');
  });

  it('emits every lifecycle change with from → to, and a replacement launched in Pending:Wait carries its state', () => {
    const s = fresh(2);
    const a = [{ id: 'i-1' }, { id: 'i-2' }];
    const e1 = diffCapacity(snap(0, 2, a), snap(1, 2, [{ id: 'i-1' }, { id: 'i-2', state: 'Terminating:Wait' }, { id: 'i-3', state: 'Pending:Wait' }]), s);
    expect(e1.find((e) => e.event === 'replacement-launched')).toMatchObject({ instanceId: 'i-3', to: 'Pending:Wait', detail: 'Pending:Wait' });
    expect(e1.find((e) => e.event === 'lifecycle')).toMatchObject({ instanceId: 'i-2', from: 'InService', to: 'Terminating:Wait' });
    const e2 = diffCapacity(snap(1, 2, [{ id: 'i-1' }, { id: 'i-2', state: 'Terminating:Wait' }, { id: 'i-3', state: 'Pending:Wait' }]), snap(2, 2, [{ id: 'i-1' }, { id: 'i-3' }]), s);
    expect(e2.filter((e) => e.event === 'lifecycle').map((e) => [e.instanceId, e.from, e.to])).toEqual([['i-3', 'Pending:Wait', 'InService']]);
    expect(kinds(e2)).toEqual(expect.arrayContaining(['instance-inservice', 'capacity-restored']));
  });

  it('shows a replacement that was warm as from the warm pool, and the warmed instances own state changes', () => {
    const warm = (state: string) => new Map([['i-w', { availabilityZone: 'az-a', lifecycleState: state }]]);
    const e1 = diffCapacity(snap(0, 1, [{ id: 'i-1' }], { warm: warm('Warmed:Pending') }), snap(1, 1, [{ id: 'i-1' }], { warm: warm('Warmed:Stopped') }), fresh(1));
    expect(e1.find((e) => e.event === 'lifecycle')).toMatchObject({ instanceId: 'i-w', from: 'Warmed:Pending', to: 'Warmed:Stopped' });
    const e2 = diffCapacity(snap(1, 1, [{ id: 'i-1' }], { warm: warm('Warmed:Stopped') }), snap(2, 1, [{ id: 'i-w', state: 'Pending' }], { warm: new Map() }), fresh(1));
    expect(e2.find((e) => e.event === 'replacement-launched')).toMatchObject({ instanceId: 'i-w', fromWarmPool: true, detail: 'Pending, from the warm pool (Warmed:Stopped)' });
  });

  it('counts a victim lost and refilled between two polls: lost and restored at that same poll, and only once', () => {
    const s = fresh(2, ['i-v']);
    const before = snap(0, 2, [{ id: 'i-1' }, { id: 'i-v' }]);
    const refilled = snap(10_000, 2, [{ id: 'i-1' }, { id: 'i-new' }]);
    const e = diffCapacity(before, refilled, s);
    expect(kinds(e)).toEqual(expect.arrayContaining(['instance-lost', 'replacement-launched', 'capacity-lost', 'capacity-restored']));
    expect(e.find((x) => x.event === 'capacity-restored')?.detail).toContain('refilled between two polls');
    expect(s.lost).toBe(false);
    expect([...(s.victimsLost ?? [])]).toEqual(['i-v']);
    expect(kinds(diffCapacity(refilled, { ...refilled, atMs: 20_000 }, s))).toEqual([]);
  });

  it('counts a victim already down in the previous reading as lost at the first poll that sees it, once', () => {
    const s = fresh(2, ['i-v']);
    // The previous reading already had the victim Unhealthy (no instance-lost then: it was never seen live).
    const prev = snap(0, 2, [{ id: 'i-1' }, { id: 'i-v', health: 'Unhealthy', state: 'Terminating' }, { id: 'i-2' }]);
    const e = diffCapacity(prev, { ...prev, atMs: 1 }, s);
    expect(e.filter((x) => x.event === 'instance-lost').map((x) => x.instanceId)).toEqual(['i-v']);
    expect(kinds(e)).toContain('capacity-lost');
    expect(diffCapacity(prev, { ...prev, atMs: 2 }, s).filter((x) => x.event === 'instance-lost')).toEqual([]);
  });

  it('keeps a lost member that still counts (InService, Unhealthy) from restoring in the same poll', () => {
    const s = fresh(2);
    const e = diffCapacity(snap(0, 2, [{ id: 'i-1' }, { id: 'i-2' }]), snap(1, 2, [{ id: 'i-1' }, { id: 'i-2', health: 'Unhealthy' }]), s);
    expect(kinds(e)).toContain('capacity-lost');
    expect(kinds(e)).not.toContain('capacity-restored');
    expect(s.lost).toBe(true);
  });
});
