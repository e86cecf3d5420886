/**
 * EC2 mutations chaos-ec2 makes for the terminate fault, with the DryRun permission checks that `--dry-run`
 * uses: EC2 answers DryRunOperation when the call would have been allowed, UnauthorizedOperation if not.
 */
import { DescribeAvailabilityZonesCommand, TerminateInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ChaosError, ExitCode } from '../core/errors.js';
import { awsCode, awsError, call } from './errors.js';

export interface PermissionCheck {
  action: string;
  allowed: boolean;
  detail: string;
}

/** Asks EC2 whether TerminateInstances on these ids would be allowed, without terminating anything. */
export function checkTerminatePermission(ec2: EC2Client, instanceIds: string[]): Promise<PermissionCheck> {
  return checkDryRun('TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds, DryRun: true })));
}

/** Runs one EC2 call with DryRun=true (the caller sets it) and reads the permission answer. */
export async function checkDryRun(action: string, send: () => Promise<unknown>): Promise<PermissionCheck> {
  try {
    await send();
    // EC2 never succeeds on a DryRun; reaching here means the endpoint ignored DryRun. Treat it as unsafe.
    throw new ChaosError(ExitCode.AwsError, `the endpoint ignored DryRun on ${action}`, { phase: 'plan' });
  } catch (err) {
    if (err instanceof ChaosError) throw err;
    const code = awsCode(err);
    if (code === 'DryRunOperation') return { action: `ec2:${action}`, allowed: true, detail: 'DryRunOperation' };
    if (code === 'UnauthorizedOperation') return { action: `ec2:${action}`, allowed: false, detail: (err as Error).message };
    throw awsError(err, `${action} (DryRun)`, { phase: 'plan' });
  }
}

/**
 * A canary before any mutating DryRun: a DryRun of a read-only call must answer DryRunOperation (or
 * UnauthorizedOperation). An endpoint that ignores DryRun — a mock, a proxy, a half-done emulator behind
 * --endpoint-url — would carry out the "dry" mutations for real; this finds out with a call that is harmless
 * either way, and refuses (exit 5) before any mutating one is sent.
 */
export async function checkDryRunHonoured(ec2: EC2Client): Promise<void> {
  await checkDryRun('DescribeAvailabilityZones', () => ec2.send(new DescribeAvailabilityZonesCommand({ DryRun: true })));
}

export async function terminateInstances(ec2: EC2Client, instanceIds: string[]): Promise<{ instanceId: string; previous: string; current: string }[]> {
  const out = await call('TerminateInstances', { phase: 'inject', target: instanceIds.join(',') }, () => ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds })));
  return (out.TerminatingInstances ?? []).map((t) => ({
    instanceId: t.InstanceId ?? '',
    previous: t.PreviousState?.Name ?? '',
    current: t.CurrentState?.Name ?? '',
  }));
}
