/**
 * Whether the load balancer the probe goes through is internal (scheme `internal`: private addresses that
 * only a machine in the VPC reaches). Asked only when a baseline fails with nothing but connect timeouts.
 * Discovery records the scheme (`loadBalancers[i].scheme`); until it does, DescribeLoadBalancers says.
 */
import type { AwsClients } from '../aws/clients.js';
import { describeLoadBalancers } from '../aws/elbv2.js';
import type { Discovery } from './discover.js';

export async function probedLoadBalancerIsInternal(clients: AwsClients, d: Discovery): Promise<boolean> {
  const lbs = d.loadBalancers as { arn: string; scheme?: string }[];
  const via = (d.listener as { loadBalancerArn?: string } | undefined)?.loadBalancerArn;
  const probed = via ? lbs.filter((l) => l.arn === via) : lbs;
  if (probed.length === 0) return false;
  if (probed.every((l) => l.scheme !== undefined)) return probed.some((l) => l.scheme === 'internal');
  try {
    const described = await describeLoadBalancers(
      clients.elb,
      probed.map((l) => l.arn),
      'steady-state',
    );
    return described.some((l) => l.Scheme === 'internal');
  } catch {
    // Only a better message is at stake: the baseline is refused either way.
    return false;
  }
}
