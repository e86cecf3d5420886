/**
 * Secrets stop at the boundary. A probe URL's credentials and secret-looking query values, probe header values
 * and values interpolated from the environment into an experiment file are for the probe (or the AWS call)
 * alone: the plan, the journal, the report files, the terminal and error messages are read by many more people
 * than the secrets were meant for, and reports get attached to CI runs.
 *
 * Two layers, like the AWS SDK's own sensitive-member filtering in its logs:
 * - where a value is parsed, it is noted as a secret (noteSecret, noteUrlSecrets) — even when parsing then fails,
 *   since the error message may quote it;
 * - every boundary that prints or writes (main's error line, report files, the journal, run's output) passes
 *   its text through `redact`, which replaces every noted secret, so a secret that reached a message by any
 *   path still never leaves the process.
 */
export const REDACTED = '***';

const secrets = new Set<string>();
/** Query keys whose values are treated as secrets wherever they appear. */
const SECRET_KEY = /token|key|secret|pass|auth|sig|session|cred|code/i;
/** Shorter values would scrub ordinary words out of every message; such values are no real secret anyway. */
const MIN_SECRET_LENGTH = 4;

/** Remembers a value that must never be printed, as written and URL-encoded. */
export function noteSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
}

/** Notes the user name, password and secret-looking query values of a URL (a no-op for text that is not one). */
export function noteUrlSecrets(raw: string): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not parseable: note the userinfo part by shape, so `ftp://user:pass@host` in an error is still hidden.
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(raw);
    for (const part of m?.[1]?.split(':') ?? []) noteSecret(part);
    return;
  }
  noteSecret(decodeURIComponent(u.username));
  noteSecret(decodeURIComponent(u.password));
  noteSecret(u.username);
  noteSecret(u.password);
  for (const [k, v] of u.searchParams) if (SECRET_KEY.test(k)) noteSecret(v);
}

/** Every noted secret replaced by ***, longest first (so a secret containing another is hidden whole). */
export function redact(text: string): string {
  if (secrets.size === 0) return text;
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  return out;
}

/** For tests: forget every noted secret. */
export function forgetSecrets(): void {
  secrets.clear();
}

/** `https://***:***@host/path?token=***&page=***` — the shape stays visible, the values do not. */
export function redactUrl(raw: string): string {
  noteUrlSecrets(raw);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not a URL: nothing structured to keep; hide any query-like tail anyway.
    return redact(raw.replace(/\?.*$/, `?${REDACTED}`));
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

/**
 * The same stream, but every string written to it passes through `redact` first (the terminal, CI logs and
 * `--json` on stdout are boundaries too). Everything else — isTTY, columns, events — is the stream's own.
 */
export function redacting<S extends NodeJS.WritableStream>(stream: S): S {
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) => (target.write as (c: unknown, ...r: unknown[]) => boolean).call(target, typeof chunk === 'string' ? redact(chunk) : chunk, ...rest);
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
