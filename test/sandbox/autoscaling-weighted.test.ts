import {
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type CreateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleStack, waitForSteadyState } from '../../src/sandbox/stack.js';
import { DEMO_WEIGHTS } from '../../src/sandbox/weighted-stack.js';
import { inService, inServiceUnits, twoZoneNetwork, until } from '../helpers/asg-shapes.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const OVERRIDES = [
  { InstanceType: 'm5.xlarge', WeightedCapacity: '2' },
  { InstanceType: 'm5a.xlarge', WeightedCapacity: '2' },
  { InstanceType: 'm5.large', WeightedCapacity: '1' },
  { InstanceType: 'm5a.large', WeightedCapacity: '1' },
];

/**
 * A mixed instances group with weights 2,2,1,1 and desired 6 units: capacity is counted in units, launches
 * follow the overrides' priority without overshooting when a smaller type fits, a lost weight-2 member is
 * refilled with 2 units, and scale-in never drops below desired.
 */
describe('sandbox Auto Scaling: mixed instances policy with weights', () => {
  let sb: TestSandbox;
  let subnets: string[];
  const group = (name: string, extra: Partial<CreateAutoScalingGroupCommandInput> = {}): CreateAutoScalingGroupCommandInput => ({
    AutoScalingGroupName: name,
    MixedInstancesPolicy: {
      LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'mixed', Version: '$Latest' }, Overrides: OVERRIDES },
      InstancesDistribution: { OnDemandAllocationStrategy: 'prioritized', OnDemandBaseCapacity: 0 },
    },
    DesiredCapacityType: 'units',
    MinSize: 0,
    MaxSize: 12,
    DesiredCapacity: 6,
    VPCZoneIdentifier: subnets.join(','),
    ...extra,
  });
  const describeOne = async (name: string) => (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;

  beforeAll(async () => {
    sb = await startTestSandbox();
    ({ subnets } = await twoZoneNetwork(sb, 'mixed'));
    await sb.asg.send(new CreateAutoScalingGroupCommand(group('weighted')));
    await until(sb, () => inServiceUnits(sb, 'weighted') >= 6);
  });
  afterAll(() => sb.close());

  it("reaches 6 units InService and describes the policy, the unit type and each member's weight as a string", async () => {
    const g = await describeOne('weighted');
    expect(g.DesiredCapacity).toBe(6);
    expect(g.DesiredCapacityType).toBe('units');
    expect(g.LaunchTemplate).toBeUndefined();
    expect(g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification).toMatchObject({ LaunchTemplateName: 'mixed', Version: '$Latest' });
    expect(g.MixedInstancesPolicy?.LaunchTemplate?.Overrides).toEqual(OVERRIDES);
    expect(g.MixedInstancesPolicy?.InstancesDistribution).toMatchObject({ OnDemandAllocationStrategy: 'prioritized', OnDemandBaseCapacity: 0 });
    const live = g.Instances!.filter((i) => i.LifecycleState === 'InService');
    // Prioritized: the first type (weight 2) fits 6 units exactly three times, one AZ getting the extra one.
    expect(live.map((i) => [i.InstanceType, i.WeightedCapacity])).toEqual(Array(3).fill(['m5.xlarge', '2']));
    expect(live.reduce((sum, i) => sum + Number(i.WeightedCapacity), 0)).toBe(6);
    expect(new Set(live.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
  });

  it('fills one missing unit with a weight-1 type rather than overshooting with a weight-2 one', async () => {
    await sb.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'weighted', DesiredCapacity: 7 }));
    const changed = await sb.waitForEvent((e) => e.type === 'desired-changed' && e.asgName === 'weighted');
    expect(changed).toMatchObject({
      from: 6,
      to: 7,
      cause: expect.stringMatching(/^At \S+Z a user request explicitly set group desired capacity changing the desired capacity from 6 to 7\.$/),
    });
    await until(sb, () => inServiceUnits(sb, 'weighted') >= 7);
    expect(inServiceUnits(sb, 'weighted')).toBe(7);
    expect(
      inService(sb, 'weighted')
        .filter((m) => m.weightedCapacity === 1)
        .map((m) => m.instanceType),
    ).toEqual(['m5.large']);
  });

  it('refills a lost weight-2 member with 2 units', async () => {
    const victim = inService(sb, 'weighted').find((m) => m.weightedCapacity === 2)!;
    await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim.instanceId, ShouldDecrementDesiredCapacity: false }));
    await until(sb, () => !sb.world.asgInstances.has(victim.instanceId) && inServiceUnits(sb, 'weighted') >= 7);
    expect(inServiceUnits(sb, 'weighted')).toBe(7);
    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'weighted' }))).Activities!;
    // The launch that refilled it speaks in units, as desired does.
    expect(acts.some((a) => /increasing the capacity from 5 to 7\.$/.test(a.Cause ?? ''))).toBe(true);
  });

  it('scales in without dropping below desired, keeping an overage smaller than the largest weight', async () => {
    await sb.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'weighted', DesiredCapacity: 4 }));
    await until(sb, () => sb.world.membersOf('weighted').every((m) => m.lifecycleState === 'InService') && inServiceUnits(sb, 'weighted') < 6);
    const units = inServiceUnits(sb, 'weighted');
    expect(units).toBeGreaterThanOrEqual(4);
    expect(units - 4).toBeLessThan(2);
  });

  it('takes new weights for running members of a listed type (UpdateAutoScalingGroup)', async () => {
    const reweighted = OVERRIDES.map((o) => (o.InstanceType === 'm5.xlarge' ? { ...o, WeightedCapacity: '3' } : o));
    await sb.asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'weighted',
        MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'mixed' }, Overrides: reweighted } },
      }),
    );
    const g = await describeOne('weighted');
    expect(g.Instances!.filter((i) => i.InstanceType === 'm5.xlarge').every((i) => i.WeightedCapacity === '3')).toBe(true);
  });

  it('leaves WeightedCapacity out for a mixed group without weights, launching the first override', async () => {
    const unweighted = OVERRIDES.map(({ InstanceType }) => ({ InstanceType }));
    await sb.asg.send(
      new CreateAutoScalingGroupCommand(
        group('plain-mixed', {
          DesiredCapacity: 2,
          DesiredCapacityType: undefined,
          MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'mixed' }, Overrides: unweighted } },
        }),
      ),
    );
    await until(sb, () => inService(sb, 'plain-mixed').length >= 2);
    const g = await describeOne('plain-mixed');
    expect(g.DesiredCapacityType).toBeUndefined();
    for (const i of g.Instances!) {
      expect(i.InstanceType).toBe('m5.xlarge');
      expect(i.WeightedCapacity).toBeUndefined();
    }
  });

  it('refuses weights on only some overrides, an unknown DesiredCapacityType, and both LaunchTemplate and MixedInstancesPolicy', async () => {
    const partial = [{ InstanceType: 'm5.xlarge', WeightedCapacity: '2' }, { InstanceType: 'm5.large' }];
    await expectAwsError(
      sb.asg.send(
        new CreateAutoScalingGroupCommand(group('bad1', { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'mixed' }, Overrides: partial } } })),
      ),
      'ValidationError',
    );
    await expectAwsError(sb.asg.send(new CreateAutoScalingGroupCommand(group('bad2', { DesiredCapacityType: 'gpus' }))), 'ValidationError');
    await expectAwsError(sb.asg.send(new CreateAutoScalingGroupCommand(group('bad3', { LaunchTemplate: { LaunchTemplateName: 'mixed' } }))), 'ValidationError');
    await expectAwsError(
      sb.asg.send(
        new CreateAutoScalingGroupCommand(
          group('bad4', {
            MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'mixed' }, Overrides: [{ InstanceType: 'm5.large', WeightedCapacity: '1000' }] } },
          }),
        ),
      ),
      'ValidationError',
    );
  });

  it('builds the weighted sample stack (DEMO_WEIGHTS, 6 units) that waitForSteadyState counts in units', async () => {
    const other = await startTestSandbox();
    try {
      const stack = await createSampleStack(other, { asgName: 'weighted-demo', instances: 6, azs: 2, weights: DEMO_WEIGHTS });
      await waitForSteadyState(other, stack, 20_000, 100);
      const g = (await other.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['weighted-demo'] }))).AutoScalingGroups![0]!;
      expect(g.DesiredCapacityType).toBe('units');
      expect(g.Instances!.filter((i) => i.LifecycleState === 'InService').map((i) => i.WeightedCapacity)).toEqual(['2', '2', '2']);
    } finally {
      await other.close();
    }
  });
});
