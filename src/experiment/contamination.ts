/**
 * PURE: what the run's record says about losses the experiment did not cause (Causes marks them
 * 'contaminated') and about what blocked a recovery that timed out (the 'recovery-timeout' mark's `blocked`).
 * The verdict and the report read them from here, so both say the same thing.
 */
import { formatDuration } from '../core/duration.js';
import type { Contamination } from './types.js';

export type { Contamination };

/** A timeline mark as the recorder keeps it (epoch ms, its own fields). */
type Mark = { atMs: number; event: string; [k: string]: unknown };

/** The first contaminating loss, `atMs` in ms since `base` (t0); undefined when the run was clean. */
export function contaminationOf(marks: readonly Mark[], base: number): Contamination | undefined {
  const first = marks.filter((m) => m.event === 'contaminated').sort((a, b) => a.atMs - b.atMs)[0];
  if (!first) return undefined;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { instanceId: text(first.instanceId), atMs: first.atMs - base, cause: text(first.cause) };
}

/** One line, for the verdict's reason and every renderer. */
export function contaminationText(c: Contamination): string {
  return `the run was contaminated: ${c.instanceId} was lost at +${formatDuration(c.atMs)}, not by this experiment (${c.cause})`;
}

/** What the recovery timeout found blocking (empty when it did not time out or found nothing). */
export function blockedOf(marks: readonly Mark[]): string[] {
  const m = marks.find((x) => x.event === 'recovery-timeout');
  return Array.isArray(m?.blocked) ? (m.blocked as string[]) : [];
}

/** What the verdict needs from the record: the blockers of a timed-out recovery, and a contaminating loss. */
export function observedNotes(marks: readonly Mark[], t0: number): { blocked: string[]; contaminated: Contamination | undefined } {
  return { blocked: blockedOf(marks), contaminated: contaminationOf(marks, t0) };
}
