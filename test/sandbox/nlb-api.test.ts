/**
 * The sandbox's ELBv2 API for Network Load Balancers through the real SDK client: what it accepts and
 * refuses (listener and target-group protocols, TCP health checks), a TCP health check turning targets
 * healthy, and a TLS listener that terminates TLS at the node with the sandbox CA's certificate.
 */
import { readFileSync } from 'node:fs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { httpGet } from '../helpers/http.js';
import { clientConfig, expectAwsError, waitForWorldEvent } from '../helpers/sandbox.js';

describe('sandbox NLB API', () => {
  let emb: EmbeddedSandbox;
  let elb: ElasticLoadBalancingV2Client;
  let nlbArn: string;
  let albArn: string;
  let instanceIds: string[];

  const targetGroup = async (name: string, extra: Record<string, unknown> = {}) =>
    (await elb.send(new CreateTargetGroupCommand({ Name: name, Port: 80, VpcId: emb.stack.vpcId, TargetType: 'instance', Protocol: 'TCP', ...extra }))).TargetGroups![0]!;

  beforeAll(async () => {
    // The plain ALB stack: its VPC, subnets and running instances serve the NLBs the tests create.
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 2, azs: 2 } });
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
    albArn = emb.stack.loadBalancerArn;
    const nlb = await elb.send(new CreateLoadBalancerCommand({ Name: 'api-nlb', Type: 'network', Subnets: [emb.stack.lbSubnets[0]!.subnetId] }));
    nlbArn = nlb.LoadBalancers![0]!.LoadBalancerArn!;
    instanceIds = [...emb.sandbox.world.instances.values()].filter((i) => i.state === 'running').map((i) => i.instanceId);
  });
  afterAll(async () => {
    elb?.destroy();
    await emb?.close();
  });

  it('takes a single subnet for an NLB (an ALB needs two AZs) and shows its type and cross-zone attribute', async () => {
    await expectAwsError(elb.send(new CreateLoadBalancerCommand({ Name: 'one-az-alb', Type: 'application', Subnets: [emb.stack.lbSubnets[0]!.subnetId] })), 'ValidationError', 400);
    const attrs = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: nlbArn }))).Attributes!;
    expect(attrs).toContainEqual({ Key: 'load_balancing.cross_zone.enabled', Value: 'false' });
    await expectAwsError(
      elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: nlbArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'maybe' }] })),
      'ValidationError',
      400,
    );
    // An ALB's cross-zone load balancing is always on and cannot be turned off.
    const alb = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: albArn }))).Attributes!;
    expect(alb).toContainEqual({ Key: 'load_balancing.cross_zone.enabled', Value: 'true' });
    await expectAwsError(
      elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: albArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'false' }] })),
      'ValidationError',
      400,
    );
  });

  it('refuses what AWS refuses: TCP health checks of HTTP groups, HTTP listeners on an NLB, TCP listeners to HTTP groups, UDP listeners it cannot serve', async () => {
    await expectAwsError(targetGroup('http-tcp-check', { Protocol: 'HTTP', HealthCheckProtocol: 'TCP' }), 'ValidationError', 400);
    const httpTg = await targetGroup('plain-http', { Protocol: 'HTTP' });
    const tcpTg = await targetGroup('plain-tcp');
    const forward = (arn: string) => [{ Type: 'forward' as const, TargetGroupArn: arn }];
    await expectAwsError(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlbArn, Protocol: 'HTTP', Port: 80, DefaultActions: forward(tcpTg.TargetGroupArn!) })),
      'UnsupportedProtocolException',
      400,
    );
    await expectAwsError(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlbArn, Protocol: 'TCP', Port: 80, DefaultActions: forward(httpTg.TargetGroupArn!) })),
      'ValidationError',
      400,
    );
    await expectAwsError(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlbArn, Protocol: 'UDP', Port: 53, DefaultActions: forward(tcpTg.TargetGroupArn!) })),
      'UnsupportedProtocolException',
      400,
    );
    await expectAwsError(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlbArn, Protocol: 'TLS', Port: 443, DefaultActions: forward(tcpTg.TargetGroupArn!) })),
      'ValidationError',
      400,
    );
    // An NLB group checks over TCP unless told otherwise, and has NLB attributes (source_ip stickiness, …).
    expect(tcpTg.HealthCheckProtocol).toBe('TCP');
    const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tcpTg.TargetGroupArn! }))).Attributes!;
    expect(attrs).toContainEqual({ Key: 'stickiness.type', Value: 'source_ip' });
    expect(attrs).toContainEqual({ Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' });
  });

  it('a TCP health check turns registered targets healthy once the NLB uses the group', async () => {
    const tg = await targetGroup('tcp-checked');
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: nlbArn, Protocol: 'TCP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn! }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn!, Targets: instanceIds.map((Id) => ({ Id, Port: 80 })) }));
    for (const id of instanceIds) {
      await waitForWorldEvent(emb.sandbox.world, (e) => e.type === 'target-health' && e.targetGroupArn === tg.TargetGroupArn && e.targetId === id && e.to === 'healthy');
    }
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn! }));
    expect(health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(instanceIds.map(() => 'healthy'));
  });

  it('a TLS listener terminates TLS at the node with the sandbox CA certificate (chosen by SNI) and relays plaintext to a target', async () => {
    const certificateArn = await emb.sandbox.certificates.issue('tls.example.test');
    const tg = await targetGroup('tls-backend', { HealthCheckProtocol: 'HTTP', HealthCheckPath: '/health' });
    const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'tls-nlb', Type: 'network', Subnets: emb.stack.lbSubnets.map((s) => s.subnetId) }));
    const l = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
        Protocol: 'TLS',
        Port: 443,
        Certificates: [{ CertificateArn: certificateArn }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn! }],
      }),
    );
    expect(l.Listeners![0]!.SslPolicy).toBe('ELBSecurityPolicy-2016-08');
    // Cross-zone on, so whichever node is asked serves from whichever zone has the healthy target.
    await elb.send(
      new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }),
    );
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn!, Targets: [{ Id: instanceIds[0]!, Port: 80 }] }));
    await waitForWorldEvent(emb.sandbox.world, (e) => e.type === 'target-health' && e.targetGroupArn === tg.TargetGroupArn && e.to === 'healthy');
    const ca = readFileSync(emb.sandbox.certificates.caCertFile!, 'utf8');
    const port = l.Listeners![0]!.Port!;
    for (const node of emb.sandbox.world.loadBalancers.get(lb.LoadBalancers![0]!.LoadBalancerArn!)!.availabilityZones) {
      const r = await httpGet(`https://tls.example.test:${port}/hello`, { connectTo: node.nodeAddress, ca });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ instanceId: instanceIds[0], path: '/hello' });
    }
    // The certificate covers the service's name, not another one: verification fails for a wrong SNI.
    const node = emb.sandbox.world.loadBalancers.get(lb.LoadBalancers![0]!.LoadBalancerArn!)!.availabilityZones[0]!.nodeAddress;
    await expect(httpGet(`https://other.example.test:${port}/`, { connectTo: node, ca })).rejects.toThrow(/altnames|certificate/i);
  });
});
