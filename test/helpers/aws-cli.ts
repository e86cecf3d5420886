/**
 * The real AWS CLI v2 (`/usr/bin/aws`, botocore's own serializers and parsers) pointed at a sandbox, as an
 * operator would drive it: dummy credentials, no user config or pager, one attempt (a failure shows at once),
 * run asynchronously (the sandbox answers from this same process, so a synchronous run would deadlock it).
 * `aws` on PATH may be an old v1; v2 lives at /usr/bin/aws (CI installs it there). Tests that use it skip on a
 * developer's machine without it, never in CI (awsCliGate).
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

/** The CLI's environment: dummy credentials, no user config or pager, one attempt. */
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

/** `aws <args> --endpoint-url <endpoint>`, output as the CLI prints it (`aws s3 ls` prints text). */
export function runAwsCli(endpoint: string, args: string[], timeoutMs = 30_000): Promise<AwsCliResult> {
  return new Promise((resolve) => {
    execFile(AWS_CLI, [...args, '--endpoint-url', endpoint], { env: awsCliEnv(), timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `aws <args> --endpoint-url <endpoint> --output json`, with stdout parsed when the call succeeded. */
export async function awsCli(endpoint: string, args: string[]): Promise<AwsCliResult & { json: any }> {
  const r = await runAwsCli(endpoint, [...args, '--output', 'json']);
  return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
}
