/**
 * Running the real AWS CLI v2 against a sandbox: dummy credentials, no user config or pager, one attempt,
 * asynchronously (the sandbox answers from this same process, so a synchronous run would deadlock it).
 * `aws` on PATH may be an old v1; v2 lives at /usr/bin/aws (CI installs it there).
 */
import { execFile } from 'node:child_process';

export const AWS_CLI = '/usr/bin/aws';

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `aws <args> --endpoint-url <endpoint>`. */
export function runAwsCli(endpoint: string, args: string[]): Promise<AwsCliResult> {
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
    execFile(AWS_CLI, [...args, '--endpoint-url', endpoint], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
