/**
 * `iam-policy --engine fis`: three documents. (1) The caller's policy: fis:* on chaos-ec2's own templates and
 * experiments only (the chaos-ec2:experiment-id tag on create, and on the resource afterwards), and
 * iam:PassRole on the FIS role to fis.amazonaws.com alone. (2) The FIS role's trust policy: fis.amazonaws.com,
 * with aws:SourceAccount against the confused deputy (FIS user guide, "IAM roles for AWS FIS experiments").
 * (3) The FIS role's permission policy: what each chosen fault's FIS actions need (its fis.ts).
 * Resource types and condition keys: Service Authorization Reference, "AWS Fault Injection Service".
 */
import { faultFor } from '../../faults/index.js';
import type { IamStatement } from '../../faults/types.js';
import { TAG_EXPERIMENT } from './fis-plan.js';

const TEMPLATE = 'arn:aws:fis:*:*:experiment-template/*';
const EXPERIMENT = 'arn:aws:fis:*:*:experiment/*';
const ACTION = 'arn:aws:fis:*:*:action/*';
const tagged = (on: 'RequestTag' | 'ResourceTag') => ({ Null: { [`aws:${on}/${TAG_EXPERIMENT}`]: 'false' } });

export function fisCallerStatements(roleArn: string | undefined): IamStatement[] {
  return [
    // Only templates that carry the experiment tag from the start (tag-on-create is authorised as TagResource).
    { Sid: 'FisCreateChaosTemplates', Effect: 'Allow', Action: 'fis:CreateExperimentTemplate', Resource: [TEMPLATE, ACTION], Condition: tagged('RequestTag') },
    { Sid: 'FisTagOnCreate', Effect: 'Allow', Action: 'fis:TagResource', Resource: [TEMPLATE, EXPERIMENT], Condition: tagged('RequestTag') },
    { Sid: 'FisStartChaosTemplates', Effect: 'Allow', Action: 'fis:StartExperiment', Resource: TEMPLATE, Condition: tagged('ResourceTag') },
    { Sid: 'FisStartTaggedExperiments', Effect: 'Allow', Action: 'fis:StartExperiment', Resource: EXPERIMENT, Condition: tagged('RequestTag') },
    {
      Sid: 'FisFollowAndStopChaosExperiments',
      Effect: 'Allow',
      Action: ['fis:GetExperiment', 'fis:StopExperiment', 'fis:ListExperimentResolvedTargets'],
      Resource: EXPERIMENT,
      Condition: tagged('ResourceTag'),
    },
    { Sid: 'FisDeleteChaosTemplates', Effect: 'Allow', Action: 'fis:DeleteExperimentTemplate', Resource: TEMPLATE, Condition: tagged('ResourceTag') },
    // The List actions have no resource-level permissions (Service Authorization Reference, "AWS Fault
    // Injection Service": no resource type): `recover` finds chaos-ec2's experiments and the templates a
    // crashed run left by their tag.
    { Sid: 'FisListExperiments', Effect: 'Allow', Action: ['fis:ListExperiments', 'fis:ListExperimentTemplates'], Resource: '*' },
    {
      Sid: 'PassTheFisRoleToFisOnly',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: roleArn ?? 'arn:aws:iam::*:role/chaos-ec2-fis',
      Condition: { StringEquals: { 'iam:PassedToService': 'fis.amazonaws.com' } },
    },
  ];
}

export function fisRoleTrustPolicy(account: string) {
  return {
    Version: '2012-10-17' as const,
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { Service: 'fis.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:aws:fis:*:${account}:experiment/*` } },
      },
    ],
  };
}

export function fisRolePermissionPolicy(faults: readonly string[]) {
  const st: IamStatement[] = [];
  for (const kind of faults) for (const s of faultFor(kind).fis?.roleIam() ?? []) if (!st.some((x) => x.Sid === s.Sid)) st.push(s);
  return { Version: '2012-10-17' as const, Statement: st };
}

/** The account of a role ARN (arn:aws:iam::123456789012:role/NAME), or a placeholder to fill in. */
export function accountOf(roleArn: string | undefined): string {
  return /^arn:[\w-]+:iam::(\d{12}):role\//.exec(roleArn ?? '')?.[1] ?? 'ACCOUNT_ID';
}
