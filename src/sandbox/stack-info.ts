/**
 * How a client reaches the demo stack, as `GET /_sandbox/stack` and `chaos-ec2 sandbox` tell it:
 * `{ url, host, resolve, caCertFile }`. On AWS the load balancer's DNS name resolves to its nodes'
 * addresses (one per enabled AZ); the sandbox's nodes are loopback addresses no DNS knows, so a client
 * pins them the way curl does: `--resolve HOST:PORT:ADDR[,ADDR…]`, one value per host name.
 */
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
}

/** The addresses a client resolving the load balancer's DNS name gets: one per node, in AZ order. */
export function nodeAddresses(world: World, loadBalancerArn: string): string[] {
  return (world.loadBalancers.get(loadBalancerArn)?.availabilityZones ?? []).map((z) => z.nodeAddress);
}

export function stackInfo(world: World, stack: { url: string; host?: string; loadBalancerArn: string }, caCertFile?: string): StackInfo {
  const u = new URL(stack.url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const addrs = nodeAddresses(world, stack.loadBalancerArn).join(',');
  const names = [u.hostname, ...(stack.host ? [stack.host] : [])];
  return {
    url: stack.url,
    ...(stack.host ? { host: stack.host } : {}),
    resolve: names.map((n) => `${n}:${port}:${addrs}`),
    ...(caCertFile ? { caCertFile } : {}),
  };
}
