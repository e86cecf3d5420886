/**
 * The real AWS CLI v2 (`/usr/bin/aws`, botocore's own serializers and parsers) pointed at a sandbox, with dummy
 * credentials and no user configuration. Tests that use it skip on a developer's machine without it, never in CI.
 */
import { execFile } from 'node:child_process';
import { requireTool } from './ci.js';

export const AWS_CLI = '/usr/bin/aws';

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when the call succeeded and printed any. */
  json: any;
}

export function awsCliGate(file: string) {
  return requireTool(AWS_CLI, 'AWS CLI v2', file);
}

/** Runs `aws <args> --endpoint-url <endpoint> --output json`. */
export function awsCli(endpoint: string, args: string[], timeoutMs = 30_000): Promise<AwsCliResult> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'AKIASANDBOXTEST00000',
    AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
  };
  return new Promise((resolve) => {
    execFile(AWS_CLI, [...args, '--endpoint-url', endpoint, '--output', 'json'], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      let json: unknown;
      try {
        json = code === 0 && stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined; // `aws s3 ls` prints text, not JSON.
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
