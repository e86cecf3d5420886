/**
 * Blast radius and capacity floor. Pure functions over a capacity snapshot: which instances may be taken
 * without leaving fewer healthy targets than the floor, overall and per AZ. The defaults keep at least half
 * of desired capacity healthy and at least one healthy target in every AZ, so a "random" pick can never
 * take an AZ's last healthy instance unless the user lowers the floor explicitly.
 */
import type { Rng } from '../core/random.js';
import { refused } from '../core/errors.js';
import type { FaultTarget } from './types.js';

/**
 * Weighted groups: what each member counts, and the units' word. Floors, healthy counts and the per-AZ floor
 * are then in units: a weight-2 victim removes 2. Absent: every member counts one and messages speak of
 * instances, as they always did.
 */
export interface Units {
  of: (instanceId: string) => number;
  word: string;
}

const one = (): number => 1;

export function floorUnits(snap: { unit?: string; instances: Map<string, { weightedCapacity: number }> }): Units | undefined {
  return snap.unit ? { of: (id) => snap.instances.get(id)?.weightedCapacity ?? 1, word: snap.unit } : undefined;
}

export interface Floor {
  /** Healthy targets that must remain, overall. */
  minHealthy: number;
  /** Healthy targets that must remain in each AZ that has any now. */
  minHealthyPerAz: number;
}

/** --min-healthy accepts a count (`3`) or a share of desired (`50%`); default 50 % of desired, rounded up. */
export function resolveFloor(desired: number, minHealthy: string | undefined, minHealthyPerAz: number | undefined): Floor {
  let overall = Math.ceil(desired / 2);
  if (minHealthy !== undefined) {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(minHealthy.trim());
    overall = m ? Math.ceil((desired * Number(m[1])) / 100) : Number(minHealthy);
  }
  return { minHealthy: overall, minHealthyPerAz: minHealthyPerAz ?? 1 };
}

/** How many instances a --count / --percent selection means (FIS-style: PERCENT rounds down, at least one). */
export function selectionSize(candidates: number, sel: { count?: number; percent?: number }): number {
  if (sel.count !== undefined) return sel.count;
  const pct = sel.percent ?? 0;
  return Math.max(1, Math.floor((candidates * pct) / 100));
}

export interface Selection {
  targets: FaultTarget[];
  after: { healthy: number; healthyByAz: Record<string, number> };
}

/**
 * Picks `k` instances at random among healthy candidates, skipping any whose loss would break the floor.
 * Throws a refusal (exit 3) when the floor cannot be kept, naming the numbers.
 */
export function selectWithinFloor(candidates: FaultTarget[], healthyByAz: Record<string, number>, k: number, floor: Floor, rng: Rng, units?: Units): Selection {
  const healthyTotal = Object.values(healthyByAz).reduce((a, b) => a + b, 0);
  const w = units?.of ?? one;
  if (k > candidates.length) {
    throw refused(`asked for ${k} instance(s) but only ${candidates.length} healthy InService instance(s) match`, {
      phase: 'plan',
      hint: 'lower --count/--percent or drop --az',
    });
  }
  // Unweighted: k instances remove k. Weighted, the pick decides how many units go; checked as it picks.
  if (!units && healthyTotal - k < floor.minHealthy) {
    throw refused(`capacity floor: taking ${k} of ${healthyTotal} healthy instance(s) would leave ${healthyTotal - k}, below --min-healthy ${floor.minHealthy}`, {
      phase: 'plan',
      hint: 'lower --count/--percent, or set --min-healthy explicitly if this is intended',
    });
  }
  const remaining = { ...healthyByAz };
  const picked: FaultTarget[] = [];
  let total = healthyTotal;
  for (const c of rng.sample(candidates, candidates.length)) {
    if (picked.length === k) break;
    const left = (remaining[c.availabilityZone] ?? 0) - w(c.instanceId);
    if (left < floor.minHealthyPerAz || total - w(c.instanceId) < floor.minHealthy) continue;
    remaining[c.availabilityZone] = left;
    total -= w(c.instanceId);
    picked.push(c);
  }
  if (units && picked.length < k) {
    throw refused(
      `capacity floor: cannot take ${k} instance(s) and keep --min-healthy ${floor.minHealthy} ${units.word} healthy overall and ${floor.minHealthyPerAz} in every AZ (${formatAz(healthyByAz)} ${units.word})`,
      {
        phase: 'plan',
        hint: 'lower --count/--percent, or set --min-healthy / --min-healthy-per-az explicitly if this is intended',
      },
    );
  }
  if (picked.length < k) {
    throw refused(`capacity floor: cannot take ${k} instance(s) and keep ${floor.minHealthyPerAz} healthy target(s) in every AZ (${formatAz(healthyByAz)})`, {
      phase: 'plan',
      hint: 'lower --count/--percent, or pass --min-healthy-per-az 0 to allow emptying an AZ',
    });
  }
  return { targets: picked, after: { healthy: total, healthyByAz: remaining } };
}

export function formatAz(byAz: Record<string, number>): string {
  return Object.entries(byAz)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([az, n]) => `${az}: ${n}`)
    .join(', ');
}

/**
 * Instance faults, rechecked right before acting: the planned targets taken from the FRESH healthy
 * counts must still leave the floor, overall and in each of the targets' AZs. Between planning and injecting
 * lie the baseline (10 s by default) and, on a TTY, the confirmation prompt; another instance may have failed
 * meanwhile, and the plan's "after" figures would then be a promise the run can no longer keep.
 */
export function checkFloorAfter(healthyByAz: Record<string, number>, targets: FaultTarget[], floor: Floor, units?: Units): { healthy: number; healthyByAz: Record<string, number> } {
  const after = { ...healthyByAz };
  const w = units?.of ?? one;
  for (const t of targets) after[t.availabilityZone] = (after[t.availabilityZone] ?? 0) - w(t.instanceId);
  const healthy = Object.values(after).reduce((a, b) => a + b, 0);
  if (healthy < floor.minHealthy) {
    const u = units ? ` ${units.word}` : '';
    throw refused(`capacity floor: taking ${targets.length} out now would leave ${healthy}${u} healthy, below --min-healthy ${floor.minHealthy}${u} (${formatAz(healthyByAz)} healthy now)`, {
      phase: 'inject',
      hint: 'the group lost capacity since planning; wait until it is steady and run again',
    });
  }
  const broken = [...new Set(targets.map((t) => t.availabilityZone))].filter((az) => (after[az] ?? 0) < floor.minHealthyPerAz).sort();
  if (broken.length) {
    throw refused(`capacity floor: taking them out now would leave fewer than ${floor.minHealthyPerAz} healthy in ${broken.join(', ')} (${formatAz(healthyByAz)} healthy now)`, {
      phase: 'inject',
      hint: 'the group lost capacity since planning; wait until it is steady and run again',
    });
  }
  return { healthy, healthyByAz: after };
}
