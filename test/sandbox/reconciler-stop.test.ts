/**
 * Auto Scaling's answer to a stopped member (Auto Scaling user guide, "Health checks for instances in an
 * Auto Scaling group"): the EC2 health check fails as soon as the instance leaves running, even inside the
 * grace period; the member is marked Unhealthy, terminated and replaced. Started again before the group
 * noticed, it stays.
 */
import { CreateAutoScalingGroupCommand, DescribeAutoScalingInstancesCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

type LifecycleEvent = Extract<SandboxEvent, { type: 'asg-lifecycle' }>;

describe('Auto Scaling replaces a stopped member', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  beforeAll(async () => {
    // A long grace period: the EC2 check must fire inside it.
    sb = await startTestSandbox();
    fx = await buildWorld(sb.ctx, { desired: 2, gracePeriodSeconds: 600 });
    await waitForSteadyState(sb.ctx, fx, 2);
  });
  afterAll(() => sb.close());

  it('marks it Unhealthy, terminates it with the EC2 health-check cause, and launches a replacement', async () => {
    const from = sb.world.events().at(-1)!.seq;
    const victim = sb.world.membersOf(fx.asgName)[0]!.instanceId;
    await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [victim] }));

    const unhealthy = await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-health' && e.instanceId === victim && e.healthStatus === 'Unhealthy');
    expect(unhealthy.type === 'asg-health' && unhealthy.reason).toMatch(/^EC2 health check: instance is (stopping|stopped)$/);
    const terminate = await sb.waitForEvent((e) => e.seq > from && e.type === 'activity' && e.description === `Terminating EC2 instance: ${victim}`);
    expect(terminate.type === 'activity' && terminate.cause).toMatch(
      /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\.$/,
    );
    // The stopped instance itself is terminated (stopped → shutting-down → terminated), not left stopped.
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'terminated');
    const replacement = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.to === 'InService' && e.instanceId !== victim)) as LifecycleEvent;
    await waitForSteadyState(sb.ctx, fx, 2);

    const ev = sb.world.events(from);
    const at = (pred: (e: SandboxEvent) => boolean) => ev.findIndex(pred);
    const steps = [
      at((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'stopping'),
      at((e) => e.type === 'asg-health' && e.instanceId === victim),
      at((e) => e.type === 'activity' && e.description === `Terminating EC2 instance: ${victim}`),
      at((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'shutting-down'),
      at((e) => e.type === 'activity' && e.cause.endsWith('an instance was launched in response to an unhealthy instance needing to be replaced.')),
      at((e) => e.type === 'asg-lifecycle' && e.instanceId === replacement.instanceId && e.to === 'InService'),
    ];
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);

    // What a client sees through the API: the activity, and the group without the victim.
    const acts = await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: fx.asgName }));
    expect(acts.Activities!.find((a) => a.Description === `Terminating EC2 instance: ${victim}`)?.StatusCode).toBe('Successful');
    const members = await sb.asg.send(new DescribeAutoScalingInstancesCommand({}));
    expect(members.AutoScalingInstances!.map((m) => m.InstanceId)).not.toContain(victim);
  });

  it('launches Spot members from a spot launch template, and those cannot be stopped', async () => {
    const lt = await sb.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'spot-web',
        LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro', InstanceMarketOptions: { MarketType: 'spot' } },
      }),
    );
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'spot-asg',
        LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
        MinSize: 1,
        MaxSize: 1,
        DesiredCapacity: 1,
        VPCZoneIdentifier: fx.instanceSubnets[0]!,
      }),
    );
    const member = (await sb.waitForEvent((e) => e.type === 'asg-lifecycle' && e.asgName === 'spot-asg' && e.to === 'InService')) as LifecycleEvent;
    const d = (await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [member.instanceId] }))).Reservations![0]!.Instances![0]!;
    expect(d.InstanceLifecycle).toBe('spot');
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [member.instanceId] })), 'UnsupportedOperation');
  });

  it('leaves a member that was started again before the group acted', async () => {
    const slow = await startTestSandbox({ timings: { stopMs: 100, bootMs: 100, asgDetectMs: 2_000 } });
    try {
      const f = await buildWorld(slow.ctx, { desired: 1, gracePeriodSeconds: 600 });
      await waitForSteadyState(slow.ctx, f, 1);
      const id = slow.world.membersOf(f.asgName)[0]!.instanceId;
      const from = slow.world.events().at(-1)!.seq;
      await slow.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      const stopping = await slow.waitForEvent((e) => e.seq > from && e.type === 'instance-state' && e.instanceId === id && e.to === 'stopping');
      await slow.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === id && e.to === 'stopped');
      await slow.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
      await slow.waitForEvent((e) => e.seq > from && e.type === 'instance-state' && e.instanceId === id && e.to === 'running');
      // Nothing happens is the expected outcome, so there is no event to await: watch the group through the
      // whole window in which it would have acted (detection delay plus two reconciler ticks).
      const { asgDetectMs, asgTickMs } = slow.ctx.timings;
      while (slow.world.now() < stopping.atMs + asgDetectMs + 2 * asgTickMs) {
        const m = (await slow.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [id] }))).AutoScalingInstances![0]!;
        expect(m).toMatchObject({ HealthStatus: 'HEALTHY', LifecycleState: 'InService' });
        await new Promise((r) => setTimeout(r, asgTickMs));
      }
      expect(slow.world.events(from).filter((e) => e.type === 'asg-health' || e.type === 'activity')).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
