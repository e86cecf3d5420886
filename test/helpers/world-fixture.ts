/**
 * A small stack written straight into the World (until the sample stack exists as SDK calls): a VPC, one
 * instance subnet and one load-balancer subnet per AZ, all on the default allow-all NACL, a launch template,
 * a target group checking /health, an ALB with its listener opened on the data plane, and an Auto Scaling
 * group (HealthCheckType ELB) that the reconciler fills.
 */
import type { AutoScalingGroup, Listener, NetworkAcl, NetworkAclEntry, SandboxContext } from '../../src/sandbox/index.js';

export interface FixtureOptions {
  zones?: number;
  desired?: number;
  healthCheckType?: 'EC2' | 'ELB';
  gracePeriodSeconds?: number;
}

export interface Fixture {
  vpcId: string;
  instanceSubnets: string[];
  lbSubnets: string[];
  defaultNaclId: string;
  targetGroupArn: string;
  loadBalancerArn: string;
  listenerArn: string;
  listenerPort: number;
  asgName: string;
  asg: AutoScalingGroup;
  /** One URL per load balancer node: http://<node address>:<listener port>/ */
  nodeUrls: string[];
  /**
   * The next client's URL: each read is the next node's, round-robin — a population of clients spread over
   * the addresses the load balancer's name resolves to (one per node), as DNS spreads them on AWS.
   */
  readonly url: string;
}

const allowAll = (egress: boolean): NetworkAclEntry => ({ ruleNumber: 100, protocol: '-1', ruleAction: 'allow', egress, cidrBlock: '0.0.0.0/0' });
const denyRest = (egress: boolean): NetworkAclEntry => ({ ruleNumber: 32767, protocol: '-1', ruleAction: 'deny', egress, cidrBlock: '0.0.0.0/0' });

/** A custom NACL with no allow entries: it drops everything (how a blackhole fault looks). */
export function addDenyAllNacl(ctx: SandboxContext, vpcId: string): string {
  const acl: NetworkAcl = { networkAclId: ctx.world.newId('acl'), vpcId, isDefault: false, entries: [denyRest(false), denyRest(true)] };
  ctx.world.networkAcls.set(acl.networkAclId, acl);
  return acl.networkAclId;
}

