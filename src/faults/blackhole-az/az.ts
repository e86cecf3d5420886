/** Which AZ blackhole-az cuts off, and the capacity floor that must hold in the others. */
import { refused } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import { formatAz, type Floor } from '../../experiment/safety.js';

/**
 * The AZ to cut off. --az must be one of the group's AZs; otherwise one is picked with the
 * seeded rng among them (sorted first, so the pick does not depend on API order) and recorded.
 */
export function pickAz(groupAzs: string[], requested: string | undefined, rng: Rng, healthyByAz: Record<string, number> = {}): { az: string; chosenBy: 'flag' | 'random' } {
  const azs = [...new Set(groupAzs)].sort();
  if (azs.length === 0) throw refused('the group has no subnets, so there is no Availability Zone to blackhole', { phase: 'plan' });
  if (requested !== undefined) {
    if (!azs.includes(requested)) {
      // The hint lists what the operator can pick from, with what each AZ holds now.
      const listed = azs.map((az) => `${az} (${healthyByAz[az] ?? 0} healthy)`).join(', ');
      throw refused(`the group has no subnet in ${requested}`, { phase: 'plan', hint: `pass --az with one of the group's AZs: ${listed}` });
    }
    return { az: requested, chosenBy: 'flag' };
  }
  return { az: azs[rng.int(azs.length)]!, chosenBy: 'random' };
}

/**
 * The capacity floor, per AZ: with `az` dark, only the OTHER AZs serve, so they alone must hold at least
 * --min-healthy healthy targets; and cutting off the only AZ that serves is never allowed.
 */
export function checkAzFloor(healthyByAz: Record<string, number>, az: string, floor: Floor): { healthy: number; healthyByAz: Record<string, number> } {
  const after = { ...healthyByAz, [az]: 0 };
  const healthy = Object.values(after).reduce((a, b) => a + b, 0);
  if (healthy === 0) {
    throw refused(`capacity floor: no healthy target outside ${az} (${formatAz(healthyByAz)})`, {
      phase: 'plan',
      hint: 'a blackhole of the only serving AZ is a full outage; pick another AZ',
    });
  }
  if (healthy < floor.minHealthy) {
    throw refused(`capacity floor: with ${az} cut off, the other AZs hold ${healthy} healthy target(s), below --min-healthy ${floor.minHealthy} (${formatAz(healthyByAz)})`, {
      phase: 'plan',
      hint: 'pick an AZ with fewer instances (--az), or set --min-healthy explicitly if this is intended',
    });
  }
  return { healthy, healthyByAz: after };
}
