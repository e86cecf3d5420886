/**
 * The sample stack's weighted shape (StackOptions.weights): the group launches from a MixedInstancesPolicy
 * whose overrides carry WeightedCapacity, with DesiredCapacityType units, so `instances` is desired in units
 * ("Configure an Auto Scaling group to use instance weights", Auto Scaling user guide,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html).
 */
import type { CreateAutoScalingGroupCommandInput, Instance } from '@aws-sdk/client-auto-scaling';

export interface StackWeight {
  instanceType: string;
  weight: number;
}

/** Weights 2,2,1,1 over four instance types: the issue-11 demo shape (desired 6 units → three weight-2 members). */
export const DEMO_WEIGHTS: StackWeight[] = [
  { instanceType: 'm5.xlarge', weight: 2 },
  { instanceType: 'm5a.xlarge', weight: 2 },
  { instanceType: 'm5.large', weight: 1 },
  { instanceType: 'm5a.large', weight: 1 },
];

/** CreateAutoScalingGroup's template part: a plain LaunchTemplate, or the weighted MixedInstancesPolicy. */
export function groupTemplateParams(launchTemplateId: string, weights: StackWeight[] | undefined): Partial<CreateAutoScalingGroupCommandInput> {
  const spec = { LaunchTemplateId: launchTemplateId, Version: '$Latest' };
  if (!weights?.length) return { LaunchTemplate: spec };
  return {
    MixedInstancesPolicy: {
      LaunchTemplate: { LaunchTemplateSpecification: spec, Overrides: weights.map((w) => ({ InstanceType: w.instanceType, WeightedCapacity: String(w.weight) })) },
      InstancesDistribution: { OnDemandAllocationStrategy: 'prioritized' },
    },
    DesiredCapacityType: 'units',
  };
}

/** Units the members count: WeightedCapacity as DescribeAutoScalingGroups reports it, 1 when absent. */
export function unitsOfInstances(instances: Instance[]): number {
  return instances.reduce((sum, i) => sum + (i.WeightedCapacity ? Number(i.WeightedCapacity) : 1), 0);
}
