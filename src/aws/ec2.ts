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
  /** The endpoint carried the call out although it said DryRun: what it made, and what was undone. */
  executed?: DryRunExecuted;
}

export interface DryRunExecuted {
  /** What the endpoint created, e.g. "network ACL acl-… in vpc-…". */
  created: string[];
  /** What chaos-ec2 deleted again and verified gone with a fresh describe. */
  deleted: string[];
  /** What could not be deleted or verified gone: still there. */
  remaining: string[];
}

/** Undoes what a DryRun call the endpoint executed anyway created; gets the call's answer. */
export type UndoExecuted = (answer: unknown) => Promise<DryRunExecuted>;

/** Asks EC2 whether TerminateInstances on these ids would be allowed, without terminating anything. */
export function checkTerminatePermission(ec2: EC2Client, instanceIds: string[]): Promise<PermissionCheck> {
  return checkDryRun('TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds, DryRun: true })));
}

/**
 * Runs one EC2 call with DryRun=true (the caller sets it) and reads the permission answer. EC2 never succeeds
 * on a DryRun: an answer means the endpoint carried the call out. With `undo`, what it created is deleted again
 * and the check says so (`executed`); without, that is an error (exit 5) — nothing known to undo.
 */
export async function checkDryRun(action: string, send: () => Promise<unknown>, undo?: UndoExecuted): Promise<PermissionCheck> {
  let answer: unknown;
  try {
    answer = await send();
  } catch (err) {
    const code = awsCode(err);
    if (code === 'DryRunOperation') return { action: `ec2:${action}`, allowed: true, detail: 'DryRunOperation' };
    if (code === 'UnauthorizedOperation') return { action: `ec2:${action}`, allowed: false, detail: (err as Error).message };
    throw awsError(err, `${action} (DryRun)`, { phase: 'plan' });
  }
  if (!undo) throw new ChaosError(ExitCode.AwsError, `the endpoint ignored DryRun on ${action}`, { phase: 'plan' });
  const executed = await undo(answer);
  return { action: `ec2:${action}`, allowed: false, detail: describeExecuted(action, executed), executed };
}

/** "the endpoint executed CreateNetworkAcl despite DryRun: it created …; deleted (verified gone): …". */
export function describeExecuted(action: string, e: DryRunExecuted): string {
  return [
    `the endpoint executed ${action} despite DryRun: it created ${e.created.join(', ') || 'something it did not name'}`,
    ...(e.deleted.length ? [`deleted again (verified gone): ${e.deleted.join(', ')}`] : []),
    ...(e.remaining.length ? [`NOT deleted: ${e.remaining.join('; ')}`] : []),
  ].join('; ');
}

/**
 * A dry run whose DryRun calls the endpoint carried out: the reason and exit code its report gives (5 when all
 * it created is verified gone, 4 when something is left), or undefined when every DryRun was honoured.
 */
export function dryRunExecutedOutcome(checks: PermissionCheck[], recover: string): { exitCode: ExitCode; reason: string; hint: string } | undefined {
  const executed = checks.filter((c) => c.executed);
  if (!executed.length) return undefined;
  const left = executed.some((c) => c.executed!.remaining.length);
  return {
    exitCode: left ? ExitCode.RollbackIncomplete : ExitCode.AwsError,
    reason: `dry run: ${executed.map((c) => c.detail).join('. ')}`,
    hint: left ? `delete what is left with: ${recover}` : 'this endpoint does not honour DryRun: a --dry-run against it makes real changes',
  };
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
