/**
 * One signed REST-JSON call to AWS FIS, with the AWS SDK's behaviour where it matters for safety:
 *
 * - SigV4 (signing name `fis`) by @smithy/signature-v4, the signer the SDK clients use, with node:crypto's sha256.
 * - Credentials from the run's one shared provider (credentials.ts), resolved per attempt so renewed ones are used.
 * - Retries as the SDK's `standard` mode does them (smithy StandardRetryStrategy): throttling errors and 429 with
 *   a 500 ms backoff base, transient errors (500/502/503/504, connection resets, timeouts) with 100 ms, full
 *   jitter, capped at 20 s, `maxAttempts` in all. A retried StartExperiment/CreateExperimentTemplate is safe: each
 *   carries a clientToken made once per call, which FIS uses to return the same resource instead of a second one.
 * - Every attempt is bounded by `requestTimeoutMs` and the caller's AbortSignal: a rollback (StopExperiment) must
 *   never hang on a dead connection while an AZ is dark.
 * - Failures are thrown in the SDK's error shape (`name` = the error code, `message`, `$fault`,
 *   `$metadata.httpStatusCode`, `$response`), so errors.ts classifies them like any SDK client's.
 */
import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './credentials.js';
import { noteEndpoint } from './errors.js';

/** What the smithy signer hashes (its SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): BinaryLike {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The hash class the smithy signer wants (new Sha256(secret?) → update → digest), over node:crypto. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/**
 * The signer, configured as every FIS call uses it: no x-amz-content-sha256 header (only S3 and Glacier want
 * one; botocore sends none for FIS), paths escaped as all services but S3 expect. Exported for the SigV4 test vector.
 */
export function createSigner(opts: { service: string; region: string; credentials: TransportConfig['credentials'] | Credentials }): SignatureV4 {
  return new SignatureV4({ service: opts.service, region: opts.region, credentials: opts.credentials, sha256: NodeSha256, applyChecksum: false, uriEscapePath: true });
}

export interface TransportConfig {
  /** `https://fis.<region>.amazonaws.com` against AWS; the sandbox's URL in tests. */
  endpoint: string;
  region: string;
  credentials: () => Promise<Credentials>;
  /** Total attempts, first included. */
  maxAttempts: number;
  requestTimeoutMs: number;
}

export interface RestRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  /** Already percent-encoded path segments (encodeURIComponent of each label). */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/** The SDK's error shape (ServiceException): what errors.ts and callers read. */
export class FisServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number; totalRetryDelay: number };
  readonly $response: { statusCode: number; headers: Record<string, string>; body: string } | undefined;
  constructor(name: string, message: string, status: number | undefined, extra: { requestId?: string; response?: FisServiceError['$response'] } = {}) {
    super(message);
    this.name = name;
    this.$fault = status !== undefined && status < 500 ? 'client' : 'server';
    this.$metadata = { ...(status !== undefined ? { httpStatusCode: status } : {}), ...(extra.requestId ? { requestId: extra.requestId } : {}), attempts: 1, totalRetryDelay: 0 };
    this.$response = extra.response;
  }
}

/** The SDK's throttling error codes (@smithy/service-error-classification THROTTLING_ERROR_CODES). */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError', 'RequestTimeout']);
const MAX_DELAY_MS = 20_000;
const STALE_SOCKET = Symbol('stale keep-alive socket');

