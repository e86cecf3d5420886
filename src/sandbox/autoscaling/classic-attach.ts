/**
 * An Auto Scaling group's Classic Load Balancers (its LoadBalancerNames, or traffic sources of type `elb`):
 * what the reconciler and the group handlers do with them, as AWS does (Auto Scaling user guide, "Use
 * Elastic Load Balancing to distribute incoming application traffic in your Auto Scaling group" and "Health
 * checks for instances in an Auto Scaling group"):
 * - a launched instance is registered with each of them before it goes InService, unless the
 *   AddToLoadBalancer process is suspended; a terminating one is deregistered first;
 * - with HealthCheckType ELB, once past the grace period, an instance a Classic Load Balancer reports
 *   OutOfService is Unhealthy and gets replaced.
 */
import { deregisterClassicInstance, registerClassicInstance } from '../world/classic-state.js';
import type { AutoScalingGroup } from '../world/types.js';
import type { World } from '../world/world.js';

export function classicNames(asg: AutoScalingGroup): string[] {
  return asg.loadBalancerNames ?? [];
}

export function registerWithClassic(world: World, names: Iterable<string>, instanceId: string): void {
  for (const name of names) {
    const lb = world.classicLoadBalancers.get(name);
    if (lb) registerClassicInstance(world, lb, instanceId);
  }
}

export function deregisterFromClassic(world: World, names: Iterable<string>, instanceId: string): void {
  for (const name of names) {
    const lb = world.classicLoadBalancers.get(name);
    if (lb) deregisterClassicInstance(world, lb, instanceId);
  }
}

/** Why the group's ELB health check fails the instance through a Classic Load Balancer, or undefined. */
export function classicHealthProblem(world: World, asg: AutoScalingGroup, instanceId: string): string | undefined {
  for (const name of classicNames(asg)) {
    const reg = world.classicLoadBalancers.get(name)?.instances.get(instanceId);
    if (reg?.state === 'OutOfService') return `ELB health check: ${name} reports OutOfService (${reg.description})`;
  }
  return undefined;
}
