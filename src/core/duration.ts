import { usageError } from './errors.js';
import { durationMs } from './options.js';

/**
 * Parses `500ms`, `30s`, `5m`, `1h`, `1m30s` or a bare number of seconds into milliseconds.
 * Throws a usage error naming the flag, so bad input never reaches AWS. (Options with limits use
 * core/options.ts `duration(min, max)`, which shares the grammar.)
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
