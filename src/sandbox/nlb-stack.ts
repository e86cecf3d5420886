/**
 * The sample stack's front when it is a Network Load Balancer (`chaos-ec2 sandbox --lb nlb`), built through
 * the ELBv2 API with the real SDK client as a team would on AWS: an internet-facing NLB in the public
 * subnets (cross-zone load balancing off, the NLB default), a TCP:80 listener — or with `https` a TLS:443
 * listener on the service's certificate — forwarding to a TCP target group whose health check speaks HTTP
 * to /health: an HTTP application behind an NLB, the common case ("Create a target group for your Network
 * Load Balancer": https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-target-group.html).
 */
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

export interface NlbFrontOptions {
  asgName: string;
  vpcId: string;
  /** The public subnets, one per AZ. */
  lbSubnets: { subnetId: string }[];
  /** A TLS listener on this certificate for the service's own name, instead of TCP. */
  https?: { certificateArn: string; host: string };
}

/** What stack.ts needs of the front it built (its StackFront). */
export interface NlbFront {
  loadBalancerArn: string;
  targetGroupArn: string;
  listenerArn: string;
  host?: string;
  url: string;
}

export async function createNlbFront(c: { elb: ElasticLoadBalancingV2Client }, o: NlbFrontOptions): Promise<NlbFront> {
  const tg = await c.elb.send(
    new CreateTargetGroupCommand({
      Name: `${o.asgName}-tg`.slice(0, 32),
      Protocol: 'TCP',
      Port: 80,
      VpcId: o.vpcId,
      TargetType: 'instance',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
    }),
  );
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  const lb = await c.elb.send(
    new CreateLoadBalancerCommand({
      Name: `${o.asgName}-nlb`.slice(0, 32),
      Subnets: o.lbSubnets.map((s) => s.subnetId),
      Scheme: 'internet-facing',
      Type: 'network',
    }),
  );
  const loadBalancer = lb.LoadBalancers![0]!;
  const https = o.https;
  const listener = await c.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancer.LoadBalancerArn!,
      ...(https ? { Protocol: 'TLS', Port: 443, Certificates: [{ CertificateArn: https.certificateArn }] } : { Protocol: 'TCP', Port: 80 }),
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  const l = listener.Listeners![0]!;
  // The URL a client builds: the application speaks HTTP over the TCP listener (HTTPS over the TLS one).
  return {
    loadBalancerArn: loadBalancer.LoadBalancerArn!,
    targetGroupArn,
    listenerArn: l.ListenerArn!,
    ...(https ? { host: https.host } : {}),
    url: `${https ? 'https' : 'http'}://${loadBalancer.DNSName}:${l.Port}/`,
  };
}
