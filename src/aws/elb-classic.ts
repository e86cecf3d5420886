/**
 * Classic Load Balancer reads (Elastic Load Balancing API 2012-06-01, through
 * @aws-sdk/client-elastic-load-balancing): the load balancers a group names in LoadBalancerNames (for the
 * probe URL: DNS name and HTTP(S) listener) and their instance health (one DescribeInstanceHealth per load
 * balancer per poll). API reference: https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/
 */
import { DescribeInstanceHealthCommand, DescribeLoadBalancersCommand, type ElasticLoadBalancingClient, type LoadBalancerDescription } from '@aws-sdk/client-elastic-load-balancing';
import type { Phase } from '../core/errors.js';
import { call } from './errors.js';

/** DescribeInstanceHealth's State: InService | OutOfService | Unknown (API_InstanceState). */
export interface ClassicInstanceState {
  id: string;
  state: string;
  reasonCode?: string;
  description?: string;
}

/** The state in which a Classic Load Balancer routes to an instance: InService counts as healthy. */
export const CLASSIC_HEALTHY = 'InService';

/**
 * The load balancers named, in one call per 20 names. DescribeLoadBalancers takes a page size of at most
 * 400, but names are what we have, and AWS answers LoadBalancerNotFound for the whole call when any is gone.
 */
export async function describeClassicLoadBalancers(elb: ElasticLoadBalancingClient, names: string[], phase: Phase): Promise<LoadBalancerDescription[]> {
  const out: LoadBalancerDescription[] = [];
  for (let i = 0; i < names.length; i += 20) {
    const chunk = names.slice(i, i + 20);
    const res = await call('DescribeLoadBalancers (Classic)', { phase, target: chunk.join(', ') }, () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: chunk })));
    out.push(...(res.LoadBalancerDescriptions ?? []));
  }
  return out;
}

/** Every subnet of the named Classic Load Balancers (they list subnets without their zones). */
export async function classicSubnetIds(elb: ElasticLoadBalancingClient, names: string[], phase: Phase): Promise<string[]> {
  return [...new Set((await describeClassicLoadBalancers(elb, names, phase)).flatMap((l) => l.Subnets ?? []))];
}

export async function describeInstanceHealth(elb: ElasticLoadBalancingClient, loadBalancerName: string, phase: Phase): Promise<ClassicInstanceState[]> {
  const out = await call('DescribeInstanceHealth', { phase, target: loadBalancerName }, () => elb.send(new DescribeInstanceHealthCommand({ LoadBalancerName: loadBalancerName })));
  return (out.InstanceStates ?? []).map((s) => ({
    id: s.InstanceId ?? '',
    state: s.State ?? 'Unknown',
    ...(s.ReasonCode ? { reasonCode: s.ReasonCode } : {}),
    ...(s.Description ? { description: s.Description } : {}),
  }));
}

/**
 * The key under which a Classic Load Balancer's instance states sit beside target groups in a capacity
 * snapshot: its ARN, `arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/<name>` (the Classic
 * form has no type segment such as `app/`; Elastic Load Balancing user guide, "Resource types"), built from
 * the Auto Scaling group's ARN, which names the same partition, region and account.
 */
export function classicArn(groupArn: string, name: string): string {
  const [, partition, , region, account] = groupArn.split(':');
  return partition && region && account ? `arn:${partition}:elasticloadbalancing:${region}:${account}:loadbalancer/${name}` : `loadbalancer/${name}`;
}

export function isClassicArn(key: string): boolean {
  return /(^|:)loadbalancer\/[^/]+$/.test(key);
}
