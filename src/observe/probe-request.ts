/**
 * One probe request: sending it through undici's dispatch API, and what its ending means.
 */
import type { Dispatcher } from 'undici';
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

export interface Exchange {
  /** Ends the exchange now (the probe's deadline); its `done` callback is not called afterwards. */
  abort(reason: Error): void;
}

/**
 * One HTTP exchange through undici's dispatch API: no response stream, no promise, the body discarded chunk
 * by chunk (the same effect as body.dump(), at a fraction of the cost, which is what keeps closed-loop mode
 * in autocannon's class). `done` is called once, with the status at the end of the body or with the error.
 */
export function exchange(pool: Dispatcher, opts: Dispatcher.DispatchOptions, done: (statusCode: number | null, err: unknown) => void): Exchange {
  let controller: Dispatcher.DispatchController | null = null;
  let abortedWith: Error | null = null;
  let status = 0;
  let finished = false;
  const end = (statusCode: number | null, err: unknown): void => {
    if (finished || abortedWith) return;
    finished = true;
    done(statusCode, err);
  };
  try {
    pool.dispatch(opts, {
      onRequestStart(c) {
        controller = c;
        // A request that waited in the pool past its deadline starts here: do not send it at all.
        if (abortedWith) c.abort(abortedWith);
      },
      onResponseStart(_c, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        end(status, null);
      },
      onResponseError(_c, err) {
        end(null, err);
      },
    });
  } catch (err) {
    end(null, err);
  }
  return {
    abort(reason) {
      if (finished || abortedWith) return;
      abortedWith = reason;
      controller?.abort(reason);
    },
  };
}
