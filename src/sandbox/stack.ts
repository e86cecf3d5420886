/**
 * The sample stack, built through the sandbox's own API with the real SDK clients — the same calls a team
 * would make on AWS: a VPC, per AZ one private subnet for instances and one public subnet for the load
 * balancer, an ALB with an HTTP listener (or, with `https`, an HTTPS listener whose host-header rule
 * forwards), a target group checking /health, and the Auto Scaling group
 * `demo-asg` (HealthCheckType ELB, opted in to chaos-ec2). Separate subnets matter: NACLs only filter
 * traffic that crosses a subnet boundary, so a blackholed instance subnet is cut off from the load balancer.
 */
import { type AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { classicInService, createClassicFront } from './classic-stack.js';
import { createNlbFront } from './nlb-stack.js';
import { groupTemplateParams, type StackWeight, unitsOfInstances } from './weighted-stack.js';

export interface StackOptions {
  asgName?: string;
  /** Desired capacity of the group. */
  instances?: number;
  /** How many AZs to spread over. */
  azs?: number;
  region?: string;
  /** HealthCheckGracePeriod of the group, in seconds. */
  gracePeriodSeconds?: number;
  healthCheckType?: 'EC2' | 'ELB';
  /** Tag the group chaos-ec2:opt-in=true (default true). */
  optIn?: boolean;
  /**
   * The production shape: an HTTPS listener (port 443) on this certificate, whose default action is a
   * fixed-response 404 and whose rule `host-header <host>` forwards to the target group.
   */
  https?: { certificateArn: string; host: string };
  /**
   * The load balancer in front: an ALB (default) or a Network Load Balancer (a TCP listener, or with
   * `https` a TLS one, forwarding to a TCP target group with an HTTP health check; nlb-stack.ts).
   */
  lb?: 'alb' | 'nlb' | 'classic';
  /**
   * The ALB's scheme (default internet-facing). An internal load balancer's DNS name answers with its nodes'
   * private addresses, which only a client inside the VPC reaches (Scheme, CreateLoadBalancer in the ELBv2 API
   * reference: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
   */
  scheme?: 'internet-facing' | 'internal';
  /**
   * Instance types with weights (weighted-stack.ts, e.g. DEMO_WEIGHTS): the group uses a MixedInstancesPolicy
   * and `instances` is its desired capacity in units.
   */
  weights?: StackWeight[];
}

/** What the stack's front (load balancer, listener, target group) is, whichever kind builds it. */
export interface StackFront {
  loadBalancerArn: string;
  targetGroupArn: string;
  listenerArn: string;
  ruleArn?: string;
  host?: string;
  url: string;
}

export interface SampleStack {
  vpcId: string;
  /** Instance subnets, one per AZ, in AZ order. */
  subnets: { subnetId: string; availabilityZone: string }[];
  /** Load balancer subnets, one per AZ. */
  lbSubnets: { subnetId: string; availabilityZone: string }[];
  loadBalancerArn: string;
  targetGroupArn: string;
  listenerArn: string;
  /** The rule that forwards to the group (HTTPS stack only; the plain stack forwards in its default action). */
  ruleArn?: string;
  /** The service's own host name the HTTPS stack's certificate and rule are for. */
  host?: string;
  asgName: string;
  /** The kind of load balancer in front. */
  lb: 'alb' | 'nlb' | 'classic';
  /** The Classic Load Balancer's name (lb 'classic'); the group lists it in LoadBalancerNames. */
  classicLoadBalancerName?: string;
  /** <protocol>://<DNSName>:<listener port>/ — built exactly as a client would on AWS. */
  url: string;
}

export interface StackClients {
  ec2: EC2Client;
  asg: AutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
  /** Classic ELB client: needed for lb 'classic'. */
  classic?: ElasticLoadBalancingClient;
}

export async function createSampleStack(c: StackClients, opts: StackOptions = {}): Promise<SampleStack> {
  const region = opts.region ?? 'us-east-1';
  const asgName = opts.asgName ?? 'demo-asg';
  const azCount = opts.azs ?? 3;
  const desired = opts.instances ?? 4;
  const zones = [...'abcdef'].slice(0, azCount).map((l) => `${region}${l}`);
  const tag = (Key: string, Value: string) => ({ Key, Value });

  const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [tag('Name', 'chaos-demo')] }] }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnets: SampleStack['subnets'] = [];
  const lbSubnets: SampleStack['lbSubnets'] = [];
  for (const [i, zone] of zones.entries()) {
    const priv = await c.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i + 1}.0/24`, AvailabilityZone: zone }));
    const pub = await c.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i + 101}.0/24`, AvailabilityZone: zone }));
    subnets.push({ subnetId: priv.Subnet!.SubnetId!, availabilityZone: zone });
    lbSubnets.push({ subnetId: pub.Subnet!.SubnetId!, availabilityZone: zone });
    await c.ec2.send(new CreateTagsCommand({ Resources: [priv.Subnet!.SubnetId!], Tags: [tag('Name', `chaos-demo-private-${zone}`)] }));
    await c.ec2.send(new CreateTagsCommand({ Resources: [pub.Subnet!.SubnetId!], Tags: [tag('Name', `chaos-demo-public-${zone}`)] }));
  }

  const lt = await c.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${asgName}-lt`,
      LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro' },
    }),
  );
  // The load balancer in front: the ALB (default), or with lb 'nlb' a Network Load Balancer (nlb-stack.ts).
  // lb 'classic': a Classic Load Balancer (classic-stack.ts) the group joins by LoadBalancerNames; no ALB, no target group.
  const classic =
    opts.lb === 'classic'
      ? await createClassicFront(
          requireClassic(c),
          asgName,
          lbSubnets.map((s) => s.subnetId),
        )
      : undefined;
  const front: StackFront = classic
    ? { loadBalancerArn: '', targetGroupArn: '', listenerArn: '', url: classic.url }
    : opts.lb === 'nlb'
      ? await createNlbFront(c, { asgName, vpcId, lbSubnets, ...(opts.https ? { https: opts.https } : {}) })
      : await createAlbFront(c, asgName, vpcId, lbSubnets, opts.https, opts.scheme);
  const { targetGroupArn } = front;

  await c.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: asgName,
      ...groupTemplateParams(lt.LaunchTemplate!.LaunchTemplateId!, opts.weights),
      MinSize: 1,
      MaxSize: Math.max(desired * 2, 2),
      DesiredCapacity: desired,
      VPCZoneIdentifier: subnets.map((s) => s.subnetId).join(','),
      HealthCheckType: opts.healthCheckType ?? 'ELB',
      HealthCheckGracePeriod: opts.gracePeriodSeconds ?? 5,
      ...(classic ? { LoadBalancerNames: [classic.loadBalancerName] } : { TargetGroupARNs: [targetGroupArn] }),
      Tags: [{ Key: 'Name', Value: asgName, PropagateAtLaunch: true }, ...(opts.optIn === false ? [] : [{ Key: 'chaos-ec2:opt-in', Value: 'true', PropagateAtLaunch: false }])],
    }),
  );

  return {
    vpcId,
    subnets,
    lbSubnets,
    loadBalancerArn: front.loadBalancerArn,
    targetGroupArn,
    listenerArn: front.listenerArn,
    ...(front.ruleArn ? { ruleArn: front.ruleArn } : {}),
    ...(front.host ? { host: front.host } : {}),
    asgName,
    lb: opts.lb ?? 'alb',
    ...(classic ? { classicLoadBalancerName: classic.loadBalancerName } : {}),
    url: front.url,
  };
}

/** The ALB in front of the group: an HTTP listener forwarding, or the HTTPS listener with a host-header rule. */
async function createAlbFront(
  c: StackClients,
  asgName: string,
  vpcId: string,
  lbSubnets: SampleStack['lbSubnets'],
  https: StackOptions['https'],
  scheme: StackOptions['scheme'] = 'internet-facing',
): Promise<StackFront> {
  const tg = await c.elb.send(
    new CreateTargetGroupCommand({ Name: `${asgName}-tg`.slice(0, 32), Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'instance', HealthCheckPath: '/health' }),
  );
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  const lb = await c.elb.send(
    new CreateLoadBalancerCommand({
      Name: `${asgName}-alb`.slice(0, 32),
      Subnets: lbSubnets.map((s) => s.subnetId),
      Scheme: scheme,
      Type: 'application',
    }),
  );
  const loadBalancer = lb.LoadBalancers![0]!;
  const listener = await c.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancer.LoadBalancerArn!,
      ...(https
        ? {
            Protocol: 'HTTPS',
            Port: 443,
            Certificates: [{ CertificateArn: https.certificateArn }],
            DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' } }],
          }
        : { Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }),
    }),
  );
  const l = listener.Listeners![0]!;
  // As production stacks do it: the forward lives in a host-header rule, not in the default action.
  const rule = https
    ? await c.elb.send(
        new CreateRuleCommand({
          ListenerArn: l.ListenerArn!,
          Priority: 10,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [https.host] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
        }),
      )
    : undefined;
  return {
    loadBalancerArn: loadBalancer.LoadBalancerArn!,
    targetGroupArn,
    listenerArn: l.ListenerArn!,
    ...(rule ? { ruleArn: rule.Rules![0]!.RuleArn!, host: https!.host } : {}),
    url: `${(l.Protocol ?? 'HTTP').toLowerCase()}://${loadBalancer.DNSName}:${l.Port}/`,
  };
}

