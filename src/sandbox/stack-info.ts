/**
 * How a client reaches the demo stack, as `GET /_sandbox/stack` and `chaos-ec2 sandbox` tell it:
 * `{ url, host, resolve, caCertFile }`. On AWS the load balancer's DNS name resolves to its nodes'
 * addresses (one per enabled AZ); the sandbox's nodes are loopback addresses no DNS knows, so a client
 * pins them the way curl does: `--resolve HOST:PORT:ADDR[,ADDR…]`, one value per host name.
 */
import { dnsNodes } from './dataplane/nlb-zones.js';
import { fisRoleArn } from './fis/role.js';
import type { World } from './world/world.js';

export interface StackInfo {
  /** <protocol>://<DNSName>:<port>/ */
  url: string;
  /** The service's own name (Host header and TLS SNI); HTTPS stack only. */
  host?: string;
  /** One `HOST:PORT:ADDR,ADDR…` value per name: the DNSName, then `host` (HTTPS stack). */
  resolve: string[];
  /** The sandbox CA's certificate (PEM file) to trust; HTTPS stack only. */
  caCertFile?: string;
  /**
   * Network Load Balancer only: every node and whether the DNS name answers with it now (a zone with no
   * healthy target leaves DNS while cross-zone load balancing is off; dataplane/nlb-zones.ts).
   */
  dns?: { address: string; az: string; inDns: boolean }[];
  /** The IAM role the sandbox's FIS can assume (fis/role.ts): what `--fis-role-arn` takes. */
  fisRoleArn: string;
}

/**
 * The addresses a client resolving the load balancer's DNS name gets now: one per node, in AZ order
 * (for an NLB, only the nodes in DNS).
 */
export function nodeAddresses(world: World, loadBalancerArn: string): string[] {
  const lb = world.loadBalancers.get(loadBalancerArn);
  return lb ? dnsNodes(world, lb).nodes.map((z) => z.nodeAddress) : [];
}

function dnsView(world: World, loadBalancerArn: string): StackInfo['dns'] {
  const lb = world.loadBalancers.get(loadBalancerArn);
  if (lb?.type !== 'network') return undefined;
  const inDns = new Set(dnsNodes(world, lb).nodes.map((n) => n.nodeAddress));
  return lb.availabilityZones.map((z) => ({ address: z.nodeAddress, az: z.zoneName, inDns: inDns.has(z.nodeAddress) }));
}

export function stackInfo(world: World, stack: { url: string; host?: string; loadBalancerArn: string }, caCertFile?: string): StackInfo {
  const u = new URL(stack.url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const addrs = nodeAddresses(world, stack.loadBalancerArn).join(',');
  const names = [u.hostname, ...(stack.host ? [stack.host] : [])];
  const dns = dnsView(world, stack.loadBalancerArn);
  return {
    url: stack.url,
    ...(stack.host ? { host: stack.host } : {}),
    // A Classic stack (lb 'classic', no loadBalancerArn) answers on 127.0.0.1 itself: nothing to pin.
    resolve: stack.loadBalancerArn ? names.map((n) => `${n}:${port}:${addrs}`) : [],
    ...(caCertFile ? { caCertFile } : {}),
    ...(dns ? { dns } : {}),
    fisRoleArn: fisRoleArn(world.accountId),
  };
}
