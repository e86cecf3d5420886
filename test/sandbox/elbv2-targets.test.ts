import { CreateSubnetCommand, CreateVpcCommand, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbNodeAddresses, startTestSandbox, viaNode, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Targets through the API, with the data plane's health checker driving their states: register →
 * initial → healthy, traffic through the listener, explicit queries for unregistered targets, and
 * deregistration draining for the group's deregistration delay.
 */
describe('sandbox ELBv2 API: targets', () => {
  let sb: TestSandbox;
  let tgArn: string;
  let url: string;
  let instances: { id: string; az: string }[];

  beforeAll(async () => {
    sb = await startTestSandbox();
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!;
    const subnets: string[] = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      const s = await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.3.${i}.0/24`, AvailabilityZone: az }));
      subnets.push(s.Subnet!.SubnetId!);
    }
    instances = [];
    for (const subnet of subnets) {
      const run = await sb.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet }));
      const i = run.Instances![0]!;
      instances.push({ id: i.InstanceId!, az: i.Placement!.AvailabilityZone! });
    }
    tgArn = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: vpcId, HealthCheckPath: '/health' }))).TargetGroups![0]!.TargetGroupArn!;
    const lb = (await sb.elb.send(new CreateLoadBalancerCommand({ Name: 'app', Subnets: subnets }))).LoadBalancers![0]!;
    const l = (
      await sb.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }))
    ).Listeners![0]!;
    // DNSName resolves nowhere (as off AWS's DNS): connect to the first node's address, as a resolver would.
    url = viaNode(`http://${lb.DNSName}:${l.Port}/`, (await lbNodeAddresses(sb.ec2, lb.LoadBalancerArn!))[0]!);
  });
  afterAll(() => sb.close());

  it('registers instances in initial, then the health checker makes them healthy and traffic flows', async () => {
    const from = sb.world.events().at(-1)?.seq ?? 0;
    await sb.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: instances.map((i) => ({ Id: i.id })) }));
    const reg = sb.world.targets.get(tgArn)!;
    expect([...reg.values()].map((r) => [r.targetId, r.port, r.availabilityZone])).toEqual(instances.map((i) => [i.id, 80, i.az]));

    const first = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    for (const d of first.TargetHealthDescriptions!) {
      expect(d.Target?.Port).toBe(80);
      expect(d.HealthCheckPort).toBe('80');
      expect(['initial', 'healthy']).toContain(d.TargetHealth?.State);
    }
    for (const i of instances) {
      await sb.waitForEvent((e) => e.seq > from && e.type === 'target-health' && e.targetId === i.id && e.to === 'healthy');
    }
    const health = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(health.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.TargetHealth?.State])).toEqual(instances.map((i) => [i.id, 'healthy']));
    expect(health.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason).toBeUndefined();

    const res = await fetch(url);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(instances.map((i) => i.id)).toContain(res.headers.get('x-instance-id'));
  });

  it('answers an explicitly requested unregistered instance with unused / Target.NotRegistered', async () => {
    const run = await sb.ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: sb.world.instances.get(instances[0]!.id)!.subnetId }),
    );
    const loose = run.Instances![0]!.InstanceId!;
    const out = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: loose }, { Id: instances[0]!.id }] }));
    expect(out.TargetHealthDescriptions?.[0]).toEqual({
      Target: { Id: loose, Port: 80 },
      HealthCheckPort: '80',
      TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
    });
    expect(out.TargetHealthDescriptions?.[1]?.TargetHealth?.State).toBe('healthy');
  });

  it('decides the first state at registration: unused / NotInUse without a load balancer, initial / RegistrationInProgress while pending', async () => {
    const subnetId = sb.world.instances.get(instances[0]!.id)!.subnetId;
    const vpcId = sb.world.subnets.get(subnetId)!.vpcId;
    const idle = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'idle', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    // Stays pending for the whole test: its health can only come from the registration itself.
    const booting = sb.ctx.lifecycle.launch({ subnetId, imageId: 'ami-0123456789abcdef0', instanceType: 't3.micro', extraBootMs: 60_000 });
    const from = sb.world.events().at(-1)!.seq;
    await sb.elb.send(new RegisterTargetsCommand({ TargetGroupArn: idle, Targets: [{ Id: instances[0]!.id }] }));
    await sb.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: booting.instanceId }] }));
    const idleHealth = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: idle }));
    expect(idleHealth.TargetHealthDescriptions?.map((d) => d.TargetHealth)).toEqual([
      { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' },
    ]);
    const pending = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: booting.instanceId }] }));
    expect(booting.state).toBe('pending');
    expect(pending.TargetHealthDescriptions?.[0]?.TargetHealth).toEqual({
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
      Description: 'Target registration is in progress',
    });
    // The ground truth agrees: each registration went straight to its state, with no `initial` detour.
    const registered = sb.world.events(from).filter((e) => e.type === 'target-health' && e.from === null);
    expect(registered.map((e) => e.type === 'target-health' && [e.targetGroupArn, e.to, e.reason])).toEqual([
      [idle, 'unused', 'Target.NotInUse'],
      [tgArn, 'initial', 'Elb.RegistrationInProgress'],
    ]);
    await sb.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: booting.instanceId }] }));
  });

  it('rejects unknown instances, stopped instances and unknown target groups', async () => {
    await expect(sb.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: 'i-00000000000000000' }] }))).rejects.toMatchObject({
      name: 'InvalidTargetException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: 'i-00000000000000000' }] }))).rejects.toMatchObject({
      name: 'InvalidTargetException',
    });
    await expect(sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: `${tgArn}0` }))).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });

    const run = await sb.ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: sb.world.instances.get(instances[0]!.id)!.subnetId }),
    );
    const stopped = run.Instances![0]!.InstanceId!;
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === stopped && e.to === 'running');
    await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
    await expect(sb.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: stopped }] }))).rejects.toThrow(/not in a running state/);
  });

  it('drains a deregistered target for the deregistration delay, then it leaves the group', async () => {
    const victim = instances[1]!.id;
    const delayMs = sb.ctx.timings.deregistrationDelaySeconds * 1000;
    const before = Date.now();
    await sb.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: victim }] }));
    const out = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: victim }] }));
    expect(out.TargetHealthDescriptions?.[0]?.TargetHealth).toEqual({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    });
    const gone = await sb.waitForEvent((e) => e.type === 'target-health' && e.targetId === victim && e.to === null, delayMs + 5_000);
    // Same clock on both sides (Date.now, which stamps sandbox events), and no timer in between: the target
    // leaves only once the world's clock reaches drainingUntil, set to (a time after `before`) + the delay.
    expect(gone.atMs - before).toBeGreaterThanOrEqual(delayMs);
    const after = await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(after.TargetHealthDescriptions?.map((d) => d.Target?.Id)).toEqual([instances[0]!.id]);
  });
});
