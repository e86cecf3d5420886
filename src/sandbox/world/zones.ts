/**
 * A region's Availability Zones as AWS names them: `<region><letter>` (us-east-1a), with zone ids formed from
 * the region's short name (use1-az1), which is how the sandbox's DescribeAvailabilityZones answers.
 */
import type { AvailabilityZone } from './types.js';

/** The first `count` zones (a–f, at least one). */
export function regionZones(region: string, count: number): AvailabilityZone[] {
  const letters = 'abcdef'.slice(0, Math.max(1, Math.min(6, count)));
  const [area = 'xx', direction = 'x', num = '1'] = region.split('-');
  const short = `${area}${direction[0]}${num}`; // us-east-1 → use1, as AWS zone ids read
  return [...letters].map((l, i) => ({ zoneName: `${region}${l}`, zoneId: `${short}-az${i + 1}`, regionName: region }));
}
