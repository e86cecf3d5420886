/**
 * `chaos-ec2 iam-policy [--faults …] [--asg NAME]`: the least-privilege IAM policy the chosen faults need.
 * The shared read-only statement is here; each fault module states (and explains) its own statements.
 * Describe*, sts:GetCallerIdentity have no resource-level permissions: Resource "*".
 */
import { ChaosError, ExitCode } from '../../core/errors.js';
import { FAULT_KINDS, faultFor } from '../../faults/index.js';
import { LEASE_PREFIX } from '../../experiment/lease.js';
import { cloudWatchStatements } from '../../experiment/cloudwatch-iam.js';
import { METRICS_NAMESPACE, STOP_ALARM } from '../../experiment/alarm-options.js';
import { parseOptions } from '../../core/options.js';
import type { IamStatement } from '../../faults/types.js';
import { isBucketName, parseS3Url, type S3Location } from '../../aws/s3.js';
import { accountOf, fisCallerStatements, fisRolePermissionPolicy, fisRoleTrustPolicy } from '../../experiment/engines/fis-iam.js';
import { ENGINES } from '../../experiment/engine-options.js';

type Statement = IamStatement;

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: Statement[];
}

export function parsePolicyFaults(value: string | undefined): string[] {
  if (value === undefined) return [...FAULT_KINDS];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !FAULT_KINDS.includes(n));
  if (bad.length || names.length === 0) {
    throw new ChaosError(ExitCode.Usage, `--faults: '${value}' ${bad.length ? `has unknown fault ${bad.join(', ')}` : 'is empty'}; choose from ${FAULT_KINDS.join(', ')}`, {
      phase: 'config',
    });
  }
  return [...new Set(names)];
}

export function buildPolicy(faults: readonly string[], opts: { asg?: string; reportStore?: S3Location; stopAlarms?: string[]; metricsNamespace?: string } = {}): IamPolicy {
  const st: Statement[] = [
    {
      Sid: 'ReadOnlyDiscoveryAndObservation',
      Effect: 'Allow',
      Action: ['autoscaling:Describe*', 'elasticloadbalancing:Describe*', 'ec2:Describe*', 'sts:GetCallerIdentity'],
      Resource: '*',
    },
  ];
  // The group lease (one experiment per group at a time): chaos-ec2's own lease tag keys only, on the named
  // group with --asg. Auto Scaling's tag actions support aws:TagKeys (Service Authorization Reference).
  st.push({
    Sid: 'HoldTheGroupWithALease',
    Effect: 'Allow',
    Action: ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
    Resource: `arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${opts.asg ?? '*'}`,
    Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': [`${LEASE_PREFIX}*`] } },
  });
  // Each fault's own statements; a Sid two faults share (tagging victims) is listed once.
  for (const kind of faults) for (const statement of faultFor(kind).iam(opts)) if (!st.some((x) => x.Sid === statement.Sid)) st.push(statement);
  if (opts.reportStore) st.push(...reportStoreStatements(opts.reportStore));
  st.push(...cloudWatchStatements(opts));
  return { Version: '2012-10-17', Statement: st };
}

/**
 * The S3 report store: list the prefix (HeadBucket is authorised by s3:ListBucket), read and write objects
 * under it. Nothing is ever deleted by chaos-ec2, so no s3:DeleteObject. The bucket's own KMS key, if it uses
 * SSE-KMS, needs kms:GenerateDataKey and kms:Decrypt for this identity too (granted in the key policy).
 */
function reportStoreStatements(l: S3Location): Statement[] {
  const objects = `arn:aws:s3:::${l.bucket}/${l.prefix ? `${l.prefix}/` : ''}*`;
  return [
    {
      Sid: 'ListTheReportStore',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: `arn:aws:s3:::${l.bucket}`,
      ...(l.prefix ? { Condition: { StringLike: { 's3:prefix': [`${l.prefix}/*`, l.prefix] } } } : {}),
    },
    { Sid: 'ReadAndWriteReports', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects },
  ];
}

export async function iamPolicyCommand(
  opts: { faults?: string; asg?: string; reportDir?: string; stopAlarm?: string[]; metricsNamespace?: string; engine?: string; fisRoleArn?: string },
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const engine = opts.engine ?? 'local';
  if (!(ENGINES as readonly string[]).includes(engine)) throw new ChaosError(ExitCode.Usage, `--engine: '${engine}' must be one of ${ENGINES.join(', ')}`, { phase: 'config' });
  if (opts.fisRoleArn !== undefined && engine !== 'fis') throw new ChaosError(ExitCode.Usage, '--fis-role-arn: only with --engine fis', { phase: 'config' });
  let reportStore: S3Location | undefined;
  if (opts.reportDir !== undefined) {
    reportStore = parseS3Url(opts.reportDir);
    if (!reportStore || !isBucketName(reportStore.bucket))
      throw new ChaosError(ExitCode.Usage, `--report-dir: '${opts.reportDir}' is not an S3 location s3://BUCKET[/PREFIX]`, { phase: 'config' });
  }
  // The same checks as `run` gives these flags.
  const cw = parseOptions([STOP_ALARM, METRICS_NAMESPACE], { stopAlarm: opts.stopAlarm, metricsNamespace: opts.metricsNamespace });
  if (cw.errors.length) throw new ChaosError(ExitCode.Usage, cw.errors.join('; '), { phase: 'config' });
  const { stopAlarm: stopAlarms, metricsNamespace } = cw.values as { stopAlarm: string[]; metricsNamespace?: string };
  const policy = buildPolicy(parsePolicyFaults(opts.faults), {
    ...(opts.asg ? { asg: opts.asg } : {}),
    ...(reportStore ? { reportStore } : {}),
    stopAlarms,
    ...(metricsNamespace ? { metricsNamespace } : {}),
  });
  if (engine === 'fis') {
    // The caller's policy (with the FIS statements) and the FIS role's two policies, as one JSON document.
    const faults = parsePolicyFaults(opts.faults);
    const caller = { ...policy, Statement: [...policy.Statement, ...fisCallerStatements(opts.fisRoleArn)] };
    const doc = { callerPolicy: caller, fisRoleTrustPolicy: fisRoleTrustPolicy(accountOf(opts.fisRoleArn)), fisRolePermissionPolicy: fisRolePermissionPolicy(faults) };
    out.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  out.write(`${JSON.stringify(policy, null, 2)}\n`);
  return 0;
}
