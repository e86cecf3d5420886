/**
 * The real AWS CLI v2 (/usr/bin/aws) pointed at a sandbox, as an operator would drive it: dummy credentials,
 * no user config, no pager, one attempt. For tests that set a group up the way a user does
 * (suspend-processes, start-instance-refresh, put-lifecycle-hook …).
 */
import { execFile } from 'node:child_process';
import { requireTool } from './ci.js';

export const AWS_CLI = '/usr/bin/aws';

export const awsCliGate = (file: string) => requireTool(AWS_CLI, 'AWS CLI v2', file);

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI's environment: dummy credentials, no user config or pager, one attempt (a failure shows at once). */
export function awsCliEnv(): Record<string, string> {
  return {
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
}

export function awsCli(endpoint: string, args: string[]): Promise<AwsCliResult> {
  return new Promise((resolve) => {
    execFile(AWS_CLI, [...args, '--endpoint-url', endpoint, '--output', 'json'], { env: awsCliEnv(), timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
