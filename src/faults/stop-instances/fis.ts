/**
 * stop-instances under `--engine fis`: `aws:ec2:stop-instances` on the exact instance ARNs the plan chose
 * (⌈n/5⌉ targets), with `startInstancesAfterDuration` (FIS starts them again at the end, PT1M at least) and
 * `completeIfInstancesTerminated=true`: Auto Scaling terminates a stopped member and launches a replacement,
 * and without it the action would fail when it tries to start an instance that no longer exists (FIS user
 * guide, "Amazon EC2 actions": aws:ec2:stop-instances).
 */
import { fisDurationMs, instanceActions, isoDuration, roundedNote } from '../fis-common.js';
import type { FaultFis, IamStatement } from '../types.js';

const durationOf = (plan: { fault: { detail?: unknown } }): number => (plan.fault.detail as { durationMs: number }).durationMs;

export const stopFis: FaultFis = {
  request(plan) {
    const holdMs = fisDurationMs(durationOf(plan));
    return {
      ...instanceActions(plan, 'stop', 'aws:ec2:stop-instances', { startInstancesAfterDuration: isoDuration(holdMs), completeIfInstancesTerminated: 'true' }),
      holdMs,
      notes: roundedNote(durationOf(plan), 'FIS starts the victims still stopped after'),
    };
  },
  roleIam: (): IamStatement[] => [
    {
      Sid: 'FisStopAndStartAutoScalingInstances',
      Effect: 'Allow',
      Action: ['ec2:StopInstances', 'ec2:StartInstances'],
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: { Null: { 'aws:ResourceTag/aws:autoscaling:groupName': 'false' } },
    },
    {
      // Starting an instance with KMS-encrypted EBS volumes needs a grant for EC2 (as for the local engine).
      Sid: 'FisStartInstancesWithEncryptedVolumes',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ],
};
