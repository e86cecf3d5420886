/**
 * Which AZ each address of the load balancer is in, for the probe's per-node figures (aws/eni.ts reads the
 * nodes' network interfaces).
 */
import type { AwsClients } from '../aws/clients.js';
import { loadBalancerNodeAzs } from '../aws/eni.js';

/**
 * address → AZ of the load balancers' nodes. Best effort: the figures per node stay useful without their AZ,
 * and a role without ec2:DescribeNetworkInterfaces (a terminate-only policy) must not stop the run.
 */
export async function nodeAzOf(clients: AwsClients, loadBalancerArns: string[]): Promise<(address: string) => string | undefined> {
  try {
    const map = await loadBalancerNodeAzs(clients.ec2, loadBalancerArns, 'discover');
    return (address) => map.get(address.toLowerCase()) ?? map.get(address);
  } catch {
    return () => undefined;
  }
}
