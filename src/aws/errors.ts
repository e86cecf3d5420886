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

export function awsError(err: unknown, what: string, opts: { phase: Phase; target?: string; exitCode?: ExitCode }): ChaosError {
  if (err instanceof ChaosError) return err;
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