export async function buildWorld(ctx: SandboxContext, opts: FixtureOptions = {}): Promise<Fixture> {
  const { world, timings } = ctx;
  const zones = world.zones.slice(0, opts.zones ?? 3);
  const vpcId = world.newId('vpc');
  world.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', isDefault: false });
  const acl: NetworkAcl = { networkAclId: world.newId('acl'), vpcId, isDefault: true, entries: [allowAll(false), allowAll(true), denyRest(false), denyRest(true)] };
  world.networkAcls.set(acl.networkAclId, acl);
  const subnet = (third: number, zone: (typeof zones)[number]) => {
    const subnetId = world.newId('subnet');
    world.subnets.set(subnetId, {
      subnetId,
      vpcId,
      cidrBlock: `10.0.${third}.0/24`,
      availabilityZone: zone.zoneName,
      availabilityZoneId: zone.zoneId,
      nextHost: 4, // AWS reserves the first four addresses of every subnet
    });
    world.associateNacl(subnetId, acl.networkAclId);
    return subnetId;
  };
  const instanceSubnets = zones.map((z, i) => subnet(i + 1, z));
  const lbSubnets = zones.map((z, i) => subnet(101 + i, z));

  const lt = { launchTemplateId: world.newId('lt'), launchTemplateName: 'chaos-web', imageId: 'ami-0abcdef1234567890', instanceType: 't3.micro' };
  world.launchTemplates.set(lt.launchTemplateId, { ...lt, createTime: new Date(world.now()), latestVersionNumber: 1, defaultVersionNumber: 1 });

  const prefix = `arn:aws:elasticloadbalancing:${world.region}:${world.accountId}`;
  const loadBalancerArn = `${prefix}:loadbalancer/app/chaos-web/${world.newId('x').slice(2, 18)}`;
  const targetGroupArn = `${prefix}:targetgroup/chaos-web/${world.newId('x').slice(2, 18)}`;
  world.targetGroups.set(targetGroupArn, {
    targetGroupArn,
    targetGroupName: 'chaos-web',
    protocol: 'HTTP',
    port: 80,
    vpcId,
    targetType: 'instance',
    healthCheck: {
      protocol: 'HTTP',
      port: 'traffic-port',
      path: '/health',
      intervalSeconds: timings.healthCheckIntervalSeconds,
      timeoutSeconds: timings.healthCheckTimeoutSeconds,
      healthyThresholdCount: timings.healthyThresholdCount,
      unhealthyThresholdCount: timings.unhealthyThresholdCount,
      matcher: '200',
      enabled: true,
    },
    loadBalancerArns: [loadBalancerArn],
    attributes: new Map([['deregistration_delay.timeout_seconds', String(timings.deregistrationDelaySeconds)]]),
  });
  world.loadBalancers.set(loadBalancerArn, {
    loadBalancerArn,
    loadBalancerName: 'chaos-web',
    dnsName: 'chaos-web-1234567890.us-east-1.elb.amazonaws.com',
    canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    createdTime: new Date(world.now()),
    scheme: 'internet-facing',
    vpcId,
    state: 'active',
    type: 'application',
    ipAddressType: 'ipv4',
    availabilityZones: zones.map((z, i) => ({ zoneName: z.zoneName, subnetId: lbSubnets[i]!, nodeAddress: world.loopback.next() })),
    securityGroups: [],
  });
  const listenerArn = `${prefix}:listener/app/chaos-web/${world.newId('x').slice(2, 18)}`;
  const listener: Listener = {
    listenerArn,
    loadBalancerArn,
    port: 80,
    protocol: 'HTTP',
    defaultActions: [{ type: 'forward', targetGroupArn, targetGroups: [{ targetGroupArn, weight: 1 }] }],
    defaultRuleArn: `${listenerArn.replace(':listener/', ':listener-rule/')}/0000000000000001`,
  };
  world.listeners.set(listenerArn, listener);
  listener.port = await ctx.dataplane.openListener(listener);

  const nodeUrls = world.loadBalancers.get(loadBalancerArn)!.availabilityZones.map((z) => `http://${z.nodeAddress}:${listener.port}/`);
  let turn = 0;
  const asgName = 'chaos-web-asg';
  const desired = opts.desired ?? 3;
  const asg: AutoScalingGroup = {
    name: asgName,
    arn: world.asgArn(asgName),
    minSize: Math.min(1, desired),
    maxSize: Math.max(desired * 2, 1),
    desiredCapacity: desired,
    defaultCooldown: 300,
    availabilityZones: zones.map((z) => z.zoneName),
    subnetIds: instanceSubnets,
    healthCheckType: opts.healthCheckType ?? 'ELB',
    healthCheckGracePeriod: opts.gracePeriodSeconds ?? 0,
    targetGroupARNs: [targetGroupArn],
    createdTime: new Date(world.now()),
    suspendedProcesses: new Map(),
    terminationPolicies: ['Default'],
    launchTemplate: { launchTemplateId: lt.launchTemplateId, launchTemplateName: lt.launchTemplateName, version: '$Default' },
    imageId: lt.imageId,
    instanceType: lt.instanceType,
    tags: new Map([['chaos-ec2:allowed', { value: 'true', propagateAtLaunch: true }]]),
  };
  world.asgs.set(asgName, asg);
  ctx.autoscaling.nudge();
  return {
    vpcId,
    instanceSubnets,
    lbSubnets,
    defaultNaclId: acl.networkAclId,
    targetGroupArn,
    loadBalancerArn,
    listenerArn,
    listenerPort: listener.port,
    asgName,
    asg,
    nodeUrls,
    get url() {
      return nodeUrls[turn++ % nodeUrls.length]!;
    },
  };
}

/** Resolves once the group has `count` InService members whose targets are all healthy (polls the World). */
export async function waitForSteadyState(ctx: SandboxContext, fx: Fixture, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const members = ctx.world.membersOf(fx.asgName).filter((m) => m.lifecycleState === 'InService');
    const targets = ctx.world.targets.get(fx.targetGroupArn);
    const healthy = members.filter((m) => targets?.get(m.instanceId)?.state === 'healthy').length;
    if (members.length === count && healthy === count) return;
    if (Date.now() > deadline) throw new Error(`steady state not reached: ${members.length} InService, ${healthy} healthy of ${count}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
