/**
 * Network interfaces in a subnet, for a network fault's blast radius. A NACL swap cuts off EVERY interface in
 * the subnet, not just the group's instances: other Auto Scaling groups, RDS, NAT gateways, Lambda, VPC
 * endpoints, other load balancers' nodes. DescribeNetworkInterfaces filtered by `subnet-id` lists them all
 * (MaxResults 5–1000 with NextToken; ec2:Describe* covers the permission).
 */
import { paginateDescribeNetworkInterfaces, type EC2Client } from '@aws-sdk/client-ec2';
import type { Phase } from '../core/errors.js';
import { call } from './errors.js';

export interface InterfaceInfo {
  networkInterfaceId: string;
  subnetId: string;
  /** interface, nat_gateway, lambda, vpc_endpoint, … as EC2 reports it. */
  interfaceType: string;
  description: string;
  /** The instance it is attached to, if any (an instance of another group, a database host …). */
  instanceId?: string;
  /** Set for interfaces a service manages (amazon-elb, amazon-rds, …). */
  requesterId?: string;
}

export async function subnetInterfaces(ec2: EC2Client, subnetIds: string[], phase: Phase): Promise<InterfaceInfo[]> {
  if (subnetIds.length === 0) return [];
  return call('DescribeNetworkInterfaces', { phase }, async () => {
    const out: InterfaceInfo[] = [];
    const pages = paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 1000 }, { Filters: [{ Name: 'subnet-id', Values: subnetIds }], MaxResults: 1000 });
    for await (const page of pages) {
      for (const n of page.NetworkInterfaces ?? []) {
        out.push({
          networkInterfaceId: n.NetworkInterfaceId ?? '',
          subnetId: n.SubnetId ?? '',
          interfaceType: n.InterfaceType ?? 'interface',
          description: n.Description ?? '',
          ...(n.Attachment?.InstanceId ? { instanceId: n.Attachment.InstanceId } : {}),
          ...(n.RequesterId ? { requesterId: n.RequesterId } : {}),
        });
      }
    }
    return out;
  });
}

/** `ELB app/<name>/<id>`: how ELB describes the interfaces of a load balancer's nodes (from its ARN). */
export function elbInterfaceDescription(loadBalancerArn: string): string {
  const i = loadBalancerArn.indexOf(':loadbalancer/');
  return `ELB ${i >= 0 ? loadBalancerArn.slice(i + ':loadbalancer/'.length) : loadBalancerArn}`;
}

/**
 * Address → AZ of a load balancer's nodes, from their network interfaces (description `ELB app/<name>/<id>`,
 * `ELB net/…` for an NLB). The load balancer's DNS name answers with the interface's public address when it
 * is internet-facing (Association.PublicIp), its private address when internal, and its IPv6 addresses when
 * dualstack: all three are mapped, so whichever the probe resolves finds its AZ.
 */
export async function loadBalancerNodeAzs(ec2: EC2Client, loadBalancerArns: string[], phase: Phase): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (loadBalancerArns.length === 0) return out;
  const descriptions = loadBalancerArns.map(elbInterfaceDescription);
  return call('DescribeNetworkInterfaces', { phase }, async () => {
    const pages = paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 1000 }, { Filters: [{ Name: 'description', Values: descriptions }], MaxResults: 1000 });
    for await (const page of pages) {
      for (const n of page.NetworkInterfaces ?? []) {
        const az = n.AvailabilityZone;
        if (!az || !descriptions.includes(n.Description ?? '')) continue;
        const addresses = [
          n.PrivateIpAddress,
          n.Association?.PublicIp,
          ...(n.PrivateIpAddresses ?? []).flatMap((p) => [p.PrivateIpAddress, p.Association?.PublicIp]),
          ...(n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address?.toLowerCase()),
        ];
        for (const a of addresses) if (a) out.set(a, az);
      }
    }
    return out;
  });
}
