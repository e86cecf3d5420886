/**
 * The only place a Classic Load Balancer's instance health changes, so each change is recorded as a
 * `classic-instance-health` ground-truth event (tests line chaos-ec2's DescribeInstanceHealth readings up
 * with them).
 *
 * AWS behaviour (Classic Load Balancers user guide, "Register or deregister EC2 instances" and
 * "Health checks for your Classic Load Balancer"; API_InstanceState):
 * - A newly registered instance is OutOfService, reason ELB, "Instance registration is still in progress."
 *   until it has passed HealthyThreshold consecutive checks; only then is it InService and routed to.
 * - A deregistered instance is gone from DescribeInstanceHealth at once (connection draining is off for
 *   load balancers created through the API, the default the sandbox follows).
 */
import { CLASSIC_DESCRIPTION, type ClassicInstanceHealth, type ClassicInstanceStateName, type ClassicLoadBalancer, type ClassicReasonCode } from './classic-types.js';
import type { World } from './world.js';

export function registerClassicInstance(world: World, lb: ClassicLoadBalancer, instanceId: string): ClassicInstanceHealth {
  const existing = lb.instances.get(instanceId);
  if (existing) return existing; // RegisterInstancesWithLoadBalancer is idempotent
  const reg: ClassicInstanceHealth = {
    instanceId,
    state: 'OutOfService',
    reasonCode: 'ELB',
    description: CLASSIC_DESCRIPTION.registering,
    consecutiveOk: 0,
    consecutiveFail: 0,
    registeredAt: world.now(),
  };
  lb.instances.set(instanceId, reg);
  world.emit({ type: 'classic-instance-health', loadBalancerName: lb.loadBalancerName, instanceId, from: null, to: 'OutOfService', description: reg.description });
  return reg;
}

export function deregisterClassicInstance(world: World, lb: ClassicLoadBalancer, instanceId: string): void {
  const reg = lb.instances.get(instanceId);
  if (!reg) return;
  lb.instances.delete(instanceId);
  world.emit({ type: 'classic-instance-health', loadBalancerName: lb.loadBalancerName, instanceId, from: reg.state, to: null });
}

export function setClassicState(world: World, lb: ClassicLoadBalancer, reg: ClassicInstanceHealth, to: ClassicInstanceStateName, reasonCode: ClassicReasonCode, description: string): void {
  if (lb.instances.get(reg.instanceId) !== reg) return; // deregistered meanwhile
  const from = reg.state;
  reg.reasonCode = reasonCode;
  reg.description = description;
  if (from === to) return; // only the wording changed: not a health transition
  reg.state = to;
  world.emit({ type: 'classic-instance-health', loadBalancerName: lb.loadBalancerName, instanceId: reg.instanceId, from, to, description });
}

/** Instances the load balancer routes to: InService ones only (a Classic Load Balancer does not fail open). */
export function inServiceInstances(lb: ClassicLoadBalancer): ClassicInstanceHealth[] {
  return [...lb.instances.values()].filter((r) => r.state === 'InService');
}
