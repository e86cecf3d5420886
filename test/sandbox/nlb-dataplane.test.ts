/**
 * The sandbox's Network Load Balancer through the real SDK client and real sockets: a TCP proxy per node
 * on the node's own address; cross-zone load balancing off by default (a node serves its own AZ's
 * targets, and a zone with no healthy target leaves DNS); cross-zone on; fail-open.
 */
import { connect } from 'node:net';
import { AutoScalingClient, ResumeProcessesCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { CreateNetworkAclCommand, DescribeNetworkAclsCommand, DescribeNetworkInterfacesCommand, EC2Client, ReplaceNetworkAclAssociationCommand } from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSandbox, type EmbeddedSandbox, type SandboxEvent, type StackInfo } from '../../src/sandbox/index.js';
import { httpGet } from '../helpers/http.js';
import { clientConfig, expectAwsError, waitForWorldEvent } from '../helpers/sandbox.js';

/** What a raw TCP client sees: 'reset' when the node resets it (ECONNRESET) before any byte. */
function tcpOutcome(host: string, port: number): Promise<'reset' | 'answered' | 'closed'> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => s.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let got = false;
    s.on('data', () => (got = true));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNRESET' && !got ? 'reset' : 'answered'));
    s.on('close', () => resolve(got ? 'answered' : 'closed'));
  });
}

