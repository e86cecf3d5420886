/**
 * ELBv2 reads: from target groups to their load balancers and listeners (to build the probe URL the way a
 * client reaches the service), and target health (one DescribeTargetHealth per target group per poll).
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type Rule,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Phase } from '../core/errors.js';
import { awsCode, awsError, call } from './errors.js';

export interface TargetState {
  id: string;
  port?: number;
  state: string;
  reason?: string;
}

export async function describeTargetGroups(elb: ElasticLoadBalancingV2Client, arns: string[], phase: Phase): Promise<TargetGroup[]> {
  if (arns.length === 0) return [];
  const out = await call('DescribeTargetGroups', { phase }, () => elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns })));
  return out.TargetGroups ?? [];
}

export async function describeLoadBalancers(elb: ElasticLoadBalancingV2Client, arns: string[], phase: Phase): Promise<LoadBalancer[]> {
  if (arns.length === 0) return [];
  const out = await call('DescribeLoadBalancers', { phase }, () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: arns })));
  return out.LoadBalancers ?? [];
}

export async function describeListeners(elb: ElasticLoadBalancingV2Client, loadBalancerArn: string, phase: Phase): Promise<Listener[]> {
  const listeners: Listener[] = [];
  let marker: string | undefined;
  do {
    const out = await call('DescribeListeners', { phase, target: loadBalancerArn }, () =>
      elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, ...(marker ? { Marker: marker } : {}) })),
    );
    listeners.push(...(out.Listeners ?? []));
    marker = out.NextMarker;
  } while (marker);
  return listeners;
}

/**
 * A listener's rules, the default rule included, paged with Marker/NextMarker (PageSize ≤ 400). An endpoint
 * that does not implement DescribeRules (InvalidAction: an older chaos-ec2 sandbox, some emulators) yields
 * none, and the caller falls back on the listener's default actions; AWS itself always answers.
 */
export async function describeRules(elb: ElasticLoadBalancingV2Client, listenerArn: string, phase: Phase, pageSize = 400): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    let out;
    try {
      out = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: pageSize, ...(marker ? { Marker: marker } : {}) }));
    } catch (err) {
      if (awsCode(err) === 'InvalidAction' && rules.length === 0) return [];
      throw awsError(err, 'DescribeRules', { phase, target: listenerArn });
    }
    rules.push(...(out.Rules ?? []));
    marker = out.NextMarker;
  } while (marker);
  return rules;
}

export async function describeTargetHealth(elb: ElasticLoadBalancingV2Client, targetGroupArn: string, phase: Phase): Promise<TargetState[]> {
  const out = await call('DescribeTargetHealth', { phase, target: targetGroupArn }, () => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })));
  return (out.TargetHealthDescriptions ?? []).map((d) => ({
    id: d.Target?.Id ?? '',
    ...(d.Target?.Port !== undefined ? { port: d.Target.Port } : {}),
    state: d.TargetHealth?.State ?? 'unknown',
    ...(d.TargetHealth?.Reason ? { reason: d.TargetHealth.Reason } : {}),
  }));
}
