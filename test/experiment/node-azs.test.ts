/**
 * Address → AZ of a load balancer's nodes from their network interfaces (DescribeNetworkInterfaces filtered on
 * the `ELB app/<name>/<id>` description), against the sandbox through the real SDK client.
 */
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { elbInterfaceDescription, loadBalancerNodeAzs } from '../../src/aws/eni.js';
import { nodeAzOf } from '../../src/experiment/node-azs.js';
import { startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { clientConfig } from '../helpers/sandbox.js';

describe('load balancer nodes → AZ', () => {
  let emb: EmbeddedSandbox;
  let ec2: EC2Client;
  beforeAll(async () => {
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 2, azs: 3 } });
    ec2 = new EC2Client(clientConfig(emb.sandbox.endpoint));
  });
  afterAll(async () => {
    ec2?.destroy();
    await emb?.close();
  });

  it("maps each node interface's addresses to its AZ, and nothing else (instances' interfaces are not nodes)", async () => {
    const map = await loadBalancerNodeAzs(ec2, [emb.stack.loadBalancerArn], 'discover');
    // Ground truth: the interfaces ELB made for this load balancer, one per load balancer subnet.
    const all = await ec2.send(new DescribeNetworkInterfacesCommand({}));
    const nodes = (all.NetworkInterfaces ?? []).filter((n) => n.Description === elbInterfaceDescription(emb.stack.loadBalancerArn));
    expect(nodes.length).toBe(emb.stack.lbSubnets.length);
    // An internet-facing load balancer's DNS answers with each node's public address; its private one is there too.
    expect(nodes.every((n) => n.Association?.PublicIp)).toBe(true);
    expect(map).toEqual(new Map(nodes.flatMap((n) => [[n.PrivateIpAddress!, n.AvailabilityZone!] as const, [n.Association!.PublicIp!, n.AvailabilityZone!] as const])));
    expect(new Set(map.values())).toEqual(new Set(emb.stack.lbSubnets.map((s) => s.availabilityZone)));
    const instanceIps = (all.NetworkInterfaces ?? []).filter((n) => n.Attachment?.InstanceId).map((n) => n.PrivateIpAddress!);
    expect(instanceIps.length).toBeGreaterThan(0);
    for (const ip of instanceIps) expect(map.has(ip)).toBe(false);
  });

  it('nodeAzOf: a lookup function; without permission (or any AWS error) every AZ is unknown, and the run goes on', async () => {
    const az = await nodeAzOf({ ec2 } as unknown as AwsClients, [emb.stack.loadBalancerArn]);
    const [ip, zone] = [...(await loadBalancerNodeAzs(ec2, [emb.stack.loadBalancerArn], 'discover'))][0]!;
    expect(az(ip)).toBe(zone);
    expect(az('192.0.2.1')).toBeUndefined();
    const denied = { ec2: { send: () => Promise.reject(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' })) } } as unknown as AwsClients;
    expect((await nodeAzOf(denied, [emb.stack.loadBalancerArn]))(ip)).toBeUndefined();
  });
});