describe('sandbox NLB data plane', () => {
  let emb: EmbeddedSandbox;
  let ec2: EC2Client;
  let elb: ElasticLoadBalancingV2Client;
  let port: number;
  /** node address per AZ. */
  let nodes: Map<string, string>;

  const stackView = async (): Promise<StackInfo> => (await fetch(`${emb.sandbox.endpoint}/_sandbox/stack`)).json() as Promise<StackInfo>;
  const since = () => emb.sandbox.world.events().at(-1)?.seq ?? 0;
  const dnsEvent = (after: number, ok: (e: Extract<SandboxEvent, { type: 'lb-dns' }>) => boolean) =>
    waitForWorldEvent(emb.sandbox.world, (e) => e.seq > after && e.type === 'lb-dns' && ok(e)) as Promise<Extract<SandboxEvent, { type: 'lb-dns' }>>;

  beforeAll(async () => {
    // 3 instances over 3 AZs: one target per zone, so one zone can be emptied alone.
    // A short idle timeout: a dark node's hanging connection is closed sooner, and the test awaits that close.
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', timings: { lbIdleTimeoutMs: 1500 }, stack: { instances: 3, azs: 3, lb: 'nlb' } });
    ec2 = new EC2Client(clientConfig(emb.sandbox.endpoint));
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
    port = (await elb.send(new DescribeListenersCommand({ ListenerArns: [emb.stack.listenerArn] }))).Listeners![0]!.Port!;
    const lb = emb.sandbox.world.loadBalancers.get(emb.stack.loadBalancerArn)!;
    nodes = new Map(lb.availabilityZones.map((z) => [z.zoneName, z.nodeAddress]));
  });
  afterAll(async () => {
    ec2?.destroy();
    elb?.destroy();
    await emb?.close();
  });

  it('is a network load balancer with a TCP listener, a TCP group checked over HTTP, cross-zone off and ELB net/ interfaces', async () => {
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [emb.stack.loadBalancerArn] }))).LoadBalancers![0]!;
    expect(lb.Type).toBe('network');
    expect(lb.LoadBalancerArn).toContain(':loadbalancer/net/demo-asg-nlb/');
    expect(lb.DNSName).toMatch(/^demo-asg-nlb-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    expect(lb.AvailabilityZones).toHaveLength(3);
    const l = (await elb.send(new DescribeListenersCommand({ ListenerArns: [emb.stack.listenerArn] }))).Listeners![0]!;
    expect(l.Protocol).toBe('TCP');
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [emb.stack.targetGroupArn] }))).TargetGroups![0]!;
    expect({ protocol: tg.Protocol, hc: tg.HealthCheckProtocol, path: tg.HealthCheckPath, matcher: tg.Matcher?.HttpCode }).toEqual({
      protocol: 'TCP',
      hc: 'HTTP',
      path: '/health',
      matcher: '200-399',
    });
    const attrs = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn! }))).Attributes!;
    expect(attrs.find((a) => a.Key === 'load_balancing.cross_zone.enabled')?.Value).toBe('false');
    const resource = lb.LoadBalancerArn!.slice(lb.LoadBalancerArn!.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB ${resource}`] }] }));
    expect(enis.NetworkInterfaces!.map((e) => e.Association?.PublicIp).sort()).toEqual([...nodes.values()].sort());
  });

  it('each node relays to its own AZ only (cross-zone off), and every node is in DNS while every zone is healthy', async () => {
    for (const [az, address] of nodes) {
      for (let i = 0; i < 3; i++) {
        const r = await httpGet(`http://${address}:${port}/`);
        expect(r.status).toBe(200);
        expect(r.headers['x-availability-zone']).toBe(az);
      }
    }
    const view = await stackView();
    expect(view.dns!.every((n) => n.inDns)).toBe(true);
    expect(view.resolve[0]).toBe(`${new URL(view.url).hostname}:${port}:${[...nodes.values()].join(',')}`);
  });

  it('a zone with no healthy target leaves DNS and its node resets clients; cross-zone on lets it serve the other zones', async () => {
    const [zoneA, zoneB] = [...nodes.keys()];
    const victim = [...emb.sandbox.world.targetsOf(emb.stack.targetGroupArn).values()].find((t) => emb.sandbox.world.instances.get(t.targetId)?.availabilityZone === zoneB)!;
    const seq = since();
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: emb.stack.targetGroupArn, Targets: [{ Id: victim.targetId }] }));
    const dropped = await dnsEvent(seq, (e) => !e.zones.includes(zoneB!));
    expect(dropped.failOpen).toBe(false);
    expect(dropped.addresses).toEqual([...nodes.values()].filter((a) => a !== nodes.get(zoneB!)));
    const view = await stackView();
    expect(view.dns!.find((n) => n.az === zoneB)!.inDns).toBe(false);
    expect(view.resolve[0]).not.toContain(nodes.get(zoneB!)!);
    // A client that still has the address (cached, or pinned with --resolve) is reset: no target in its zone.
    expect(await tcpOutcome(nodes.get(zoneB!)!, port)).toBe('reset');
    expect((await httpGet(`http://${nodes.get(zoneA!)!}:${port}/`)).status).toBe(200);

    // Cross-zone on: the zone is back in DNS at once, and its node serves from the other zones.
    const seqOn = since();
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: emb.stack.loadBalancerArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }));
    expect((await dnsEvent(seqOn, () => true)).zones).toEqual([...nodes.keys()]);
    const r = await httpGet(`http://${nodes.get(zoneB!)!}:${port}/`);
    expect(r.status).toBe(200);
    expect(r.headers['x-availability-zone']).not.toBe(zoneB);
    expect((await stackView()).dns!.every((n) => n.inDns)).toBe(true);

    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: emb.stack.loadBalancerArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'false' }] }));
    const seq2 = since();
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: emb.stack.targetGroupArn, Targets: [{ Id: victim.targetId, Port: 80 }] }));
    await dnsEvent(seq2, (e) => e.zones.length === 3);
  });

  it("a target group's own cross-zone setting overrides the load balancer's (off here): its zones all stay in DNS", async () => {
    const zoneC = [...nodes.keys()][2]!;
    const victim = [...emb.sandbox.world.targetsOf(emb.stack.targetGroupArn).values()].find((t) => emb.sandbox.world.instances.get(t.targetId)?.availabilityZone === zoneC)!;
    const crossZone = (Value: string) =>
      elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: emb.stack.targetGroupArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value }] }));
    await expectAwsError(crossZone('sometimes'), 'ValidationError', 400);
    const seq = since();
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: emb.stack.targetGroupArn, Targets: [{ Id: victim.targetId }] }));
    await dnsEvent(seq, (e) => !e.zones.includes(zoneC));
    const seqOn = since();
    await crossZone('true');
    expect((await dnsEvent(seqOn, () => true)).zones).toEqual([...nodes.keys()]);
    expect((await httpGet(`http://${nodes.get(zoneC)!}:${port}/`)).status).toBe(200);
    const seqBack = since();
    await crossZone('use_load_balancer_configuration');
    expect((await dnsEvent(seqBack, () => true)).zones).not.toContain(zoneC);
    const seqReg = since();
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: emb.stack.targetGroupArn, Targets: [{ Id: victim.targetId, Port: 80 }] }));
    await dnsEvent(seqReg, (e) => e.zones.length === 3);
  });

  it('fails open when no target anywhere is healthy: DNS answers with every node and targets still get traffic', async () => {
    // Auto Scaling must not replace the failing instances meanwhile: this is about the load balancer alone.
    const asg = new AutoScalingClient(clientConfig(emb.sandbox.endpoint));
    await asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: emb.stack.asgName, ScalingProcesses: ['HealthCheck'] }));
    const seq = since();
    // Every check now fails (the app answers 200, the matcher wants 202).
    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: emb.stack.targetGroupArn, Matcher: { HttpCode: '202' } }));
    const open = await dnsEvent(seq, (e) => e.failOpen);
    expect(open.addresses).toEqual([...nodes.values()]);
    for (const address of nodes.values()) expect((await httpGet(`http://${address}:${port}/`)).status).toBe(200);
    const seq2 = since();
    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: emb.stack.targetGroupArn, Matcher: { HttpCode: '200-399' } }));
    await dnsEvent(seq2, (e) => !e.failOpen && e.zones.length === 3);
    await asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: emb.stack.asgName, ScalingProcesses: ['HealthCheck'] }));
    asg.destroy();
  });

  // Last: the NACL also cuts the node's health checks of its zone, so the zone's targets churn for a while.
  it('a deny-all NACL on one node subnet: that address answers nothing (no bytes, no reset) while the others serve', async () => {
    const [zoneA] = [...nodes.keys()];
    const subnetId = emb.stack.lbSubnets.find((s) => s.availabilityZone === zoneA)!.subnetId;
    const acl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: emb.stack.vpcId }))).NetworkAcl!.NetworkAclId!; // a new NACL denies everything
    const assoc = async () =>
      (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }))).NetworkAcls![0]!.Associations!.find(
        (a) => a.SubnetId === subnetId,
      )!;
    const original = await assoc();
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: original.NetworkAclAssociationId!, NetworkAclId: acl }));
    try {
      const dark = tcpOutcome(nodes.get(zoneA!)!, port);
      for (const [az, address] of nodes) if (az !== zoneA) expect((await httpGet(`http://${address}:${port}/`)).status).toBe(200);
      // Dropped packets: not a reset, not an answer; the connection is given up after the idle timeout.
      expect(await dark).toBe('closed');
    } finally {
      await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: (await assoc()).NetworkAclAssociationId!, NetworkAclId: original.NetworkAclId! }));
    }
    // The node's health checks of its zone's targets crossed that NACL too: wait until the zone is back in DNS.
    const seq = since();
    if (!(await stackView()).dns!.every((n) => n.inDns)) await dnsEvent(seq, (e) => e.zones.length === 3 && !e.failOpen);
    expect((await httpGet(`http://${nodes.get(zoneA!)!}:${port}/`)).status).toBe(200);
  });
});
