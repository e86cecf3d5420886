/**
 * Warm pools through the real SDK client: the pool fills with stopped instances of the group (real EC2
 * instances with network interfaces in the group's subnets, not members, not counted in desired), a
 * replacement is drawn from it (its id was a warm one), and the pool refills; DeleteWarmPool empties it.
 */
import {
  CompleteLifecycleActionCommand,
  DeleteWarmPoolCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  PutLifecycleHookCommand,
  PutWarmPoolCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { createTestGroup, type TestGroup } from '../helpers/asg-group.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

type Lifecycle = Extract<SandboxEvent, { type: 'asg-lifecycle' }>;

describe('sandbox Auto Scaling warm pools', () => {
  let sb: TestSandbox;
  let g: TestGroup;

  beforeAll(async () => {
    sb = await startTestSandbox();
    g = await createTestGroup(sb, { name: 'warmed', desired: 2, max: 4 });
  });
  afterAll(() => sb.close());

  const pool = () => sb.world.asgs.get(g.name)!.warmPool;
  const stopped = () => [...(pool()?.instances.values() ?? [])].filter((w) => w.lifecycleState === 'Warmed:Stopped');
  /** Resolves once the pool holds `n` Warmed:Stopped instances. */
  const poolStopped = (n: number) => sb.waitForEvent(() => stopped().length === n);

  it('refuses an invalid configuration', async () => {
    await expectAwsError(sb.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: g.name, PoolState: 'Frozen' as never })), 'ValidationError');
    await expectAwsError(sb.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: g.name, MinSize: -1 })), 'ValidationError');
    await expectAwsError(sb.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: 'no-such-group' })), 'ValidationError');
    await expectAwsError(sb.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: g.name })), 'ValidationError');
    const none = await sb.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: g.name }));
    expect(none.WarmPoolConfiguration).toBeUndefined();
    expect(none.Instances ?? []).toEqual([]);
  });

  it('fills to MaxSize − desired with stopped instances of the group in its subnets, outside the group', async () => {
    const from = sb.world.events().at(-1)!.seq;
    await sb.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: g.name, MinSize: 1 }));
    await poolStopped(2);
    const described = await sb.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: g.name }));
    expect(described.WarmPoolConfiguration).toEqual({ MinSize: 1, PoolState: 'Stopped' });
    const warmIds = described.Instances!.map((i) => i.InstanceId!);
    expect(warmIds).toHaveLength(2);
    expect(described.Instances!.every((i) => i.LifecycleState === 'Warmed:Stopped' && i.HealthStatus === 'Healthy')).toBe(true);
    const steps = sb.world.events(from).filter((e): e is Lifecycle => e.type === 'asg-lifecycle' && e.instanceId === warmIds[0]);
    expect(steps.map((e) => e.to)).toEqual(['Warmed:Pending', 'Warmed:Stopped']);

    // Real EC2 instances, stopped, tagged with the group, one in each of its subnets, with their interfaces there.
    const ec2 = (await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: warmIds }))).Reservations!.flatMap((r) => r.Instances!);
    expect(ec2.map((i) => i.State!.Name)).toEqual(['stopped', 'stopped']);
    expect(ec2.map((i) => i.SubnetId).sort()).toEqual([...g.subnets].sort());
    expect(ec2.every((i) => i.Tags!.some((t) => t.Key === 'aws:autoscaling:groupName' && t.Value === g.name))).toBe(true);
    const enis = (await sb.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: warmIds }] }))).NetworkInterfaces!;
    expect(enis.map((n) => n.SubnetId).sort()).toEqual([...g.subnets].sort());

    const group = (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [g.name] }))).AutoScalingGroups![0]!;
    expect(group.Instances!.map((i) => i.InstanceId)).not.toContain(warmIds[0]);
    expect(group.Instances).toHaveLength(2);
    expect(group.DesiredCapacity).toBe(2);
    expect(group.WarmPoolConfiguration).toEqual({ MinSize: 1, PoolState: 'Stopped' });
    expect(group.WarmPoolSize).toBe(2);
    const activities = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.name }))).Activities!;
    expect(activities.find((a) => a.Description === `Launching a new EC2 instance into warm pool: ${warmIds[0]}`)).toMatchObject({ StatusCode: 'Successful' });
  });

  it('a replacement is drawn from the pool (started, Pending, InService) and the pool refills', async () => {
    const warmIds = new Set(stopped().map((w) => w.instanceId));
    const from = sb.world.events().at(-1)!.seq;
    const victim = g.members[0]!;
    await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
    const joined = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.asgName === g.name && e.to === 'Pending')) as Lifecycle;
    expect(warmIds.has(joined.instanceId)).toBe(true);
    expect(joined.from).toBe('Warmed:Stopped');
    await sb.waitForEvent((e) => e.seq > joined.seq && e.type === 'asg-lifecycle' && e.instanceId === joined.instanceId && e.to === 'InService');
    const activities = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.name }))).Activities!;
    expect(activities.find((a) => a.Description === `Launching a new EC2 instance from warm pool: ${joined.instanceId}`)).toMatchObject({ StatusCode: 'Successful' });
    // No fresh launch into the group itself: the pool gave the replacement.
    expect(sb.world.events(from).some((e) => e.type === 'asg-lifecycle' && e.asgName === g.name && e.from === null && e.to === 'Pending')).toBe(false);

    await poolStopped(2);
    const refilled = stopped().map((w) => w.instanceId);
    expect(refilled).not.toContain(joined.instanceId);
    expect(refilled.filter((id) => !warmIds.has(id))).toHaveLength(1);
  });

  it('DeleteWarmPool terminates the pool instances and drops the pool', async () => {
    const warmIds = stopped().map((w) => w.instanceId);
    await sb.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: g.name }));
    expect((await sb.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: g.name }))).WarmPoolConfiguration).toMatchObject({ Status: 'PendingDelete' });
    await sb.waitForEvent(() => pool() === undefined);
    for (const id of warmIds) expect(['shutting-down', 'terminated']).toContain(sb.world.instances.get(id)!.state);
    const group = (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [g.name] }))).AutoScalingGroups![0]!;
    expect(group.WarmPoolConfiguration).toBeUndefined();
    expect(group.Instances).toHaveLength(2);
  });

  it('with a launch hook, an instance waits in Warmed:Pending:Wait entering the pool and again in Pending:Wait leaving it', async () => {
    await sb.asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'bootstrap', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' }));
    const from = sb.world.events().at(-1)!.seq;
    const complete = (instanceId: string) =>
      sb.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'bootstrap', LifecycleActionResult: 'CONTINUE', InstanceId: instanceId }));
    const reached = (instanceId: string, to: Lifecycle['to']) => sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.instanceId === instanceId && e.to === to);
    await sb.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: g.name, MinSize: 1 }));
    await sb.waitForEvent(() => [...(pool()?.instances.values() ?? [])].filter((w) => w.lifecycleState === 'Warmed:Pending:Wait').length === 2);
    const waiting = [...pool()!.instances.keys()];
    expect(sb.world.instances.get(waiting[0]!)!.state).toBe('running');
    for (const id of waiting) await complete(id);
    await poolStopped(2);

    const victim = sb.world.membersOf(g.name).find((m) => m.lifecycleState === 'InService')!.instanceId;
    await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
    const joined = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.asgName === g.name && e.to === 'Pending')) as Lifecycle;
    await reached(joined.instanceId, 'Pending:Wait');
    await complete(joined.instanceId);
    await reached(joined.instanceId, 'InService');
    const steps = sb.world.events(from).filter((e): e is Lifecycle => e.type === 'asg-lifecycle' && e.instanceId === joined.instanceId);
    expect(steps.map((e) => e.to)).toEqual(['Warmed:Pending', 'Warmed:Pending:Wait', 'Warmed:Pending:Proceed', 'Warmed:Stopped', 'Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);
  });
});
