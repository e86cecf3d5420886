/**
 * What one probe request's ending means, and the cheap per-request deadline signal the probe hands to undici.
 */
import type { FailureKind } from './buckets.js';

/** Why a request ended badly, from undici's and Node's error codes. */
export function classifyError(err: unknown): FailureKind {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  for (const code of codes) {
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'connect_timeout';
    if (code === 'ECONNREFUSED') return 'connect_refused';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'connect_reset';
  }
  return 'other';
}

/** An AbortSignal-shaped object undici accepts; one AbortController per request costs more than this. */
export class Deadline {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | null = null;
  addEventListener(_type: 'abort', fn: () => void): void {
    this.listener = fn;
  }
  removeEventListener(): void {
    this.listener = null;
  }
  fire(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    this.listener?.();
  }
}
