import { connect } from 'node:net';
import {
  CreateNetworkAclCommand,
  CreateSubnetCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  ReplaceNetworkAclAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { httpGet } from '../helpers/http.js';
import { clientConfig } from '../helpers/sandbox.js';

/** What a raw client gets from one address: the bytes, until the other side closes. */
function rawExchange(host: string, port: number, request: string): Promise<{ received: string; closedBy: 'peer' | 'error' }> {
  return new Promise((resolve) => {
    let received = '';
    const s = connect({ host, port }, () => s.write(request));
    s.on('data', (d) => (received += d.toString()));
    s.on('error', () => resolve({ received, closedBy: 'error' }));
    s.on('close', () => resolve({ received, closedBy: 'peer' }));
  });
}

/**
 * One load balancer node per enabled AZ, each on its own loopback address: the node interfaces
 * DescribeNetworkInterfaces shows, internet-facing vs internal, and a NACL that darkens exactly one node.
 */
describe('sandbox ALB nodes', () => {
  let emb: EmbeddedSandbox;
  let ec2: EC2Client;
  let elb: ElasticLoadBalancingV2Client;
  let port: number;

  beforeAll(async () => {
    // A short idle timeout: a dark node's hanging connection is closed sooner, and the test awaits that close.
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', timings: { lbIdleTimeoutMs: 1500 }, stack: { instances: 3, azs: 3 } });
    ec2 = new EC2Client(clientConfig(emb.sandbox.endpoint));
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
    port = (await elb.send(new DescribeListenersCommand({ ListenerArns: [emb.stack.listenerArn] }))).Listeners![0]!.Port!;
  });
  afterAll(async () => {
    ec2?.destroy();
    elb?.destroy();
    await emb?.close();
  });

  const nodeEnis = async (lbArn: string) => {
    const resource = lbArn.slice(lbArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
    const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB ${resource}`] }] }));
    return (out.NetworkInterfaces ?? []).sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
  };

  it('an internet-facing ALB has one interface per AZ: a VPC-private IP and its node address as Association.PublicIp', async () => {
    const enis = await nodeEnis(emb.stack.loadBalancerArn);
    expect(enis.map((e) => [e.AvailabilityZone, e.SubnetId])).toEqual(emb.stack.lbSubnets.map((s) => [s.availabilityZone, s.subnetId]));
    for (const [i, e] of enis.entries()) {
      expect(e).toMatchObject({ InterfaceType: 'interface', RequesterId: 'amazon-elb', RequesterManaged: true, Status: 'in-use', Association: { IpOwnerId: 'amazon-elb' } });
      expect(e.PrivateIpAddress).toMatch(new RegExp(`^10\\.0\\.${101 + i}\\.\\d+$`));
      expect(e.Association!.PublicIp).toMatch(/^127\.\d+\.\d+\.\d+$/);
    }
    const addresses = enis.map((e) => e.Association!.PublicIp!);
    expect(new Set(addresses).size).toBe(3);
    // Each address is a node serving the listener's port, and cross-zone spreads its requests over every AZ.
    for (const address of addresses) {
      const azs = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await httpGet(`http://demo.test:${port}/`, { connectTo: address });
        expect(res.status).toBe(200);
        azs.add(res.headers['x-availability-zone'] as string);
      }
      expect(azs.size).toBe(3);
    }
    const found = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'association.public-ip', Values: [addresses[1]!] }] }));
    expect(found.NetworkInterfaces!.map((e) => e.NetworkInterfaceId)).toEqual([enis[1]!.NetworkInterfaceId]);
  });

  it('a deny-all NACL on one node subnet makes that address hang while the other nodes serve', async () => {
    const enis = await nodeEnis(emb.stack.loadBalancerArn);
    const dark = enis[0]!;
    const acl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: emb.stack.vpcId }))).NetworkAcl!.NetworkAclId!; // a new NACL denies everything
    const assoc = async (subnetId: string) =>
      (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }))).NetworkAcls![0]!.Associations!.find(
        (a) => a.SubnetId === subnetId,
      )!;
    const original = await assoc(dark.SubnetId!);
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: original.NetworkAclAssociationId!, NetworkAclId: acl }));
    try {
      const hanging = rawExchange(dark.Association!.PublicIp!, port, 'GET / HTTP/1.1\r\nHost: demo.test\r\n\r\n');
      for (const lit of enis.slice(1)) expect((await httpGet(`http://demo.test:${port}/`, { connectTo: lit.Association!.PublicIp! })).status).toBe(200);
      // Not an error response, not a reset: nothing at all, until the connection is given up.
      expect(await hanging).toEqual({ received: '', closedBy: 'peer' });
    } finally {
      const now = await assoc(dark.SubnetId!);
      await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: now.NetworkAclAssociationId!, NetworkAclId: original.NetworkAclId! }));
    }
    expect((await httpGet(`http://demo.test:${port}/`, { connectTo: dark.Association!.PublicIp! })).status).toBe(200);
  });

  it('an internal ALB stores and reports its scheme; its interfaces have the node address as private IP', async () => {
    const subnets = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: emb.stack.vpcId, CidrBlock: `10.0.${201 + i}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!);
    }
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'private-alb', Subnets: subnets, Scheme: 'internal' }))).LoadBalancers![0]!;
    expect(lb.Scheme).toBe('internal');
    // AWS prefixes an internal load balancer's name with internal-.
    expect(lb.DNSName).toMatch(/^internal-private-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    const described = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['private-alb'] }))).LoadBalancers![0]!;
    expect(described.Scheme).toBe('internal');
    const l = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn!,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'inside' } }],
        }),
      )
    ).Listeners![0]!;
    const enis = await nodeEnis(lb.LoadBalancerArn!);
    expect(enis).toHaveLength(2);
    for (const e of enis) {
      expect(e.Association).toBeUndefined();
      expect(e.PrivateIpAddress).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(await httpGet(`http://private.test:${l.Port}/`, { connectTo: e.PrivateIpAddress! })).toMatchObject({ status: 200, body: 'inside' });
    }
  });
});
