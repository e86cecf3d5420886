import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  paginateDescribeInstances,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../src/sandbox/world/types.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('sandbox EC2 instances', () => {
  let sb: TestSandbox;
  let vpcId: string;
  let subnetA: string;
  let subnetB: string;

  /** Launches straight through the lifecycle engine (as Auto Scaling does) and waits until it runs. */
  const launch = async (subnetId: string, asgName?: string): Promise<Instance> => {
    const inst = sb.ctx.lifecycle.launch({ subnetId, imageId: 'ami-0c0ffee0c0ffee000', instanceType: 't3.micro', ...(asgName ? { asgName } : {}), tags: { Name: 'web' } });
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'running', 5000);
    return inst;
  };
  const stateOf = async (id: string) => (await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.State!.Name;

  beforeAll(async () => {
    // Short state transitions keep the file fast; the states and their order are what is under test.
    sb = await startTestSandbox({ timings: { bootMs: 100, shutdownMs: 100, stopMs: 100 } });
    vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnetA = (await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    subnetB = (await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
  });
  afterAll(() => sb.close());

  it('DescribeInstances reports every field the CLI reads, by id and by filters', async () => {
    const [a, b] = await Promise.all([launch(subnetA, 'demo-asg'), launch(subnetB)]);
    const out = await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [a.instanceId] }));
    expect(out.Reservations).toHaveLength(1);
    expect(out.Reservations![0]!.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(out.Reservations![0]!.OwnerId).toBe(sb.world.accountId);
    const i = out.Reservations![0]!.Instances![0]!;
    expect(i).toMatchObject({
      InstanceId: a.instanceId,
      ImageId: 'ami-0c0ffee0c0ffee000',
      InstanceType: 't3.micro',
      State: { Code: 16, Name: 'running' },
      SubnetId: subnetA,
      VpcId: vpcId,
      Placement: { AvailabilityZone: 'us-east-1a' },
      PrivateIpAddress: a.privateIpAddress,
      StateTransitionReason: '',
    });
    expect(i.PrivateIpAddress).toMatch(/^10\.0\.1\.\d+$/);
    expect(i.LaunchTime).toBeInstanceOf(Date);
    expect(i.LaunchTime!.getTime()).toBe(a.launchTime.getTime());
    expect(i.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: 'web' },
        { Key: 'aws:autoscaling:groupName', Value: 'demo-asg' },
      ]),
    );

    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      (await sb.ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations!.flatMap((r) => r.Instances!.map((x) => x.InstanceId)).sort();
    expect(await ids([{ Name: 'tag:aws:autoscaling:groupName', Values: ['demo-asg'] }])).toEqual([a.instanceId]);
    expect(await ids([{ Name: 'tag-key', Values: ['aws:autoscaling:*'] }])).toEqual([a.instanceId]);
    expect(await ids([{ Name: 'availability-zone', Values: ['us-east-1b'] }])).toEqual([b.instanceId]);
    expect(
      await ids([
        { Name: 'subnet-id', Values: [subnetA, subnetB] },
        { Name: 'instance-state-name', Values: ['running'] },
      ]),
    ).toEqual([a.instanceId, b.instanceId].sort());
    expect(await ids([{ Name: 'instance-id', Values: [`${b.instanceId.slice(0, -1)}?`] }])).toEqual([b.instanceId]);
    expect(await ids([{ Name: 'vpc-id', Values: ['vpc-0000000000000000f'] }])).toEqual([]);
    await expectAwsError(sb.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'bogus', Values: ['1'] }] })), 'InvalidParameterValue');
  });

  it('answers unknown and malformed ids and bad pagination parameters with EC2 error codes', async () => {
    const err = await expectAwsError(sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound');
    expect(err.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    await expectAwsError(sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['not-an-id'] })), 'InvalidInstanceID.Malformed');
    const someId = [...sb.world.instances.keys()][0]!;
    await expectAwsError(sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [someId], MaxResults: 5 })), 'InvalidParameterCombination');
    await expectAwsError(sb.ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound');
  });

  it('pages through paginateDescribeInstances with MaxResults/NextToken', async () => {
    await Promise.all(Array.from({ length: 5 }, () => launch(subnetB)));
    const total = sb.world.instances.size;
    expect(total).toBeGreaterThanOrEqual(7);
    const seen: string[] = [];
    let pages = 0;
    for await (const pg of paginateDescribeInstances({ client: sb.ec2, pageSize: 5 }, {})) {
      pages++;
      const ids = pg.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId!));
      expect(ids.length).toBeLessThanOrEqual(5);
      seen.push(...ids);
    }
    expect(pages).toBe(Math.ceil(total / 5));
    expect(new Set(seen).size).toBe(total);
  });

  it('TerminateInstances: DryRun validates then changes nothing; the real call shuts down and stays visible', async () => {
    const inst = await launch(subnetA, 'demo-asg');
    const seq = sb.world.events().at(-1)!.seq;
    await expectAwsError(sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId], DryRun: true })), 'DryRunOperation', 412);
    // Unknown ids fail before the DryRun answer, so a dry run proves the real call would work.
    await expectAwsError(sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId, 'i-0123456789abcdef0'], DryRun: true })), 'InvalidInstanceID.NotFound');
    expect(sb.world.events(seq)).toEqual([]);
    expect(await stateOf(inst.instanceId)).toBe('running');

    const out = await sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId] }));
    expect(out.TerminatingInstances).toEqual([{ InstanceId: inst.instanceId, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 32, Name: 'shutting-down' } }]);
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'terminated', 5000);
    const described = (await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [inst.instanceId] }))).Reservations![0]!.Instances![0]!;
    expect(described.State).toEqual({ Code: 48, Name: 'terminated' });
    expect(described.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(described.StateTransitionReason).toMatch(/^User initiated \(/);
    const again = await sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId] }));
    expect(again.TerminatingInstances![0]).toMatchObject({ PreviousState: { Name: 'terminated' }, CurrentState: { Name: 'terminated' } });
    const byState = await sb.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['terminated'] }] }));
    expect(byState.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId))).toEqual([inst.instanceId]);
  });

  it('StopInstances: stopping state, DryRun, and IncorrectInstanceState for a terminated instance', async () => {
    const inst = await launch(subnetA);
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [inst.instanceId], DryRun: true })), 'DryRunOperation', 412);
    expect(await stateOf(inst.instanceId)).toBe('running');
    const out = await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [inst.instanceId] }));
    expect(out.StoppingInstances).toEqual([{ InstanceId: inst.instanceId, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 64, Name: 'stopping' } }]);
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'stopped', 5000);
    const terminated = [...sb.world.instances.values()].find((i) => i.state === 'terminated')!;
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [terminated.instanceId] })), 'IncorrectInstanceState');
  });

  it('RunInstances launches into a subnet with TagSpecification tags, as one reservation', async () => {
    const out = await sb.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-0123456789abcdef0',
        InstanceType: 't3.small',
        SubnetId: subnetB,
        MinCount: 2,
        MaxCount: 2,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'chaos' }] }],
      }),
    );
    expect(out.Instances).toHaveLength(2);
    expect(out.Instances!.every((i) => i.State?.Name === 'pending' && i.Placement?.AvailabilityZone === 'us-east-1b')).toBe(true);
    const ids = out.Instances!.map((i) => i.InstanceId!);
    await Promise.all(ids.map((id) => sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === id && e.to === 'running', 5000)));
    const d = await sb.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['chaos'] }] }));
    expect(d.Reservations!.map((r) => r.ReservationId)).toEqual([out.ReservationId]);
    expect(d.Reservations![0]!.Instances!.map((i) => i.InstanceId).sort()).toEqual([...ids].sort());
    await expectAwsError(sb.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 })), 'VPCIdNotSpecified');
    await expectAwsError(sb.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', SubnetId: subnetB, MinCount: 1, MaxCount: 1, DryRun: true })), 'DryRunOperation', 412);
  });
});
