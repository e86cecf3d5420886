import { CreateSubnetCommand, CreateVpcCommand, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ConfigureHealthCheckCommand,
  CreateLoadBalancerCommand,
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancersCommand as DescribeV2LoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/index.js';
import { clientConfig, expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

type HealthEvent = Extract<SandboxEvent, { type: 'classic-instance-health' }>;

/**
 * The Classic ELB API (2012-06-01) through the real @aws-sdk/client-elastic-load-balancing client, with the
 * classic data plane behind it: registration → OutOfService "registration in progress" → InService after
 * HealthyThreshold passing checks, traffic through the listener, 503 with nothing InService, AWS's errors,
 * and ELBv2 still answering its own DescribeLoadBalancers on the same endpoint.
 */
describe('sandbox Classic ELB API', () => {
  let sb: TestSandbox;
  let classic: ElasticLoadBalancingClient;
  let subnets: string[];
  let instances: string[];

  beforeAll(async () => {
    sb = await startTestSandbox();
    classic = new ElasticLoadBalancingClient(clientConfig(sb.endpoint));
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
    subnets = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      subnets.push((await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.7.${i}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!);
    }
    instances = [];
    for (const subnet of subnets) {
      const run = await sb.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet }));
      instances.push(run.Instances![0]!.InstanceId!);
    }
    await classic.send(new CreateLoadBalancerCommand({ LoadBalancerName: 'web', Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }], Subnets: subnets }));
  });
  afterAll(async () => {
    classic.destroy();
    await sb.close();
  });

  it('describes the load balancer as AWS does: DNS name, listener, AZs, subnets, scheme, default TCP health check', async () => {
    const out = await classic.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['web'] }));
    const lb = out.LoadBalancerDescriptions![0]!;
    expect(lb).toMatchObject({ LoadBalancerName: 'web', DNSName: '127.0.0.1', Scheme: 'internet-facing', AvailabilityZones: ['us-east-1a', 'us-east-1b'], Subnets: subnets, Instances: [] });
    const listener = lb.ListenerDescriptions![0]!.Listener!;
    expect(listener).toMatchObject({ Protocol: 'HTTP', InstanceProtocol: 'HTTP', InstancePort: 80 });
    // The listener's port is the proxy's real port: a client reaches it as on AWS.
    expect(listener.LoadBalancerPort).toBeGreaterThan(0);
    expect(lb.HealthCheck).toEqual({ Target: 'TCP:80', Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 10 });
    const v2 = await sb.elb.send(new DescribeV2LoadBalancersCommand({}));
    expect(v2.LoadBalancers ?? []).toEqual([]);
  });

  it('pages DescribeLoadBalancers with PageSize and NextMarker', async () => {
    await classic.send(new CreateLoadBalancerCommand({ LoadBalancerName: 'web-2', Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 5432, InstancePort: 5432 }], Subnets: subnets }));
    const first = await classic.send(new DescribeLoadBalancersCommand({ PageSize: 1 }));
    expect(first.LoadBalancerDescriptions!.map((l) => l.LoadBalancerName)).toEqual(['web']);
    const second = await classic.send(new DescribeLoadBalancersCommand({ PageSize: 1, Marker: first.NextMarker! }));
    expect(second.LoadBalancerDescriptions!.map((l) => l.LoadBalancerName)).toEqual(['web-2']);
    expect(second.NextMarker).toBeUndefined();
  });

  it('refuses unknown load balancers and instances with AWS error codes', async () => {
    await expectAwsError(classic.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['nope'] })), 'AccessPointNotFoundException');
    await expectAwsError(classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: 'nope' })), 'AccessPointNotFoundException');
    await expectAwsError(
      classic.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: 'web', Instances: [{ InstanceId: 'i-0000000000000dead' }] })),
      'InvalidEndPointException',
    );
    await expectAwsError(
      classic.send(new ConfigureHealthCheckCommand({ LoadBalancerName: 'web', HealthCheck: { Target: 'HTTP:80', Interval: 5, Timeout: 3, UnhealthyThreshold: 2, HealthyThreshold: 2 } })),
      'ValidationError',
    );
  });

  it('registers OutOfService, turns InService after HealthyThreshold passing checks, and serves traffic', async () => {
    const hc = await classic.send(
      new ConfigureHealthCheckCommand({ LoadBalancerName: 'web', HealthCheck: { Target: 'HTTP:80/health', Interval: 5, Timeout: 3, UnhealthyThreshold: 2, HealthyThreshold: 2 } }),
    );
    expect(hc.HealthCheck?.Target).toBe('HTTP:80/health');
    const from = sb.world.events().at(-1)!.seq;
    const reg = await classic.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: 'web', Instances: instances.map((InstanceId) => ({ InstanceId })) }));
    expect(reg.Instances!.map((i) => i.InstanceId)).toEqual(instances);
    const registered = sb.world.events(from).filter((e): e is HealthEvent => e.type === 'classic-instance-health' && e.from === null);
    expect(registered.map((e) => [e.to, e.description])).toEqual(instances.map(() => ['OutOfService', 'Instance registration is still in progress.']));
    for (const id of instances) await sb.waitForEvent((e) => e.seq > from && e.type === 'classic-instance-health' && e.instanceId === id && e.to === 'InService');
    const health = await classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: 'web' }));
    expect(health.InstanceStates).toEqual(instances.map((InstanceId) => ({ InstanceId, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' })));

    const lb = (await classic.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: ['web'] }))).LoadBalancerDescriptions![0]!;
    const res = await fetch(`http://${lb.DNSName}:${lb.ListenerDescriptions![0]!.Listener!.LoadBalancerPort}/`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });

  it('reports a stopped instance OutOfService with ReasonCode Instance, and an unregistered one as not registered', async () => {
    const from = sb.world.events().at(-1)!.seq;
    await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [instances[0]!] }));
    await sb.waitForEvent((e) => e.seq > from && e.type === 'classic-instance-health' && e.instanceId === instances[0] && e.to === 'OutOfService');
    const out = await classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: 'web', Instances: [{ InstanceId: instances[0]! }] }));
    expect(out.InstanceStates![0]).toMatchObject({ State: 'OutOfService', ReasonCode: 'Instance' });
    expect(['Instance is in stopped state.', 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.']).toContain(out.InstanceStates![0]!.Description);

    await classic.send(new DeregisterInstancesFromLoadBalancerCommand({ LoadBalancerName: 'web', Instances: [{ InstanceId: instances[0]! }] }));
    const gone = await classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: 'web', Instances: [{ InstanceId: instances[0]! }] }));
    expect(gone.InstanceStates).toEqual([
      { InstanceId: instances[0], State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance is not currently registered with the LoadBalancer.' },
    ]);
    await expectAwsError(classic.send(new DeregisterInstancesFromLoadBalancerCommand({ LoadBalancerName: 'web', Instances: [{ InstanceId: instances[0]! }] })), 'InvalidEndPointException');
  });

  it('answers 503 when no instance is InService (a Classic Load Balancer does not fail open)', async () => {
    const from = sb.world.events().at(-1)!.seq;
    sb.world.instances.get(instances[1]!)!.appBroken = true;
    await sb.waitForEvent((e) => e.seq > from && e.type === 'classic-instance-health' && e.instanceId === instances[1] && e.to === 'OutOfService');
    const health = await classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: 'web' }));
    expect(health.InstanceStates).toEqual([
      { InstanceId: instances[1], State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' },
    ]);
    const lb = (await classic.send(new DescribeLoadBalancersCommand({}))).LoadBalancerDescriptions![0]!;
    const res = await fetch(`http://${lb.DNSName}:${lb.ListenerDescriptions![0]!.Listener!.LoadBalancerPort}/`);
    await res.arrayBuffer();
    expect(res.status).toBe(503);
  });
});
