/**
 * Plan time: the probe rate asked for is checked against this machine (observe/calibrate.ts measures it on a
 * loopback sink, never the service) and refused when the probe could not hold it. A probe that cannot keep
 * its schedule would report its own lateness as the service's latency, in the baseline and after t0 alike:
 * better refused now, with the ceiling measured, than discovered mid-run as saturated seconds.
 */
import { refused } from '../core/errors.js';
import type { RateCheck } from '../observe/calibrate.js';

export async function checkProbeCapacity(rate: number, check: ((rate: number) => Promise<RateCheck>) | undefined): Promise<void> {
  const r = await check?.(rate);
  if (!r || r.ok) return;
  const { ceiling } = r.calibration;
  throw refused(`--rate ${rate} is more than this machine's probe can hold: its measured ceiling here is ${ceiling} req/s (loopback calibration); nothing was injected`, {
    phase: 'plan',
    hint: `lower --rate to ${ceiling} or less, or run chaos-ec2 where more CPU is free`,
  });
}