/** RFC 3986 percent-encoding, as SigV4 canonicalizes the query: what is sent is what was signed. */
const rfc3986 = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function retryBase(err: unknown): number | undefined {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (status === 429 || THROTTLING.has(e?.name ?? '')) return 500;
  if ((status !== undefined && TRANSIENT_STATUS.has(status)) || TRANSIENT_NETWORK.has(e?.code ?? '') || TRANSIENT_NETWORK.has(e?.name ?? '')) return 100;
  return undefined;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('The operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The error code of a REST-JSON error answer: the `x-amzn-errortype` header, else the body's `code` or `__type`
 * (smithy's loadRestJsonErrorCode). Either may carry a namespace (`com.amazonaws.fis#ValidationException`) or a
 * suffix after `:` (a documentation URL), both stripped.
 */
export function errorCode(header: string | undefined, body: unknown): string | undefined {
  const b = body as { code?: unknown; __type?: unknown } | undefined;
  const raw = header ?? (typeof b?.code === 'string' ? b.code : typeof b?.__type === 'string' ? b.__type : undefined);
  if (!raw) return undefined;
  return raw.split(':')[0]!.split('#').pop()!.trim() || undefined;
}

export class FisTransport {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(private readonly cfg: TransportConfig) {
    this.url = new URL(cfg.endpoint);
    this.signer = createSigner({ service: 'fis', region: cfg.region, credentials: cfg.credentials });
    // Keep-alive like the SDK's handler; a socket the server closed meanwhile ends in ECONNRESET, retried.
    this.agent = this.url.protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  }

  destroy(): void {
    this.agent.destroy();
  }

  /** Sends the request, retrying as described above; resolves to the parsed JSON body ({} when empty). */
  async send(req: RestRequest): Promise<unknown> {
    let totalDelay = 0;
    let staleRetried = false;
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw abortError(req.signal);
      try {
        return await this.once(req);
      } catch (err) {
        if (req.signal?.aborted) throw abortError(req.signal);
        // A kept-alive socket the server had closed meanwhile: the request never reached it. Sent again at once,
        // once, without counting as an attempt (as Node's docs advise for reusedSocket), so even a one-attempt
        // client does not fail on an idle connection's race.
        if (STALE_SOCKET in (err as object) && !staleRetried) {
          staleRetried = true;
          attempt--;
          continue;
        }
        const base = retryBase(err);
        if (base === undefined || attempt >= this.cfg.maxAttempts) {
          const meta = (err as Partial<FisServiceError>).$metadata;
          if (meta) Object.assign(meta, { attempts: attempt, totalRetryDelay: totalDelay });
          noteEndpoint(err, `${this.url.origin}${req.path}`);
          throw err;
        }
        const delay = Math.floor(Math.min(MAX_DELAY_MS, Math.random() * 2 ** attempt * base));
        totalDelay += delay;
        await sleep(delay, req.signal);
      }
    }
  }

  private async once(req: RestRequest): Promise<unknown> {
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query[k] = v;
    const basePath = this.url.pathname.replace(/\/+$/, '');
    const headers: Record<string, string> = { host: this.url.host, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const signed = await this.signer.sign({
      method: req.method,
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      path: `${basePath}${req.path}`,
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const qs = Object.entries(query)
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .join('&');
    const res = await this.exchange(`${this.url.origin}${basePath}${req.path}${qs ? `?${qs}` : ''}`, req.method, signed.headers, body, req.signal);
    return parseResponse(res);
  }

  private exchange(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    caller: AbortSignal | undefined,
  ): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const send = this.url.protocol === 'http:' ? httpRequest : httpsRequest;
    const timeout = AbortSignal.timeout(this.cfg.requestTimeoutMs);
    const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
    return new Promise((resolve, reject) => {
      const r = send(url, { method, headers, agent: this.agent, signal }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      r.on('error', (err: Error) => {
        // The timeout's abort surfaces as an AbortError from node:http; name it as the SDK does, so it is retried.
        if (r.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && !caller?.aborted && !timeout.aborted) {
          Object.defineProperty(err, STALE_SOCKET, { value: true });
        }
        if (timeout.aborted && !caller?.aborted) {
          const e = new Error(`FIS request timed out after ${this.cfg.requestTimeoutMs} ms`, { cause: err });
          e.name = 'TimeoutError';
          reject(e);
          return;
        }
        reject(err);
      });
      r.end(body);
    });
  }
}

function parseResponse(res: { status: number; headers: Record<string, string>; text: string }): unknown {
  let json: unknown;
  let parsed = true;
  try {
    json = res.text.trim() === '' ? {} : JSON.parse(res.text);
  } catch {
    parsed = false;
  }
  const requestId = res.headers['x-amzn-requestid'];
  const response = { statusCode: res.status, headers: res.headers, body: res.text };
  if (res.status >= 200 && res.status < 300 && parsed) return json;
  if (!parsed) {
    // The wording errors.ts recognises as "not an AWS response" (a proxy's HTML page, a wrong endpoint).
    throw new FisServiceError('Unknown', `Deserialization error: HTTP ${res.status} with a body that is not JSON`, res.status, { ...(requestId ? { requestId } : {}), response });
  }
  const code = errorCode(res.headers['x-amzn-errortype'], json) ?? (res.status >= 500 ? 'InternalFailure' : 'UnknownError');
  const b = json as { message?: unknown; Message?: unknown };
  const message = typeof b?.message === 'string' ? b.message : typeof b?.Message === 'string' ? b.Message : code;
  throw new FisServiceError(code, message, res.status, { ...(requestId ? { requestId } : {}), response });
}
