import { DescribeNetworkInterfacesCommand, paginateDescribeNetworkInterfaces, TerminateInstancesCommand, type NetworkInterface } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleStack, waitForSteadyState, type SampleStack } from '../../src/sandbox/stack.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * DescribeNetworkInterfaces through the SDK: the instances' primary interfaces, the ALB's interface per
 * AZ subnet as ELB creates them, and a foreign interface added through the control plane.
 */
describe('sandbox EC2 DescribeNetworkInterfaces', () => {
  let sb: TestSandbox;
  let stack: SampleStack;
  const describeAll = async (input: ConstructorParameters<typeof DescribeNetworkInterfacesCommand>[0] = {}) =>
    (await sb.ec2.send(new DescribeNetworkInterfacesCommand(input))).NetworkInterfaces ?? [];
  const bySubnet = (subnetId: string) => describeAll({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] });

  beforeAll(async () => {
    sb = await startTestSandbox();
    stack = await createSampleStack(sb, { instances: 2, azs: 2 });
    await waitForSteadyState(sb, stack, 20_000, 100);
  });
  afterAll(() => sb.close());

  it("lists each instance's primary interface in its subnet, attached at device 0 with the instance's IP", async () => {
    const members = sb.world.membersOf(stack.asgName);
    expect(members).toHaveLength(2);
    for (const m of members) {
      const inst = sb.world.instances.get(m.instanceId)!;
      const enis = await describeAll({ Filters: [{ Name: 'attachment.instance-id', Values: [inst.instanceId] }] });
      expect(enis).toHaveLength(1);
      const eni = enis[0]!;
      expect(eni.NetworkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
      expect(eni).toMatchObject({
        SubnetId: inst.subnetId,
        VpcId: stack.vpcId,
        AvailabilityZone: inst.availabilityZone,
        PrivateIpAddress: inst.privateIpAddress,
        InterfaceType: 'interface',
        RequesterManaged: false,
        Status: 'in-use',
        OwnerId: sb.world.accountId,
        Attachment: { InstanceId: inst.instanceId, DeviceIndex: 0, DeleteOnTermination: true, Status: 'attached', InstanceOwnerId: sb.world.accountId },
        PrivateIpAddresses: [{ PrivateIpAddress: inst.privateIpAddress, Primary: true, PrivateDnsName: `ip-${inst.privateIpAddress.replaceAll('.', '-')}.ec2.internal` }],
      });
      expect(eni.RequesterId).toBeUndefined();
      expect(eni.Attachment!.AttachTime).toBeInstanceOf(Date);
    }
    // Instance subnets hold exactly the group's instances: the ALB lives in its own subnets.
    for (const s of stack.subnets) {
      const ids = (await bySubnet(s.subnetId)).map((e) => e.Attachment?.InstanceId);
      expect(ids.sort()).toEqual(
        members
          .filter((m) => m.availabilityZone === s.availabilityZone)
          .map((m) => m.instanceId)
          .sort(),
      );
    }
  });

  it('shows one requester-managed interface per ALB subnet, described "ELB app/<name>/<id>"', async () => {
    const lb = (await sb.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [stack.loadBalancerArn] }))).LoadBalancers![0]!;
    const resource = lb.LoadBalancerArn!.split(':loadbalancer/')[1]!;
    expect(resource).toMatch(/^app\/[^/]+\/[0-9a-f]{16}$/);
    const enis = await describeAll({ Filters: [{ Name: 'description', Values: [`ELB ${resource}`] }] });
    expect(enis.map((e) => e.SubnetId).sort()).toEqual(stack.lbSubnets.map((s) => s.subnetId).sort());
    for (const e of enis) {
      expect(e).toMatchObject({ InterfaceType: 'interface', RequesterId: 'amazon-elb', RequesterManaged: true, Status: 'in-use' });
      expect(e.Attachment).toMatchObject({ InstanceOwnerId: 'amazon-elb', DeviceIndex: 1, Status: 'attached' });
      expect(e.Attachment!.InstanceId).toBeUndefined();
    }
    const viaRequester = await describeAll({
      Filters: [
        { Name: 'requester-id', Values: ['amazon-elb'] },
        { Name: 'vpc-id', Values: [stack.vpcId] },
      ],
    });
    expect(viaRequester.map((e) => e.NetworkInterfaceId).sort()).toEqual(enis.map((e) => e.NetworkInterfaceId).sort());
    // Ids and IPs are stable from one call to the next.
    expect((await describeAll({ NetworkInterfaceIds: [enis[0]!.NetworkInterfaceId!] }))[0]).toEqual(enis[0]);
  });

  it('adds and deletes a foreign interface through the control plane; tag and wildcard filters see it', async () => {
    const subnetId = stack.subnets[0]!.subnetId;
    const res = await fetch(`${sb.endpoint}/_sandbox/network-interfaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subnetId, description: 'RDSNetworkInterface', requesterId: 'amazon-rds' }),
    });
    expect(res.status).toBe(201);
    const added = (await res.json()) as { networkInterfaceId: string };
    const event = await sb.waitForEvent((e) => e.type === 'network-interface' && e.networkInterfaceId === added.networkInterfaceId);
    expect(event).toMatchObject({ change: 'created', subnetId, owner: 'foreign' });
    const inSubnet = await bySubnet(subnetId);
    const foreign = inSubnet.filter((e) => !e.Attachment?.InstanceId);
    expect(foreign.map((e) => [e.NetworkInterfaceId, e.Description, e.RequesterId])).toEqual([[added.networkInterfaceId, 'RDSNetworkInterface', 'amazon-rds']]);
    expect(
      await describeAll({
        Filters: [
          { Name: 'description', Values: ['RDS*'] },
          { Name: 'interface-type', Values: ['interface'] },
        ],
      }),
    ).toHaveLength(1);
    expect(await describeAll({ Filters: [{ Name: 'tag:team', Values: ['db'] }] })).toHaveLength(0);
    sb.world.setTag(added.networkInterfaceId, 'team', 'db');
    expect((await describeAll({ Filters: [{ Name: 'tag:team', Values: ['db'] }] })).map((e) => e.NetworkInterfaceId)).toEqual([added.networkInterfaceId]);

    const bad = await fetch(`${sb.endpoint}/_sandbox/network-interfaces`, { method: 'POST', body: JSON.stringify({ subnetId: 'subnet-nope', colour: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { problems: string[] }).problems).toHaveLength(2);

    const del = await fetch(`${sb.endpoint}/_sandbox/network-interfaces/${added.networkInterfaceId}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await bySubnet(subnetId)).some((e) => e.NetworkInterfaceId === added.networkInterfaceId)).toBe(false);
    const instanceEni = inSubnet.find((e) => e.Attachment?.InstanceId)!.NetworkInterfaceId!;
    expect((await fetch(`${sb.endpoint}/_sandbox/network-interfaces/${instanceEni}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('pages with MaxResults/NextToken, and rejects bad ids, unknown filters and MaxResults with ids', async () => {
    expect(await describeAll()).toHaveLength(2 + 2); // two instances, two ALB nodes
    for (const n of [1, 2, 3]) {
      const res = await fetch(`${sb.endpoint}/_sandbox/network-interfaces`, {
        method: 'POST',
        body: JSON.stringify({ subnetId: stack.lbSubnets[1]!.subnetId, description: `lambda ${n}`, interfaceType: 'lambda', status: 'available' }),
      });
      expect(res.status).toBe(201);
    }
    const all = await describeAll();
    expect(all).toHaveLength(7);
    expect(all.filter((e) => e.InterfaceType === 'lambda').map((e) => [e.Status, e.Attachment])).toEqual([...Array(3)].map(() => ['available', undefined]));
    const paged: NetworkInterface[] = [];
    const pages: number[] = [];
    for await (const pg of paginateDescribeNetworkInterfaces({ client: sb.ec2, pageSize: 5 }, {})) {
      pages.push(pg.NetworkInterfaces!.length);
      paged.push(...pg.NetworkInterfaces!);
    }
    expect(paged.map((e) => e.NetworkInterfaceId)).toEqual(all.map((e) => e.NetworkInterfaceId));
    expect(pages).toEqual([5, 2]);
    await expectAwsError(sb.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 4 })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-12345678901234567'] })), 'InvalidNetworkInterfaceID.NotFound');
    await expectAwsError(sb.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['i-0123'] })), 'InvalidNetworkInterfaceID.Malformed');
    await expectAwsError(sb.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [all[0]!.NetworkInterfaceId!], MaxResults: 5 })), 'InvalidParameterCombination');
    await expectAwsError(sb.ec2.send(new DescribeNetworkInterfacesCommand({ DryRun: true })), 'DryRunOperation', 412);
  });

  it("drops an instance's interface once the instance is terminated", async () => {
    const victim = sb.world.membersOf(stack.asgName)[0]!.instanceId;
    await sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim] }));
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'terminated');
    expect(await describeAll({ Filters: [{ Name: 'attachment.instance-id', Values: [victim] }] })).toEqual([]);
  });
});
