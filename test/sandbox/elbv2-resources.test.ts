import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbNodeAddresses, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** Load balancers, target groups and listeners: shapes, defaults, paging, errors, tags, deletion rules. */
describe('sandbox ELBv2 API: resources', () => {
  let sb: TestSandbox;
  let vpcId: string;
  let subnets: string[];
  let lbArn: string;
  let tgArn: string;
  let listenerArn: string;

  beforeAll(async () => {
    sb = await startTestSandbox();
    vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!;
    subnets = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b', 'us-east-1c'].entries()) {
      const s = await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.2.${i}.0/24`, AvailabilityZone: az }));
      subnets.push(s.Subnet!.SubnetId!);
    }
  });
  afterAll(() => sb.close());

  it("creates an Application Load Balancer with the full AWS shape and a DNSName of AWS's form", async () => {
    const out = await sb.elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: [subnets[1]!, subnets[0]!], Tags: [{ Key: 'team', Value: 'web' }] }));
    const lb = out.LoadBalancers![0]!;
    lbArn = lb.LoadBalancerArn!;
    expect(lbArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web-alb\/[0-9a-f]{16}$/);
    expect(lb).toMatchObject({
      DNSName: expect.stringMatching(/^web-alb-\d{10}\.us-east-1\.elb\.amazonaws\.com$/),
      CanonicalHostedZoneId: expect.any(String),
      LoadBalancerName: 'web-alb',
      Scheme: 'internet-facing',
      VpcId: vpcId,
      State: { Code: 'active' },
      Type: 'application',
      IpAddressType: 'ipv4',
      AvailabilityZones: [
        { ZoneName: 'us-east-1a', SubnetId: subnets[0] },
        { ZoneName: 'us-east-1b', SubnetId: subnets[1] },
      ],
    });
    expect(lb.CreatedTime).toBeInstanceOf(Date);
    // Same name, same settings: idempotent.
    const again = await sb.elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: [subnets[0]!, subnets[1]!] }));
    expect(again.LoadBalancers![0]!.LoadBalancerArn).toBe(lbArn);
  });

  it('rejects load balancers with fewer than two AZs, unknown subnets, bad names and clashing names', async () => {
    await expect(sb.elb.send(new CreateLoadBalancerCommand({ Name: 'one-az', Subnets: [subnets[0]!] }))).rejects.toMatchObject({
      name: 'ValidationError',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(sb.elb.send(new CreateLoadBalancerCommand({ Name: 'nosub', Subnets: [subnets[0]!, 'subnet-0000000000000000f'] }))).rejects.toMatchObject({
      name: 'SubnetNotFoundException',
    });
    await expect(sb.elb.send(new CreateLoadBalancerCommand({ Name: '-bad', Subnets: subnets }))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sb.elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: subnets }))).rejects.toMatchObject({
      name: 'DuplicateLoadBalancerNameException',
    });
  });

  it('creates a target group whose health-check defaults come from the profile, shown as whole seconds', async () => {
    const out = await sb.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, HealthCheckPath: '/health' }));
    const tg = out.TargetGroups![0]!;
    tgArn = tg.TargetGroupArn!;
    expect(tgArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web\/[0-9a-f]{16}$/);
    // Fast profile: interval 0.5 s and timeout 0.3 s internally; shown as whole seconds that keep
    // timeout < interval, as AWS requires (timeout rounded up, interval at least one more).
    expect(tg).toMatchObject({
      TargetGroupName: 'web',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: vpcId,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 2,
      HealthCheckTimeoutSeconds: 1,
      HealthyThresholdCount: sb.ctx.timings.healthyThresholdCount,
      UnhealthyThresholdCount: sb.ctx.timings.unhealthyThresholdCount,
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [],
      TargetType: 'instance',
    });
    expect(sb.world.targetGroups.get(tgArn)!.healthCheck.intervalSeconds).toBe(0.5);
    const attrs = await sb.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn }));
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: String(sb.ctx.timings.deregistrationDelaySeconds) });
  });

  it('modifies health checks and attributes with validation', async () => {
    const mod = await sb.elb.send(
      new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 3, Matcher: { HttpCode: '200-299' } }),
    );
    expect(mod.TargetGroups![0]).toMatchObject({ HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 3, Matcher: { HttpCode: '200-299' } });
    const intervalError = { name: 'ValidationError', message: 'Health check interval must be greater than the timeout.', $metadata: { httpStatusCode: 400 } };
    await expect(sb.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckTimeoutSeconds: 20 }))).rejects.toMatchObject(intervalError);
    await expect(sb.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckTimeoutSeconds: 10 }))).rejects.toMatchObject(intervalError);
    await expect(
      sb.elb.send(new CreateTargetGroupCommand({ Name: 'equal', Protocol: 'HTTP', Port: 80, VpcId: vpcId, HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 5 })),
    ).rejects.toMatchObject(intervalError);
    // The rejected calls changed nothing.
    expect(sb.world.targetGroups.get(tgArn)!.healthCheck).toMatchObject({ intervalSeconds: 10, timeoutSeconds: 5 });
    expect([...sb.world.targetGroups.values()].some((g) => g.targetGroupName === 'equal')).toBe(false);
    await expect(sb.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckIntervalSeconds: 1 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const attrs = await sb.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }] }));
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '0' });
    await expect(sb.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'no.such.attribute', Value: '1' }] }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(sb.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 81, VpcId: vpcId }))).rejects.toMatchObject({
      name: 'DuplicateTargetGroupNameException',
    });
    await expect(sb.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [`${tgArn}0`] }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });

  it('opens a listener on a real loopback port and reports that port', async () => {
    const out = await sb.elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
    const l = out.Listeners![0]!;
    listenerArn = l.ListenerArn!;
    expect(listenerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener\/app\/web-alb\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(l.Port).toBeGreaterThan(0);
    expect(l.DefaultActions).toEqual([
      expect.objectContaining({ Type: 'forward', TargetGroupArn: tgArn, ForwardConfig: expect.objectContaining({ TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }] }) }),
    ]);
    // A real proxy answers there: no registered targets → 503, as an ALB answers.
    const node = (await lbNodeAddresses(sb.ec2, lbArn))[0]!;
    const res = await fetch(`http://${node}:${l.Port}/`);
    await res.arrayBuffer();
    expect(res.status).toBe(503);

    const listed = await sb.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    expect(listed.Listeners?.map((x) => [x.ListenerArn, x.Port])).toEqual([[listenerArn, l.Port]]);
    const tg = (await sb.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }))).TargetGroups!;
    expect(tg.map((t) => [t.TargetGroupArn, t.LoadBalancerArns])).toEqual([[tgArn, [lbArn]]]);
    await expect(sb.elb.send(new DescribeListenersCommand({ ListenerArns: [`${listenerArn}0`] }))).rejects.toMatchObject({ name: 'ListenerNotFoundException' });
    // The requested port still identifies the listener: the same request is idempotent, another group clashes.
    const same = await sb.elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
    expect(same.Listeners![0]!.ListenerArn).toBe(listenerArn);
    const other = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'other', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!;
    await expect(
      sb.elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: other.TargetGroupArn! }] })),
    ).rejects.toMatchObject({ name: 'DuplicateListenerException' });
    await sb.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: other.TargetGroupArn! }));
    await expect(
      sb.elb.send(new CreateListenerCommand({ LoadBalancerArn: `${lbArn}0`, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })),
    ).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
  });

  it('pages load balancers and target groups with PageSize and NextMarker', async () => {
    for (let i = 0; i < 4; i++) {
      await sb.elb.send(new CreateTargetGroupCommand({ Name: `tg-${i}`, Protocol: 'HTTP', Port: 80, VpcId: vpcId }));
      await sb.elb.send(new CreateLoadBalancerCommand({ Name: `lb-${i}`, Subnets: subnets }));
    }
    const lbPages: number[] = [];
    for await (const p of paginateDescribeLoadBalancers({ client: sb.elb }, { PageSize: 2 })) lbPages.push(p.LoadBalancers!.length);
    expect(lbPages).toEqual([2, 2, 1]);
    const tgNames: string[] = [];
    for await (const p of paginateDescribeTargetGroups({ client: sb.elb }, { PageSize: 3 })) tgNames.push(...p.TargetGroups!.map((t) => t.TargetGroupName!));
    expect(tgNames).toEqual(['web', 'tg-0', 'tg-1', 'tg-2', 'tg-3']);
    await expect(sb.elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 }))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sb.elb.send(new DescribeTargetGroupsCommand({ Marker: 'aWR4OjM' }))).rejects.toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    await expect(sb.elb.send(new DescribeLoadBalancersCommand({ Names: ['missing'] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    const byName = await sb.elb.send(new DescribeLoadBalancersCommand({ Names: ['lb-2'] }));
    expect(byName.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(['lb-2']);
  });

  it('adds, describes and removes tags', async () => {
    await sb.elb.send(new AddTagsCommand({ ResourceArns: [lbArn, tgArn], Tags: [{ Key: 'env', Value: 'sandbox' }] }));
    let d = await sb.elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn, tgArn] }));
    expect(d.TagDescriptions).toEqual([
      {
        ResourceArn: lbArn,
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'env', Value: 'sandbox' },
        ],
      },
      { ResourceArn: tgArn, Tags: [{ Key: 'env', Value: 'sandbox' }] },
    ]);
    await sb.elb.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ['team'] }));
    d = await sb.elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn] }));
    expect(d.TagDescriptions![0]!.Tags).toEqual([{ Key: 'env', Value: 'sandbox' }]);
    await expect(sb.elb.send(new DescribeTagsCommand({ ResourceArns: [`${lbArn}0`] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
  });

  it('keeps a target group in use by a listener, then deletes listener, group and load balancer', async () => {
    await expect(sb.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
    const port = sb.world.listeners.get(listenerArn)!.port;
    const nodes = await lbNodeAddresses(sb.ec2, lbArn);
    await sb.elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    for (const node of nodes) await expect(fetch(`http://${node}:${port}/`)).rejects.toThrow();
    expect((await sb.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] }))).TargetGroups![0]!.LoadBalancerArns).toEqual([]);
    await sb.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    await sb.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    // Deleting what is already gone succeeds, as AWS does.
    await sb.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    await expect(sb.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
    await expect(sb.elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }))).rejects.toMatchObject({ name: 'ListenerNotFoundException' });
  });
});
