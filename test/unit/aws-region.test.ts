/**
 * Region names and the hints a wrongly scoped credential gets: --region is what is wrong, not the keys.
 */
import { describe, expect, it } from 'vitest';
import { awsError } from '../../src/aws/errors.js';
import { isRegionName } from '../../src/aws/region.js';

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('isRegionName', () => {
  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'eu-isoe-west-1', 'us-east-1-fips', 'fips-us-east-1'])('accepts %s', (r) =>
    expect(isRegionName(r)).toBe(true),
  );
  it.each(['mars-north-9!', 'mars-north-9', 'us-east', 'useast1', '', 'US-EAST-1 ', 'eu-west-1a', 'us-east-1; rm'])('rejects %j', (r) => expect(isRegionName(r)).toBe(false));
});

describe('awsError on a wrongly scoped credential', () => {
  it('a region mismatch points at --region, not at the credentials', () => {
    const e = awsError(sdkError('SignatureDoesNotMatch', "Credential should be scoped to a valid region, not 'eu-west-1'."), 'GetCallerIdentity', { phase: 'discover' });
    expect(e.exitCode).toBe(5);
    expect(e.message).toBe("GetCallerIdentity: SignatureDoesNotMatch: Credential should be scoped to a valid region, not 'eu-west-1'.");
    expect(e.hint).toContain("does not serve region 'eu-west-1': check --region");
  });

  it('a service mismatch points at the endpoint', () => {
    const e = awsError(sdkError('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'autoscaling'."), 'DescribeAutoScalingGroups', { phase: 'discover' });
    expect(e.hint).toContain('--endpoint-url');
  });

  it('a plain bad signature still points at the credentials', () => {
    const e = awsError(sdkError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'), 'GetCallerIdentity', { phase: 'discover' });
    expect(e.hint).toContain('check your AWS credentials');
  });
});
