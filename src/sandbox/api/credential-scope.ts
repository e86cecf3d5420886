/**
 * The SigV4 credential scope check: a sandbox pretends to be ONE region, so a request signed for another
 * region (or for a service other than the one it calls) is refused the way AWS refuses it, before anything
 * is read or changed. This is what makes a `--region` that does not match the endpoint fail loudly instead of
 * quietly working against the sandbox's only world.
 *
 * AWS's answer, per "Troubleshoot Signature Version 4 signing for AWS API requests"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html): the signature check
 * fails with HTTP 403 SignatureDoesNotMatch; for the region, "Credential should be scoped to a valid Region,
 * not region-code"; for the service, "Credential should be scoped to correct service: 'service'". The exact
 * wording on the wire (lowercase "region", the scope's region quoted) is as AWS SDK users report it, e.g.
 * aws/aws-sdk-go#156 ("Credential should be scoped to a valid region, not 'us-west-2'.") and
 * aws/aws-sdk-ruby#508. EC2 lists SignatureDoesNotMatch among its common client errors
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), so every service answers
 * with the same code, in its own protocol's error envelope.
 *
 * Signature values themselves are not verified: the sandbox accepts any credentials (see SANDBOX_CREDENTIALS).
 */
import { ApiError } from './errors.js';

export interface CredentialScope {
  date: string;
  region: string;
  service: string;
}

/** The scope of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/ec2/aws4_request, …`. */
export function parseCredentialScope(authorization: string | undefined): CredentialScope | undefined {
  const m = /Credential=[^/\s,]+\/([^/\s,]+)\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/.exec(authorization ?? '');
  return m ? { date: m[1]!, region: m[2]!, service: m[3]! } : undefined;
}

/**
 * Why AWS would refuse this scope at an endpoint of `region` serving `signingName`, or undefined when it
 * is right. The region is checked first, as the AWS troubleshooting page lists it.
 */
export function scopeError(scope: CredentialScope, expected: { region: string; signingName: string }): ApiError | undefined {
  if (scope.region !== expected.region) {
    return new ApiError('SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${scope.region}'.`, 403);
  }
  if (scope.service !== expected.signingName) {
    return new ApiError('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${expected.signingName}'.`, 403);
  }
  return undefined;
}
