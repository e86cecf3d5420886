/**
 * Secrets in a probe URL (`https://user:pass@host/?token=…`) are for the probe alone: the plan, the journal,
 * the report files and the terminal are read by many more people than the credentials were meant for, and
 * reports get attached to CI runs. Everything but the probe gets the redacted form.
 */
export const REDACTED = '***';

/** `https://***:***@host/path?token=***&page=***` — the shape stays visible, the values do not. */
export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not a URL: nothing structured to keep; hide any query-like tail anyway.
    return raw.replace(/\?.*$/, `?${REDACTED}`);
  }
  if (u.username) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  if (u.search) {
    const keys = [...u.searchParams.keys()];
    u.search = keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  }
  // URL encodes `*` in userinfo as-is; keep the printed form readable.
  return u.toString().replace(/%2A/gi, '*');
}