/**
 * Resolves once the group's InService members make up its desired capacity (in units: a weighted group may
 * overshoot it) and every one of them is a healthy target —
 * the steady state an experiment starts from. Polls (the API is all a client has), bounded by `timeoutMs`.
 */
export async function waitForSteadyState(c: StackClients, stack: SampleStack, timeoutMs = 60_000, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const g = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }))).AutoScalingGroups?.[0];
    const members = (g?.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
    const inService = members.map((i) => i.InstanceId!);
    const units = unitsOfInstances(members);
    const weighted = members.some((i) => i.WeightedCapacity !== undefined);
    const healthy = stack.classicLoadBalancerName ? await classicInService(requireClassic(c), stack.classicLoadBalancerName) : await healthyTargets(c, stack);
    if (g && (weighted ? units >= g.DesiredCapacity! : units === g.DesiredCapacity) && inService.every((id) => healthy.has(id))) return;
    if (Date.now() > deadline) {
      throw new Error(`sample stack not steady after ${timeoutMs} ms: ${units}/${g?.DesiredCapacity} units InService, ${healthy.size} healthy`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function requireClassic(c: StackClients): ElasticLoadBalancingClient {
  if (!c.classic) throw new Error('StackClients.classic (a Classic ELB client) is needed for lb: classic');
  return c.classic;
}

async function healthyTargets(c: StackClients, stack: SampleStack): Promise<Set<string>> {
  const health = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: stack.targetGroupArn }));
  return new Set((health.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'healthy').map((d) => d.Target!.Id!));
}
