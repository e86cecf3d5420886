import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  paginateDescribeSubnets,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('sandbox EC2 VPCs, subnets, zones, tags and launch templates', () => {
  let sb: TestSandbox;
  let vpcId: string;

  beforeAll(async () => {
    sb = await startTestSandbox({ zoneCount: 3 });
    const vpc = await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'chaos-demo' }] }] }));
    vpcId = vpc.Vpc!.VpcId!;
  });
  afterAll(() => sb.close());

  it('DescribeAvailabilityZones lists the region zones with AWS fields and filters', async () => {
    const out = await sb.ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones).toHaveLength(3);
    expect(out.AvailabilityZones![0]).toEqual({
      ZoneName: 'us-east-1a',
      ZoneId: 'use1-az1',
      State: 'available',
      OptInStatus: 'opt-in-not-required',
      Messages: [],
      RegionName: 'us-east-1',
      GroupName: 'us-east-1',
      NetworkBorderGroup: 'us-east-1',
      ZoneType: 'availability-zone',
    });
    const one = await sb.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-id', Values: ['use1-az2'] }] }));
    expect(one.AvailabilityZones!.map((z) => z.ZoneName)).toEqual(['us-east-1b']);
    const named = await sb.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1c'] }));
    expect(named.AvailabilityZones!.map((z) => z.ZoneId)).toEqual(['use1-az3']);
    await expectAwsError(sb.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1f'] })), 'InvalidParameterValue');
  });

  it('CreateVpc/DescribeVpcs: tags, filters, and CIDR validation', async () => {
    const out = await sb.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(out.Vpcs![0]).toMatchObject({ VpcId: vpcId, CidrBlock: '10.0.0.0/16', State: 'available', IsDefault: false, Tags: [{ Key: 'Name', Value: 'chaos-demo' }] });
    const byTag = await sb.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['chaos-*'] }] }));
    expect(byTag.Vpcs!.map((v) => v.VpcId)).toEqual([vpcId]);
    await expectAwsError(sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range');
    await expectAwsError(sb.ec2.send(new CreateVpcCommand({ CidrBlock: 'nonsense' })), 'InvalidVpc.Range');
    await expectAwsError(sb.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })), 'InvalidVpcID.NotFound');
    const before = sb.world.vpcs.size;
    await expectAwsError(sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', DryRun: true })), 'DryRunOperation', 412);
    expect(sb.world.vpcs.size).toBe(before);
  });

  it('CreateSubnet validates range, overlap and zone; DescribeSubnets filters and pages', async () => {
    const made = [];
    for (let i = 0; i < 7; i++) {
      const zone = `us-east-1${'abc'[i % 3]}`;
      made.push((await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone }))).Subnet!);
    }
    expect(made[0]).toMatchObject({
      VpcId: vpcId,
      CidrBlock: '10.0.0.0/24',
      AvailabilityZone: 'us-east-1a',
      AvailabilityZoneId: 'use1-az1',
      State: 'available',
      AvailableIpAddressCount: 251,
    });
    await expectAwsError(sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.128/25' })), 'InvalidSubnet.Conflict');
    await expectAwsError(sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.9.0.0/24' })), 'InvalidSubnet.Range');
    await expectAwsError(sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.99.0/24', AvailabilityZone: 'us-east-1q' })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.99.0/24' })), 'InvalidVpcID.NotFound');

    const inB = await sb.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'availability-zone', Values: ['us-east-1b'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    );
    expect(inB.Subnets!.map((s) => s.SubnetId).sort()).toEqual(
      made
        .filter((s) => s.AvailabilityZone === 'us-east-1b')
        .map((s) => s.SubnetId)
        .sort(),
    );
    const sizes: number[] = [];
    for await (const pg of paginateDescribeSubnets({ client: sb.ec2, pageSize: 5 }, {})) sizes.push(pg.Subnets!.length);
    expect(sizes).toEqual([5, 2]);
    await expectAwsError(sb.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0'] })), 'InvalidSubnetID.NotFound');
    await expectAwsError(sb.ec2.send(new DescribeSubnetsCommand({ MaxResults: 1001 })), 'InvalidParameterValue');
  });

  it('CreateTags/DeleteTags/DescribeTags work on subnets and NACLs; unknown ids and aws: keys are refused', async () => {
    const subnetId = (await sb.ec2.send(new DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
    const aclId = sb.world.naclOfSubnet(subnetId)!.networkAclId;
    await sb.ec2.send(
      new CreateTagsCommand({
        Resources: [subnetId, aclId],
        Tags: [
          { Key: 'chaos', Value: 'yes' },
          { Key: 'owner', Value: 'team-a' },
        ],
      }),
    );
    const tags = await sb.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['chaos'] }] }));
    expect(tags.Tags!.map((t) => [t.ResourceId, t.ResourceType, t.Value]).sort()).toEqual(
      [
        [subnetId, 'subnet', 'yes'],
        [aclId, 'network-acl', 'yes'],
      ].sort(),
    );
    // A Value that doesn't match leaves the tag; no Value deletes whatever it is.
    await sb.ec2.send(new DeleteTagsCommand({ Resources: [subnetId], Tags: [{ Key: 'chaos', Value: 'no' }, { Key: 'owner' }] }));
    expect(Object.fromEntries(sb.world.tagsOf(subnetId))).toEqual({ chaos: 'yes' });

    await expectAwsError(sb.ec2.send(new CreateTagsCommand({ Resources: ['subnet-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidSubnetID.NotFound');
    await expectAwsError(sb.ec2.send(new CreateTagsCommand({ Resources: ['acl-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidNetworkAclID.NotFound');
    await expectAwsError(sb.ec2.send(new CreateTagsCommand({ Resources: ['i-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidInstanceID.NotFound');
    // All-or-nothing: one unknown id means no resource is tagged.
    await expectAwsError(sb.ec2.send(new CreateTagsCommand({ Resources: [aclId, 'vpc-0123456789abcdef0'], Tags: [{ Key: 'x', Value: '1' }] })), 'InvalidVpcID.NotFound');
    expect(sb.world.tagsOf(aclId).has('x')).toBe(false);
    await expectAwsError(sb.ec2.send(new CreateTagsCommand({ Resources: [aclId], Tags: [{ Key: 'aws:mine', Value: '1' }] })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new CreateTagsCommand({ Resources: [aclId], Tags: [{ Key: 'x', Value: '1' }], DryRun: true })), 'DryRunOperation', 412);
    expect(sb.world.tagsOf(aclId).has('x')).toBe(false);
  });

  it('CreateLaunchTemplate/DescribeLaunchTemplates, with duplicate and unknown names refused', async () => {
    const out = await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'demo-asg-lt', LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro' } }));
    const lt = out.LaunchTemplate!;
    expect(lt).toMatchObject({ LaunchTemplateName: 'demo-asg-lt', DefaultVersionNumber: 1, LatestVersionNumber: 1 });
    expect(lt.LaunchTemplateId).toMatch(/^lt-[0-9a-f]{17}$/);
    expect(sb.world.launchTemplates.get(lt.LaunchTemplateId!)).toMatchObject({ imageId: 'ami-0c0ffee0c0ffee000', instanceType: 't3.micro' });
    await expectAwsError(
      sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'demo-asg-lt', LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000' } })),
      'InvalidLaunchTemplateName.AlreadyExistsException',
    );
    const byName = await sb.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['demo-asg-lt'] }));
    expect(byName.LaunchTemplates!.map((t) => t.LaunchTemplateId)).toEqual([lt.LaunchTemplateId]);
    expect(byName.LaunchTemplates![0]!.CreateTime).toBeInstanceOf(Date);
    await expectAwsError(sb.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })), 'InvalidLaunchTemplateName.NotFoundException');
  });

  it('speaks the EC2 wire format: <requestId> and <item> lists, <Response><Errors> errors, 4xx for client mistakes', async () => {
    const post = (body: string) => fetch(sb.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const ok = await post('Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=us-east-1a');
    expect(ok.status).toBe(200);
    const okText = await ok.text();
    expect(okText).toMatch(/<DescribeAvailabilityZonesResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId>/);
    expect(okText).toContain('<availabilityZoneInfo><item><zoneName>us-east-1a</zoneName>');
    const bad = await post('Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(
      /<Response><Errors><Error><Code>InvalidInstanceID\.NotFound<\/Code><Message>The instance ID (?:'|&apos;)i-0123456789abcdef0(?:'|&apos;) does not exist<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>/,
    );
    // Malformed input is a 4xx with an AWS code, never a 500.
    for (const body of [
      'Action=CreateNetworkAclEntry&Version=2016-11-15&NetworkAclId=acl-x&RuleNumber=abc',
      'Action=DescribeSubnets&Version=2016-11-15&Filter.1.Value.1=x',
      'Action=CreateSubnet&Version=2016-11-15',
      'Action=DescribeVpcs&Version=2016-11-15&DryRun=maybe',
    ]) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(await res.text()).toMatch(/<Code>(InvalidParameterValue|MissingParameter|InvalidNetworkAclID\.NotFound)<\/Code>/);
    }
  });

  it('throttles with RequestLimitExceeded / HTTP 503, as EC2 does', async () => {
    sb.ctx.knobs.apiRateLimit = 1;
    try {
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => sb.ec2.send(new DescribeVpcsCommand({}))));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.length).toBeGreaterThan(0);
      const err = rejected[0]!.reason as Error & { $metadata: { httpStatusCode: number } };
      expect(err.name).toBe('RequestLimitExceeded');
      expect(err.$metadata.httpStatusCode).toBe(503);
    } finally {
      sb.ctx.knobs.apiRateLimit = 0;
    }
  });
});
