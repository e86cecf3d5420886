/**
 * The fault's own section of a report, as its module describes it (heading + rows). Every renderer draws the
 * same view, so a new fault's section appears in the terminal, Markdown and HTML with no renderer change.
 * A report of a kind this version does not know (from a newer chaos-ec2) simply has no section.
 */
import type { Report } from '../experiment/types.js';
import { FAULTS } from '../faults/index.js';
import type { FaultView } from '../faults/types.js';
import { engineView } from '../experiment/engines/report.js';

export function faultView(r: Report): FaultView | undefined {
  if (!r.fault || r.fault.detail === undefined) return undefined;
  return FAULTS.find((f) => f.kind === r.fault!.kind)?.view?.(r.fault.detail);
}

/** The sections every renderer draws after the probe: the fault's own, then the engine's (FIS only). */
export function sectionViews(r: Report): FaultView[] {
  return [faultView(r), engineView(r)].filter((v): v is FaultView => v !== undefined);
}
