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
