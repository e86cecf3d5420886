import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { ChaosError, ExitCode } from '../../src/core/errors.js';
import { discover } from '../../src/experiment/discover.js';
import { diffCapacity, failOpenGroups, snapshotCapacity } from '../../src/observe/capacity-watch.js';
import { createSampleStack, waitForSteadyState, type SampleStack } from '../../src/sandbox/index.js';
import { clientConfig, startTestSandbox, TEST_CREDENTIALS, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The CLI's side of Classic Load Balancers, through its own AWS layer (createClients) against the sandbox:
 * discovery from LoadBalancerNames and from `elb` traffic sources, the probe URL from the DNS name and HTTP
 * listener, the refusal when no listener speaks HTTP(S), and the capacity snapshot counting InService as
 * healthy (one DescribeInstanceHealth per load balancer) with no fail-open for Classic.
 */
describe('chaos-ec2 discovery and capacity with Classic Load Balancers', () => {
  let sb: TestSandbox;
  let classic: ElasticLoadBalancingClient;
  let stack: SampleStack;
  let clients: AwsClients;
  let arn: string;

  beforeAll(async () => {
    sb = await startTestSandbox();
    classic = new ElasticLoadBalancingClient(clientConfig(sb.endpoint));
    stack = await createSampleStack({ ...sb, classic }, { instances: 2, azs: 2, lb: 'classic' });
    await waitForSteadyState({ ...sb, classic }, stack, 20_000, 100);
    clients = await createClients({ region: 'us-east-1', endpoint: sb.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    arn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${stack.classicLoadBalancerName}`;
  });
  afterAll(async () => {
    clients?.destroy();
    classic.destroy();
    await sb.close();
  });

  it('discovers the Classic Load Balancer from LoadBalancerNames and builds the probe URL from its DNS name and listener', async () => {
    const d = await discover(clients, { asg: stack.asgName, path: 'health' });
    expect(d.loadBalancers).toEqual([{ arn, name: stack.classicLoadBalancerName, dnsName: '127.0.0.1', scheme: 'internet-facing', type: 'classic' }]);
    expect(d.targetGroups).toEqual([]);
    const port = new URL(stack.url).port;
    expect(d.url).toBe(`http://127.0.0.1:${port}/health`);
    expect(d.listener).toEqual({ arn: `${arn}/listener/HTTP:${port}`, protocol: 'HTTP', port: Number(port), loadBalancerArn: arn });
  });

  it('counts InService as healthy, keyed by the load balancer ARN, and never reports a Classic Load Balancer as failing open', async () => {
    const snap = await snapshotCapacity(clients, { asgName: stack.asgName, targetGroupArns: [] });
    expect(snap.healthy).toBe(2);
    expect([...snap.targets.keys()]).toEqual([arn]);
    expect([...snap.targets.get(arn)!.values()]).toEqual(['InService', 'InService']);
    expect(failOpenGroups(new Map([[arn, new Map([['i-1', 'OutOfService']])]]))).toEqual([]);
    expect(failOpenGroups(new Map([['arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/1', new Map([['i-1', 'unhealthy']])]]))).toHaveLength(1);

    // A member OutOfService is short of the baseline; its turning InService restores capacity.
    const [id] = [...snap.targets.get(arn)!.keys()];
    const out = { ...snap, atMs: snap.atMs + 1, healthy: 1, targets: new Map([[arn, new Map([...snap.targets.get(arn)!, [id!, 'OutOfService']])]]) };
    const state = { lost: false, baselineHealthy: 2 };
    expect(diffCapacity(snap, out, state).map((e) => [e.event, e.detail])).toEqual([
      ['target-state', 'InService → OutOfService'],
      ['capacity-lost', 'InService 2/2, healthy 1/2'],
    ]);
    expect(diffCapacity(out, { ...snap, atMs: snap.atMs + 2 }, state).map((e) => [e.event, e.targetGroupArn, e.detail])).toEqual([
      ['target-healthy', arn, 'OutOfService → InService'],
      ['capacity-restored', undefined, 'InService 2/2, healthy 2'],
    ]);
  });

  it('discovers a Classic Load Balancer attached as an elb traffic source, and refuses (exit 2) one with no HTTP(S) listener', async () => {
    await classic.send(
      new CreateLoadBalancerCommand({
        LoadBalancerName: 'tcp-only',
        Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 5432, InstancePort: 5432 }],
        Subnets: stack.lbSubnets.map((s) => s.subnetId),
      }),
    );
    const lt = await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'db-lt', LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro' } }));
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'db-asg',
        LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
        MinSize: 0,
        MaxSize: 1,
        DesiredCapacity: 0,
        VPCZoneIdentifier: stack.subnets.map((s) => s.subnetId).join(','),
        TrafficSources: [{ Identifier: 'tcp-only', Type: 'elb' }],
      }),
    );
    const err = await discover(clients, { asg: 'db-asg' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChaosError);
    expect((err as ChaosError).exitCode).toBe(ExitCode.Usage);
    expect((err as ChaosError).message).toBe('no HTTP or HTTPS listener on Classic Load Balancer tcp-only');
    // --url still lets the run go ahead, with the Classic Load Balancer listed.
    const d = await discover(clients, { asg: 'db-asg', url: 'http://db.example.test/' });
    expect(d.loadBalancers.map((l) => l.name)).toEqual(['tcp-only']);
  });
});
