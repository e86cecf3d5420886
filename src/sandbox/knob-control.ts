/**
 * Changing fault knobs: validation of a patch (all problems at once) and applying it with a `knob` event
 * per real change. POST /_sandbox/knobs goes through here, and so should in-process callers (tests), since
 * some knobs (stallActions) react to the recorded change.
 */
import type { SandboxContext } from './context.js';
import { DEFAULT_KNOBS, type Knobs } from './knobs.js';

function stallRuleProblems(value: unknown): string[] {
  const shape = 'knob "stallActions" must be an array of {action: string, after: integer >= 0, applied?: boolean}';
  if (!Array.isArray(value)) return [shape];
  const bad = value.some((r: unknown) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) return true;
    const { action, after, applied, ...rest } = r as Record<string, unknown>;
    return (
      typeof action !== 'string' ||
      !action ||
      typeof after !== 'number' ||
      !Number.isInteger(after) ||
      after < 0 ||
      (applied !== undefined && typeof applied !== 'boolean') ||
      Object.keys(rest).length > 0
    );
  });
  return bad ? [shape] : [];
}

/** Checks a knob patch against the knobs' types; returns the problems, all at once. */
export function validateKnobs(patch: unknown): string[] {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return ['body must be a JSON object of knob values'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in DEFAULT_KNOBS)) {
      problems.push(`unknown knob "${key}" (known: ${Object.keys(DEFAULT_KNOBS).join(', ')})`);
      continue;
    }
    const expected = DEFAULT_KNOBS[key as keyof Knobs];
    if (key === 'stallActions') {
      problems.push(...stallRuleProblems(value));
    } else if (key === 's3AccessDenied') {
      // A bucket name, or bucket/prefix: an empty entry (or one starting with '/') would name no bucket.
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v || v.startsWith('/'))) {
        problems.push('knob "s3AccessDenied" must be an array of "bucket" or "bucket/prefix" strings');
      }
    } else if (Array.isArray(expected)) {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) problems.push(`knob "${key}" must be an array of strings`);
    } else if (typeof value !== typeof expected) {
      problems.push(`knob "${key}" must be a ${typeof expected}, got ${JSON.stringify(value)}`);
    } else if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
      problems.push(`knob "${key}" must be a finite number >= 0`);
    } else if (key === 'apiErrorRate' && (value as number) > 1) {
      problems.push('knob "apiErrorRate" is a probability, between 0 and 1');
    }
  }
  return problems;
}

/** Applies a (validated) patch; every real change is recorded as a `knob` event. Arrays are copied. */
export function setKnobs(ctx: SandboxContext, patch: Partial<Knobs>): void {
  for (const [name, value] of Object.entries(patch)) {
    const current = (ctx.knobs as unknown as Record<string, unknown>)[name];
    if (JSON.stringify(current) === JSON.stringify(value)) continue; // only real changes are events
    (ctx.knobs as unknown as Record<string, unknown>)[name] = Array.isArray(value) ? value.map((v: unknown) => (v && typeof v === 'object' ? { ...v } : v)) : value;
    ctx.world.emit({ type: 'knob', name, value });
  }
}
