import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  SetInstanceHealthCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  paginateDescribeAutoScalingInstances,
  paginateDescribeScalingActivities,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

type Lifecycle = Extract<SandboxEvent, { type: 'asg-lifecycle' }>;

/**
 * End to end through the reconciler: a group of 2 launches, goes InService, registers with its target
 * group; terminate, health and delete calls go through the API and show up in the activity history.
 */
describe('sandbox Auto Scaling API: instances and activities', () => {
  let sb: TestSandbox;
  let tgArn: string;
  let members: string[];

  beforeAll(async () => {
    sb = await startTestSandbox();
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
    const subnets: string[] = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      const s = await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.1.${i}.0/24`, AvailabilityZone: az }));
      subnets.push(s.Subnet!.SubnetId!);
    }
    await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'app', LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' } }));
    tgArn = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!.TargetGroupArn!;

    const inService = new Set<string>();
    const off = sb.world.subscribe((e) => {
      if (e.type === 'asg-lifecycle' && e.asgName === 'app' && e.to === 'InService') inService.add(e.instanceId);
    });
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'app',
        LaunchTemplate: { LaunchTemplateName: 'app' },
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        VPCZoneIdentifier: subnets.join(','),
        TargetGroupARNs: [tgArn],
        HealthCheckGracePeriod: 60,
      }),
    );
    await sb.waitForEvent((e) => e.type === 'asg-lifecycle' && e.asgName === 'app' && e.to === 'InService' && inService.size >= 2);
    off();
    members = [...inService];
  });
  afterAll(() => sb.close());

  it('lists the InService members in the group and in DescribeAutoScalingInstances, spread over both AZs', async () => {
    const g = (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['app'] }))).AutoScalingGroups![0]!;
    expect(g.Instances?.map((i) => i.InstanceId).sort()).toEqual([...members].sort());
    for (const i of g.Instances!) {
      expect(i).toMatchObject({ LifecycleState: 'InService', HealthStatus: 'Healthy', InstanceType: 't3.micro', ProtectedFromScaleIn: false });
      expect(i.LaunchTemplate?.LaunchTemplateName).toBe('app');
    }
    expect(new Set(g.Instances!.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    const lean = (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['app'], IncludeInstances: false }))).AutoScalingGroups![0]!;
    expect(lean.Instances).toBeUndefined();
    expect(lean.DesiredCapacity).toBe(2);

    const pages: number[] = [];
    const seen: string[] = [];
    for await (const p of paginateDescribeAutoScalingInstances({ client: sb.asg, pageSize: 1 }, {})) {
      pages.push(p.AutoScalingInstances?.length ?? 0);
      for (const i of p.AutoScalingInstances ?? []) {
        expect(i).toMatchObject({ AutoScalingGroupName: 'app', HealthStatus: 'HEALTHY', LifecycleState: 'InService' });
        seen.push(i.InstanceId!);
      }
    }
    expect(pages).toEqual([1, 1]);
    expect(seen.sort()).toEqual([...members].sort());
    const one = await sb.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [members[0]!, 'i-00000000000000000'] }));
    expect(one.AutoScalingInstances?.map((i) => i.InstanceId)).toEqual([members[0]]);
  });

  it('registered the members with the group target group', async () => {
    const health = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(health.TargetHealthDescriptions?.map((d) => d.Target?.Id).sort()).toEqual([...members].sort());
  });

  it('SetInstanceHealth respects the grace period unless told not to', async () => {
    const id = members[0]!;
    await sb.asg.send(new SetInstanceHealthCommand({ InstanceId: id, HealthStatus: 'Unhealthy' }));
    expect(sb.world.asgInstances.get(id)?.healthStatus).toBe('Healthy');
    await expect(sb.asg.send(new SetInstanceHealthCommand({ InstanceId: id, HealthStatus: 'Sick' }))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sb.asg.send(new SetInstanceHealthCommand({ InstanceId: 'i-00000000000000000', HealthStatus: 'Healthy' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('i-00000000000000000'),
    });

    const from = sb.world.events().at(-1)!.seq;
    await sb.asg.send(new SetInstanceHealthCommand({ InstanceId: id, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false }));
    await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-health' && e.instanceId === id && e.healthStatus === 'Unhealthy');
    // The reconciler replaces it: a terminate activity, then a replacement comes InService.
    const replacement = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.asgName === 'app' && e.to === 'InService')) as Lifecycle;
    members = [members[1]!, replacement.instanceId];
  });

  it('TerminateInstanceInAutoScalingGroup returns the in-progress activity and lists it first', async () => {
    await expect(sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: 'i-00000000000000000', ShouldDecrementDesiredCapacity: false }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const victim = members[0]!;
    const out = await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: true }));
    expect(out.Activity).toMatchObject({
      AutoScalingGroupName: 'app',
      Description: `Terminating EC2 instance: ${victim}`,
      Cause: expect.stringContaining(`instance ${victim} was taken out of service in response to a user request, shrinking the capacity from 2 to 1`),
    });
    expect(out.Activity!.ActivityId).toMatch(/^[0-9a-f-]{36}$/);
    expect(['InProgress', 'WaitingForELBConnectionDraining']).toContain(out.Activity!.StatusCode);
    expect(JSON.parse(out.Activity!.Details!)).toHaveProperty('Availability Zone');

    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'app' }))).Activities!;
    expect(acts[0]!.ActivityId).toBe(out.Activity!.ActivityId);
    const finished = (s?: string) => s === 'Successful' || s === 'Failed' || s === 'Cancelled';
    const firstDone = acts.findIndex((a) => finished(a.StatusCode));
    expect(acts.slice(firstDone).every((a) => finished(a.StatusCode))).toBe(true);
    const doneTimes = acts.slice(firstDone).map((a) => a.StartTime!.getTime());
    expect(doneTimes).toEqual([...doneTimes].sort((a, b) => b - a));
    expect(acts.filter((a) => a.Description?.startsWith('Launching a new EC2 instance')).length).toBeGreaterThanOrEqual(3);

    // Desired went down to min: a second decrementing terminate would break MinSize.
    await expect(sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: members[1]!, ShouldDecrementDesiredCapacity: true }))).rejects.toThrow(
      /desiredSize equals minSize \(1\)/,
    );
  });

  it('pages activities with the SDK paginator and filters by ActivityIds', async () => {
    const all = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'app' }))).Activities!;
    const ids: string[] = [];
    for await (const p of paginateDescribeScalingActivities({ client: sb.asg, pageSize: 2 }, { AutoScalingGroupName: 'app' })) {
      expect(p.Activities!.length).toBeLessThanOrEqual(2);
      ids.push(...p.Activities!.map((a) => a.ActivityId!));
    }
    expect(new Set(ids)).toEqual(new Set(all.map((a) => a.ActivityId)));
    const picked = await sb.asg.send(new DescribeScalingActivitiesCommand({ ActivityIds: [all[1]!.ActivityId!] }));
    expect(picked.Activities?.map((a) => a.ActivityId)).toEqual([all[1]!.ActivityId]);
    await expect(sb.asg.send(new DescribeScalingActivitiesCommand({ MaxRecords: 101 }))).rejects.toMatchObject({ name: 'ValidationError' });
    expect((await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'nope' }))).Activities).toEqual([]);
  });

  it('orders activities in-progress first, then newest first', async () => {
    // A quiet group of its own, so the reconciler's activities for 'app' don't interleave.
    const g0 = sb.world.asgs.get('app')!;
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'history',
        LaunchTemplate: { LaunchTemplateName: 'app' },
        MinSize: 0,
        MaxSize: 1,
        VPCZoneIdentifier: g0.subnetIds.join(','),
      }),
    );
    const g = sb.world.asgs.get('history')!;
    const t0 = Date.now() + 60_000;
    const mk = (d: string, offset: number, status: 'InProgress' | 'Successful') => {
      const a = sb.world.startActivity(g, { description: d, cause: 'test', details: {}, statusCode: status });
      a.startTime = new Date(t0 + offset);
      return a;
    };
    mk('old-running', 0, 'InProgress');
    mk('new-done', 3000, 'Successful');
    mk('mid-done', 2000, 'Successful');
    mk('new-running', 1000, 'InProgress');
    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'history', MaxRecords: 4 }))).Activities!;
    expect(acts.map((a) => a.Description)).toEqual(['new-running', 'old-running', 'new-done', 'mid-done']);
  });

  it('resumes a page token after its last activity: a new activity between pages neither repeats nor skips', async () => {
    const g0 = sb.world.asgs.get('app')!;
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'paging', LaunchTemplate: { LaunchTemplateName: 'app' }, MinSize: 0, MaxSize: 1, VPCZoneIdentifier: g0.subnetIds.join(',') }),
    );
    const g = sb.world.asgs.get('paging')!;
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      sb.world.startActivity(g, { description: `old-${i}`, cause: 'test', details: {}, statusCode: 'Successful' }).startTime = new Date(t0 - 10_000 + i * 1000);
    }
    const page1 = await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'paging', MaxRecords: 3 }));
    expect(page1.Activities!.map((a) => a.Description)).toEqual(['old-4', 'old-3', 'old-2']);
    // The reviewer's case: a new (in-progress, newest) activity arrives before page 2 is read.
    sb.world.startActivity(g, { description: 'new', cause: 'test', details: {} });
    const page2 = await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'paging', MaxRecords: 3, NextToken: page1.NextToken! }));
    expect(page2.Activities!.map((a) => a.Description)).toEqual(['old-1', 'old-0']);
    expect(page2.NextToken).toBeUndefined();
    await expect(sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'paging', NextToken: 'aWR4OjM' }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses to delete a group with instances unless ForceDelete, which terminates them', async () => {
    await expect(sb.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'app' }))).rejects.toMatchObject({ name: 'ResourceInUseFault' });
    const ids = sb.world.membersOf('app').map((m) => m.instanceId);
    expect(ids.length).toBeGreaterThan(0);
    await sb.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'app', ForceDelete: true }));
    expect((await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['app'] }))).AutoScalingGroups).toEqual([]);
    for (const id of ids) {
      await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === id && e.to === 'terminated');
    }
    expect((await sb.asg.send(new DescribeAutoScalingInstancesCommand({}))).AutoScalingInstances).toEqual([]);
  });
});
