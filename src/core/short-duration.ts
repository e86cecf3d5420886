/** A duration for a sentence, rounded to what a reader needs: "0s", "300ms", "45s", "1m30s", "2m". */
export function shortDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return s % 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s / 60}m`;
}
