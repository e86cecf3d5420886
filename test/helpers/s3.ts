/**
 * An S3 client for a test sandbox: path-style, as chaos-ec2 addresses S3 behind an endpoint (the sandbox
 * serves no virtual-hosted buckets). Its own module so that test files without S3 do not load the S3 SDK.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from './sandbox.js';

export function s3Client(endpoint: string, region?: string): S3Client {
  return new S3Client({ ...clientConfig(endpoint), ...(region ? { region } : {}), forcePathStyle: true });
}
