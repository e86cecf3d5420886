/**
 * What every renderer says about capacity beyond the headline figures: the breakdown in one line (with the
 * time a launch lifecycle hook held the replacement), and the warning that a run was contaminated by a loss
 * the experiment did not cause. One wording, shared by terminal, Markdown, HTML and JUnit.
 */
import { formatDuration } from '../core/duration.js';
import type { Report } from '../experiment/types.js';

type Breakdown = NonNullable<Report['recovery']>['breakdown'];

export function breakdownText(b: Breakdown): string {
  const wait = b.lifecycleWaitMs != null ? ` · held in Pending:Wait ${formatDuration(b.lifecycleWaitMs)}` : '';
  return `lost ${formatDuration(b.capacityLostMs)} · replacement launched ${formatDuration(b.replacementLaunchedMs)}${wait} · InService ${formatDuration(b.inServiceMs)} · target healthy ${formatDuration(b.targetHealthyMs)}`;
}

/** `CONTAMINATED: i-… was lost at +12.0s, not by this experiment (cause)`; undefined for a clean run. */
export function contaminatedLine(r: Pick<Report, 'contaminated'>): string | undefined {
  const c = r.contaminated;
  if (!c) return undefined;
  return `CONTAMINATED: ${c.instanceId} was lost at +${formatDuration(c.atMs)}, not by this experiment (${c.cause}); the figures may not be the fault's alone`;
}
