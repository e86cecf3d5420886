/**
 * terminate-instances under `--engine fis`: `aws:ec2:terminate-instances` on the exact instance ARNs the plan
 * chose (FIS user guide, "Amazon EC2 actions"), ⌈n/5⌉ targets since a target takes at most 5 ARNs. Nothing is
 * held and nothing reverted: Auto Scaling replaces the instances, as with the local engine.
 */
import { ec2Arn, splitActions } from '../fis-common.js';
import type { FaultFis, IamStatement } from '../types.js';

export const terminateFis: FaultFis = {
  request(plan) {
    const arns = plan.fault.targets.map((t) => ec2Arn(plan, 'instance', t.instanceId));
    return {
      ...splitActions({
        arns,
        resourceType: 'aws:ec2:instance',
        targetPrefix: 'Instances',
        targetKey: 'Instances',
        actionName: 'terminate',
        actionId: 'aws:ec2:terminate-instances',
      }),
      arns,
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
