import { usageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const DURATION_PATTERN = '^\\s*((\\d+(\\.\\d+)?(ms|s|m|h))+|\\d+(\\.\\d+)?)\\s*$';

/** `500ms`, `30s`, `5m`, `1h`, `1m30s` or a bare number of seconds → ms; NaN when not a duration. */
export function durationMs(input: string): number {
  const t = input.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === 0 || matched !== t.length ? NaN : Math.round(total);
}

/** `12h`, `1m30s`, `250ms`: the shortest exact spelling of a whole number of ms. */
export function showMs(ms: number): string {
  if (ms === 0) return '0s';
  for (const [u, f] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % f === 0) return `${ms / f}${u}`;
  return `${ms}ms`;
}

/**
 * Parses `500ms`, `30s`, `5m`, `1h`, `1m30s` or a bare number of seconds into milliseconds.
 * Throws a usage error naming the flag, so bad input never reaches AWS. (Options with limits use
 * core/options.ts `duration(min, max)`, which shares this grammar.)
 */
export function parseDuration(input: string, name = 'duration'): number {
  const ms = durationMs(input);
  if (Number.isNaN(ms)) throw usageError(`${name}: '${input}' is not a duration`, 'use e.g. 500ms, 30s, 5m or 1m30s');
  return ms;
}

/** Formats milliseconds for people: `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  // Round to whole seconds first, so 179.7 s reads 3m00s rather than 2m60s.
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}m${String(s).padStart(2, '0')}s`;
}
