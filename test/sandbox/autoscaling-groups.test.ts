import {
  AttachLoadBalancerTargetGroupsCommand,
  CreateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteAutoScalingGroupCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLoadBalancerTargetGroupsCommand,
  DescribeTagsCommand,
  DescribeTrafficSourcesCommand,
  DetachLoadBalancerTargetGroupsCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
  type CreateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Group CRUD, validation, filters, paging, tags, processes and target-group attachments. Groups here
 * use desired 0 unless a test needs instances, so the reconciler stays quiet and the file stays fast.
 */
describe('sandbox Auto Scaling API: groups', () => {
  let sb: TestSandbox;
  let subnets: string[];
  let ltId: string;
  let tgArn: string;

  const base = (name: string, extra: Partial<CreateAutoScalingGroupCommandInput> = {}): CreateAutoScalingGroupCommandInput => ({
    AutoScalingGroupName: name,
    LaunchTemplate: { LaunchTemplateId: ltId },
    MinSize: 0,
    MaxSize: 4,
    DesiredCapacity: 0,
    VPCZoneIdentifier: subnets.join(','),
    ...extra,
  });
  const describeOne = async (name: string) => (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0];

  beforeAll(async () => {
    sb = await startTestSandbox();
    const vpc = await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const vpcId = vpc.Vpc!.VpcId!;
    subnets = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      const s = await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: az }));
      subnets.push(s.Subnet!.SubnetId!);
    }
    const lt = await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.small' } }));
    ltId = lt.LaunchTemplate!.LaunchTemplateId!;
    const tg = await sb.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpcId }));
    tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
  });
  afterAll(() => sb.close());

  it('creates a group and describes its full shape', async () => {
    await sb.asg.send(
      new CreateAutoScalingGroupCommand(
        base('shape', {
          LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
          HealthCheckType: 'ELB',
          HealthCheckGracePeriod: 30,
          TargetGroupARNs: [tgArn],
          Tags: [{ Key: 'team', Value: 'web', PropagateAtLaunch: true }],
        }),
      ),
    );
    const g = (await describeOne('shape'))!;
    expect(g.AutoScalingGroupARN).toMatch(/^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/shape$/);
    expect(g.LaunchTemplate).toEqual({ LaunchTemplateId: ltId, LaunchTemplateName: 'web', Version: '$Latest' });
    expect([g.MinSize, g.MaxSize, g.DesiredCapacity]).toEqual([0, 4, 0]);
    expect(g.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(g.VPCZoneIdentifier).toBe(subnets.join(','));
    expect(g.HealthCheckType).toBe('ELB');
    expect(g.HealthCheckGracePeriod).toBe(30);
    expect(g.TargetGroupARNs).toEqual([tgArn]);
    expect(g.TrafficSources).toEqual([{ Identifier: tgArn, Type: 'elbv2' }]);
    expect(g.Instances).toEqual([]);
    expect(g.SuspendedProcesses).toEqual([]);
    expect(g.Tags).toEqual([{ ResourceId: 'shape', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'web', PropagateAtLaunch: true }]);
    expect(g.CreatedTime).toBeInstanceOf(Date);
  });

  it('defaults HealthCheckType to EC2, grace period to 0 and desired to min', async () => {
    await sb.asg.send(new CreateAutoScalingGroupCommand({ ...base('defaults'), DesiredCapacity: undefined }));
    const g = (await describeOne('defaults'))!;
    expect(g.HealthCheckType).toBe('EC2');
    expect(g.HealthCheckGracePeriod).toBe(0);
    expect(g.DesiredCapacity).toBe(0);
    expect(g.LaunchTemplate?.Version).toBe('$Default');
  });

  it('rejects a duplicate name, bad sizes, unknown launch templates, subnets and target groups', async () => {
    await expect(sb.asg.send(new CreateAutoScalingGroupCommand(base('shape')))).rejects.toMatchObject({ name: 'AlreadyExistsFault' });
    await expect(sb.asg.send(new CreateAutoScalingGroupCommand(base('bad', { MinSize: 1, MaxSize: 4, DesiredCapacity: 5 })))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Desired capacity:5 must be between the specified min size:1 and max size:4',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(sb.asg.send(new CreateAutoScalingGroupCommand(base('bad', { MinSize: 3, MaxSize: 2, DesiredCapacity: 2 })))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(sb.asg.send(new CreateAutoScalingGroupCommand(base('bad', { LaunchTemplate: { LaunchTemplateId: 'lt-00000000000000000' } })))).rejects.toThrow(
      /launch template.*does not exist/,
    );
    await expect(sb.asg.send(new CreateAutoScalingGroupCommand(base('bad', { VPCZoneIdentifier: 'subnet-0000000000000000f' })))).rejects.toThrow(/subnet-0000000000000000f/);
    await expect(sb.asg.send(new CreateAutoScalingGroupCommand(base('bad', { TargetGroupARNs: [`${tgArn}x`] })))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(await describeOne('bad')).toBeUndefined();
  });

  it('updates sizes with AWS semantics and validates SetDesiredCapacity against min/max', async () => {
    await sb.asg.send(new CreateAutoScalingGroupCommand(base('sizes')));
    // Launch suspended, so raising desired below starts no instances.
    await sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'sizes', ScalingProcesses: ['Launch'] }));
    // A MinSize above the current desired moves desired up with it; a MaxSize below it pulls it down.
    await sb.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'sizes', MinSize: 2, HealthCheckGracePeriod: 12 }));
    let g = (await describeOne('sizes'))!;
    expect([g.MinSize, g.MaxSize, g.DesiredCapacity, g.HealthCheckGracePeriod]).toEqual([2, 4, 2, 12]);
    await sb.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'sizes', MinSize: 0, MaxSize: 0 }));
    g = (await describeOne('sizes'))!;
    expect([g.MinSize, g.MaxSize, g.DesiredCapacity]).toEqual([0, 0, 0]);
    expect(sb.world.membersOf('sizes')).toEqual([]);
    await expect(sb.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'sizes', DesiredCapacity: 1 }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 1 is above max value 0 for the AutoScalingGroup.',
    });
    await expect(sb.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'sizes', MaxSize: 2, DesiredCapacity: 3 }))).rejects.toThrow(
      'Desired capacity:3 must be between the specified min size:0 and max size:2',
    );
    await expect(sb.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'nope', DesiredCapacity: 1 }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('AutoScalingGroup name not found'),
    });
    g = (await describeOne('sizes'))!;
    expect(g.MaxSize).toBe(0);
  });

  it('answers an unknown name in DescribeAutoScalingGroups with an empty list, and caps names at 50', async () => {
    const out = await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['does-not-exist'] }));
    expect(out.AutoScalingGroups).toEqual([]);
    const names = Array.from({ length: 51 }, (_, i) => `g${i}`);
    await expect(sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sb.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('pages through groups with the SDK paginator', async () => {
    for (let i = 0; i < 5; i++) await sb.asg.send(new CreateAutoScalingGroupCommand(base(`page-${i}`)));
    const pages: string[][] = [];
    for await (const p of paginateDescribeAutoScalingGroups({ client: sb.asg, pageSize: 2 }, {})) {
      pages.push((p.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!));
    }
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    const all = pages.flat();
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'shape', 'sizes']));
  });

  it('filters by tag:key, tag-key and tag-value, and manages tags', async () => {
    await sb.asg.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          { ResourceId: 'page-1', ResourceType: 'auto-scaling-group', Key: 'chaos-ec2:opt-in', Value: 'true', PropagateAtLaunch: false },
          { ResourceId: 'page-2', ResourceType: 'auto-scaling-group', Key: 'chaos-ec2:opt-in', Value: 'false', PropagateAtLaunch: false },
        ],
      }),
    );
    const names = async (filters: { Name: string; Values: string[] }[]) =>
      ((await sb.asg.send(new DescribeAutoScalingGroupsCommand({ Filters: filters }))).AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName);
    expect(await names([{ Name: 'tag:chaos-ec2:opt-in', Values: ['true'] }])).toEqual(['page-1']);
    expect(await names([{ Name: 'tag-key', Values: ['chaos-ec2:opt-in'] }])).toEqual(['page-1', 'page-2']);
    expect(await names([{ Name: 'tag-value', Values: ['web'] }])).toEqual(['shape']);

    const tags = await sb.asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['chaos-ec2:opt-in'] }] }));
    expect(tags.Tags?.map((t) => [t.ResourceId, t.Value])).toEqual([
      ['page-1', 'true'],
      ['page-2', 'false'],
    ]);
    await sb.asg.send(new DeleteTagsCommand({ Tags: [{ ResourceId: 'page-2', ResourceType: 'auto-scaling-group', Key: 'chaos-ec2:opt-in' }] }));
    expect(await names([{ Name: 'tag-key', Values: ['chaos-ec2:opt-in'] }])).toEqual(['page-1']);
    await expect(sb.asg.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: 'nope', ResourceType: 'auto-scaling-group', Key: 'k', Value: 'v' }] }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('suspends and resumes named processes, or all of them, and rejects unknown names', async () => {
    await sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'page-3', ScalingProcesses: ['Launch', 'AZRebalance'] }));
    let g = (await describeOne('page-3'))!;
    expect(g.SuspendedProcesses?.map((p) => p.ProcessName).sort()).toEqual(['AZRebalance', 'Launch']);
    expect(g.SuspendedProcesses?.[0]?.SuspensionReason).toMatch(/^User suspended at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sb.world.asgs.get('page-3')!.suspendedProcesses.has('Launch')).toBe(true);

    await sb.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'page-3', ScalingProcesses: ['Launch'] }));
    g = (await describeOne('page-3'))!;
    expect(g.SuspendedProcesses?.map((p) => p.ProcessName)).toEqual(['AZRebalance']);

    await sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'page-3' }));
    g = (await describeOne('page-3'))!;
    expect(g.SuspendedProcesses).toHaveLength(9);
    await sb.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'page-3' }));
    expect((await describeOne('page-3'))!.SuspendedProcesses).toEqual([]);

    await expect(sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'page-3', ScalingProcesses: ['Lunch'] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('Lunch'),
    });
    await expect(sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'nope' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('attaches and detaches target groups and reports them as traffic sources', async () => {
    await sb.asg.send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'page-4', TargetGroupARNs: [tgArn] }));
    const lbtg = await sb.asg.send(new DescribeLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'page-4' }));
    expect(lbtg.LoadBalancerTargetGroups).toEqual([{ LoadBalancerTargetGroupARN: tgArn, State: 'Added' }]);
    const ts = await sb.asg.send(new DescribeTrafficSourcesCommand({ AutoScalingGroupName: 'page-4' }));
    expect(ts.TrafficSources).toEqual([{ TrafficSource: tgArn, Identifier: tgArn, Type: 'elbv2', State: 'Added' }]);
    await sb.asg.send(new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'page-4', TargetGroupARNs: [tgArn] }));
    expect((await describeOne('page-4'))!.TargetGroupARNs).toEqual([]);
    await expect(sb.asg.send(new AttachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: 'page-4', TargetGroupARNs: [`${tgArn}0`] }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('deletes an empty group, and refuses an unknown one', async () => {
    await sb.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'page-0' }));
    expect(await describeOne('page-0')).toBeUndefined();
    await expect(sb.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'page-0' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: "AutoScalingGroup name not found - AutoScalingGroup 'page-0' not found",
    });
  });
});
