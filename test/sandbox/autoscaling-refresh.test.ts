import {
  CancelInstanceRefreshCommand,
  CreateAutoScalingGroupCommand,
  DescribeInstanceRefreshesCommand,
  DescribeScalingActivitiesCommand,
  ResumeProcessesCommand,
  StartInstanceRefreshCommand,
  SuspendProcessesCommand,
  type InstanceRefresh,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inService, inServiceUnits, poll, steadyGroup, twoZoneNetwork, until } from '../helpers/asg-shapes.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Instance refresh through the real SDK: every member replaced in batches that keep MinHealthyPercentage of
 * desired InService, statuses as AWS reports them, one refresh at a time, cancel, and a suspended
 * InstanceRefresh process holding it.
 */
describe('sandbox Auto Scaling: instance refresh', () => {
  let sb: TestSandbox;
  let subnets: string[];

  const describeRefreshes = async (name: string): Promise<InstanceRefresh[]> =>
    (await sb.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name }))).InstanceRefreshes ?? [];
  const refreshById = (name: string, id: string) => describeRefreshes(name).then((all) => all.find((r) => r.InstanceRefreshId === id)!);

  const groupOf = (name: string, desired: number) => steadyGroup(sb, { name, template: 'refresh', subnets, desired, maxSize: 8 });

  beforeAll(async () => {
    sb = await startTestSandbox();
    ({ subnets } = await twoZoneNetwork(sb, 'refresh'));
  });
  afterAll(() => sb.close());

  it('replaces every member while keeping MinHealthyPercentage of desired InService, then reports Successful', async () => {
    await groupOf('rolling', 4);
    const original = new Set(inService(sb, 'rolling').map((m) => m.instanceId));
    let fewest = Infinity;
    const off = sb.world.subscribe(() => {
      fewest = Math.min(fewest, inService(sb, 'rolling').length);
    });
    const { InstanceRefreshId: id } = await sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'rolling', Preferences: { MinHealthyPercentage: 50, InstanceWarmup: 0 } }));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const first = await refreshById('rolling', id!);
    expect(first.AutoScalingGroupName).toBe('rolling');
    // The start call's nudge may already have taken it from Pending to InProgress.
    expect(['Pending', 'InProgress']).toContain(first.Status);
    expect(first.Status === 'Pending' ? first.InstancesToUpdate : 4).toBe(4);
    expect(first.Preferences).toMatchObject({ MinHealthyPercentage: 50, InstanceWarmup: 0, SkipMatching: false });
    expect(first.StartTime).toBeInstanceOf(Date);

    const done = await poll(
      () => refreshById('rolling', id!),
      (r) => r.Status === 'Successful',
    );
    off();
    expect(done).toMatchObject({ PercentageComplete: 100, InstancesToUpdate: 0 });
    expect(done.EndTime).toBeInstanceOf(Date);
    await until(sb, () => inService(sb, 'rolling').length === 4);
    expect(inService(sb, 'rolling').some((m) => original.has(m.instanceId))).toBe(false);
    // 50 % of 4: never fewer than 2 InService during the refresh.
    expect(fewest).toBeGreaterThanOrEqual(2);
    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'rolling' }))).Activities!;
    const out = acts.filter((a) =>
      /^At \S+Z an instance was taken out of service in response to an instance refresh\. {2}At \S+Z instance i-\w+ was selected for termination\.$/.test(a.Cause ?? ''),
    );
    expect(out).toHaveLength(4);
    for (const a of out) expect(a.Cause).toContain(a.Description!.replace('Terminating EC2 instance: ', 'instance '));
    expect(acts.filter((a) => /^At \S+Z an instance was launched in response to an instance refresh\.$/.test(a.Cause ?? ''))).toHaveLength(4);
  });

  // The SDK names the errors after their modelled shapes (InstanceRefreshInProgressFault, …): it only does so
  // when the wire code is AWS's awsQuery code (InstanceRefreshInProgress, ActiveInstanceRefreshNotFound).
  it('refuses a second refresh while one is active, and cancels: Cancelling, then Cancelled', async () => {
    await groupOf('cancel', 2);
    // MinHealthyPercentage 100 and a long warmup: one instance at a time, slowly, so it is still active below.
    const { InstanceRefreshId: id } = await sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'cancel', Preferences: { MinHealthyPercentage: 100, InstanceWarmup: 600 } }));
    await expectAwsError(sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'cancel' })), 'InstanceRefreshInProgressFault');
    const cancelled = await sb.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: 'cancel' }));
    expect(cancelled.InstanceRefreshId).toBe(id);
    expect(['Cancelling', 'Cancelled']).toContain((await refreshById('cancel', id!)).Status);
    const end = await poll(
      () => refreshById('cancel', id!),
      (r) => r.Status === 'Cancelled',
    );
    expect(end.EndTime).toBeInstanceOf(Date);
    await expectAwsError(sb.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: 'cancel' })), 'ActiveInstanceRefreshNotFoundFault');
    // A new refresh may start once none is active; SkipMatching finds every member already up to date.
    const { InstanceRefreshId: next } = await sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'cancel', Preferences: { SkipMatching: true } }));
    const skipped = await poll(
      () => refreshById('cancel', next!),
      (r) => r.Status === 'Successful',
    );
    expect(skipped.InstancesToUpdate).toBe(0);
    expect((await describeRefreshes('cancel')).map((r) => r.InstanceRefreshId)).toEqual([next, id]);
    // The control plane's world dump carries them too.
    const state = (await (await fetch(`${sb.endpoint}/_sandbox/state`)).json()) as { instanceRefreshes: { instanceRefreshId: string; status: string }[] };
    expect(state.instanceRefreshes).toContainEqual(expect.objectContaining({ instanceRefreshId: id, status: 'Cancelled' }));
  });

  it('waits while the InstanceRefresh process is suspended, and goes on when it is resumed', async () => {
    await groupOf('held', 1);
    const member = inService(sb, 'held')[0]!.instanceId;
    await sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'held', ScalingProcesses: ['InstanceRefresh'] }));
    const { InstanceRefreshId: id } = await sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'held', Preferences: { InstanceWarmup: 0 } }));
    // Several reconcile passes (asgTickMs 250 ms in the fast profile) go by without the refresh moving.
    const passes = Date.now() + 4 * sb.ctx.timings.asgTickMs;
    await poll(
      () => refreshById('held', id!),
      (r) => r.Status !== 'Pending' || Date.now() > passes,
    );
    expect((await refreshById('held', id!)).Status).toBe('Pending');
    expect(sb.world.asgInstances.get(member)?.lifecycleState).toBe('InService');
    await sb.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'held', ScalingProcesses: ['InstanceRefresh'] }));
    await poll(
      () => refreshById('held', id!),
      (r) => r.Status === 'Successful',
    );
    expect(sb.world.asgInstances.has(member)).toBe(false);
  });

  it('keeps the healthy floor in units in a weighted group', async () => {
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'weighted',
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateName: 'refresh' },
            Overrides: [
              { InstanceType: 'm5.xlarge', WeightedCapacity: '2' },
              { InstanceType: 'm5.large', WeightedCapacity: '1' },
            ],
          },
        },
        MinSize: 0,
        MaxSize: 12,
        DesiredCapacity: 6,
        VPCZoneIdentifier: subnets.join(','),
      }),
    );
    await until(sb, () => inServiceUnits(sb, 'weighted') >= 6);
    const original = new Set(inService(sb, 'weighted').map((m) => m.instanceId));
    let fewest = Infinity;
    const off = sb.world.subscribe(() => {
      fewest = Math.min(fewest, inServiceUnits(sb, 'weighted'));
    });
    // 60 % of 6 units is 4: one weight-2 member at a time may go.
    const { InstanceRefreshId: id } = await sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'weighted', Preferences: { MinHealthyPercentage: 60, InstanceWarmup: 0 } }));
    await poll(
      () => refreshById('weighted', id!),
      (r) => r.Status === 'Successful',
    );
    off();
    expect(fewest).toBe(4);
    expect(inService(sb, 'weighted').some((m) => original.has(m.instanceId))).toBe(false);
  });

  it('answers a missing group as AWS does', async () => {
    await expectAwsError(sb.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'nope' })), 'ValidationError');
    await expectAwsError(sb.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: 'nope' })), 'ValidationError');
  });
});
