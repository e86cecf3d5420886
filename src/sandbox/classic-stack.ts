/**
 * The sample stack's front when it is a Classic Load Balancer (`chaos-ec2 sandbox --lb classic`): built
 * through the Classic ELB API with the real SDK client, as a team would on AWS — an HTTP:80 → 80 listener
 * in the public subnets and an HTTP health check of /health. The group joins it through its
 * LoadBalancerNames (stack.ts).
 */
import {
  ConfigureHealthCheckCommand,
  CreateLoadBalancerCommand,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';

export interface ClassicFront {
  loadBalancerName: string;
  /** http://<DNSName>:<LoadBalancerPort>/ — as a client builds it from DescribeLoadBalancers. */
  url: string;
}

export async function createClassicFront(classic: ElasticLoadBalancingClient, asgName: string, subnetIds: string[]): Promise<ClassicFront> {
  const name = `${asgName}-elb`.slice(0, 32);
  await classic.send(
    new CreateLoadBalancerCommand({
      LoadBalancerName: name,
      Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 80 }],
      Subnets: subnetIds,
    }),
  );
  // Thresholds at AWS's minimum (2) so a replacement serves after two passing checks, like the ALB stack.
  await classic.send(
    new ConfigureHealthCheckCommand({
      LoadBalancerName: name,
      HealthCheck: { Target: 'HTTP:80/health', Interval: 5, Timeout: 3, UnhealthyThreshold: 2, HealthyThreshold: 2 },
    }),
  );
  const lb = (await classic.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [name] }))).LoadBalancerDescriptions![0]!;
  const listener = lb.ListenerDescriptions![0]!.Listener!;
  return { loadBalancerName: name, url: `${listener.Protocol!.toLowerCase()}://${lb.DNSName}:${listener.LoadBalancerPort}/` };
}

/** Instance ids the Classic Load Balancer reports InService. */
export async function classicInService(classic: ElasticLoadBalancingClient, loadBalancerName: string): Promise<Set<string>> {
  const out = await classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: loadBalancerName }));
  return new Set((out.InstanceStates ?? []).filter((s) => s.State === 'InService').map((s) => s.InstanceId!));
}
