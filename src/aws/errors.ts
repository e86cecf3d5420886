/**
 * Turns AWS SDK errors into ChaosErrors that say what failed, on which resource, and what to do, keeping
 * the SDK error as `cause`. Permission errors point at `chaos-ec2 iam-policy`.
 */
import { ChaosError, ExitCode, type Phase } from '../core/errors.js';

const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'SignatureDoesNotMatch',
]);
const PERMISSION_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

export function awsCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string };
  return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}

const ENDPOINT = Symbol.for('chaos-ec2.endpoint');

/** Records on an SDK error the URL its request went to (clients.ts does it for every call). */
export function noteEndpoint(err: unknown, url: string): void {
  if (err && typeof err === 'object' && !(ENDPOINT in err)) Object.defineProperty(err, ENDPOINT, { value: url, enumerable: false });
}

/**
 * An answer that is not an AWS response at all — an HTML error page from a proxy, a load balancer in front of an
 * emulator, a captive portal: the SDK could not parse it ("XML parse error", "Deserialization error") or it came
 * as HTML. What helps is its HTTP status and where it came from, not the parser's complaint.
 */
export function notAwsResponse(err: unknown): { status: number; endpoint: string } | undefined {
  const e = err as { $response?: { statusCode?: number; headers?: Record<string, string> }; $metadata?: { httpStatusCode?: number }; message?: unknown; [ENDPOINT]?: string };
  const status = e?.$response?.statusCode ?? e?.$metadata?.httpStatusCode;
  if (status === undefined) return undefined;
  const html = /text\/html/i.test(e.$response?.headers?.['content-type'] ?? '');
  if (!html && !/Deserialization error|XML parse error|Unexpected token|is not valid JSON/i.test(typeof e.message === 'string' ? e.message : '')) return undefined;
  return { status, endpoint: e[ENDPOINT] ?? 'the endpoint' };
}

export function awsError(err: unknown, what: string, opts: { phase: Phase; target?: string; exitCode?: ExitCode }): ChaosError {
  if (err instanceof ChaosError) return err;
  const foreign = notAwsResponse(err);
  if (foreign) {
    return new ChaosError(opts.exitCode ?? ExitCode.AwsError, `${what}: HTTP ${foreign.status} from ${foreign.endpoint}: not an AWS response`, {
      phase: opts.phase,
      ...(opts.target ? { target: opts.target } : {}),
      hint: 'check --endpoint-url / AWS_ENDPOINT_URL: whatever answers there is not an AWS API (or is failing in front of one)',
      cause: err,
    });
  }
  const code = awsCode(err);
  const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
  let hint: string | undefined;
  // A credential scoped to the wrong region or service is a SignatureDoesNotMatch too (IAM's SigV4
  // troubleshooting page), but the keys are fine: what is wrong is --region, or the endpoint.
  const wrongRegion = /Credential should be scoped to a valid region, not '([^']*)'/i.exec(message ?? '')?.[1];
  if (wrongRegion !== undefined) hint = `the endpoint does not serve region '${wrongRegion}': check --region (or AWS_REGION) against the endpoint's region`;
  else if (/Credential should be scoped to correct service/i.test(message ?? '')) hint = 'the endpoint serves another service: check --endpoint-url / AWS_ENDPOINT_URL';
  else if (CREDENTIAL_CODES.has(code)) hint = 'check your AWS credentials (AWS_PROFILE, --profile, or `aws sts get-caller-identity`)';
  else if (PERMISSION_CODES.has(code)) hint = 'grant the permissions printed by `chaos-ec2 iam-policy` to this identity';
  else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message ?? '')) hint = 'check --endpoint-url / AWS_ENDPOINT_URL and your network';
  return new ChaosError(opts.exitCode ?? ExitCode.AwsError, `${what}: ${code}: ${message}`, {
    phase: opts.phase,
    ...(opts.target ? { target: opts.target } : {}),
    ...(hint ? { hint } : {}),
    cause: err,
  });
}

/** Runs an AWS call and wraps any failure with awsError. */
export async function call<T>(what: string, opts: { phase: Phase; target?: string; exitCode?: ExitCode }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw awsError(err, what, opts);
  }
}
