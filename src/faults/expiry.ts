/**
 * PURE: whether something an experiment left behind may be undone by `recover --expired` at `now`. A missing
 * or unparsable expiry is never "expired": an experiment that may still be running is not touched.
 */
export function isExpired(expiresAt: string | null | undefined, now: number): boolean {
  const t = expiresAt ? Date.parse(expiresAt) : NaN;
  return Number.isFinite(t) && t <= now;
}
