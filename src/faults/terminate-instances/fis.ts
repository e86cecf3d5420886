/**
 * terminate-instances under `--engine fis`: `aws:ec2:terminate-instances` on the exact instance ARNs the plan
 * chose (FIS user guide, "Amazon EC2 actions"), ⌈n/5⌉ targets since a target takes at most 5 ARNs. Nothing is
 * held and nothing reverted: Auto Scaling replaces the instances, as with the local engine.
 */
import { instanceActions } from '../fis-common.js';
import type { FaultFis, IamStatement } from '../types.js';

export const terminateFis: FaultFis = {
  request(plan) {
    return {
      ...instanceActions(plan, 'terminate', 'aws:ec2:terminate-instances'),
      holdMs: 0,
      notes: [],
    };
  },
  // AWSFaultInjectionSimulatorEC2Access grants the same action; scoped to Auto Scaling members here.
  roleIam: (): IamStatement[] => [
    {
      Sid: 'FisTerminateAutoScalingInstances',
      Effect: 'Allow',
      Action: 'ec2:TerminateInstances',
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: { Null: { 'aws:ResourceTag/aws:autoscaling:groupName': 'false' } },
    },
  ],
};
