/**
 * POST /_sandbox/instances/<id>/spot-interruption: EC2 reclaims a Spot Instance, as it does when it needs the
 * capacity back ("Spot Instance interruptions", EC2 user guide,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-interruptions.html). The instance goes
 * shutting-down → terminated with the state reason Server.SpotInstanceTermination (EC2 API reference,
 * StateReason). The two-minute interruption notice before it is not modelled: the knob is the interruption.
 *
 * Auto Scaling is not told: without Capacity Rebalancing it "doesn't replace Spot Instances until after the
 * Amazon EC2 Spot service interrupts the instances and their health check fails" ("Use Capacity Rebalancing
 * to handle Amazon EC2 Spot interruptions", Auto Scaling user guide), so the group's EC2 health check finds
 * the instance terminated and the activity's Cause is the EC2 health-check one ("an instance was taken out
 * of service in response to an EC2 health check indicating it has been terminated or stopped"), as for any
 * instance that left `running`; the reconciler then launches the replacement.
 */
import type { SandboxContext } from './context.js';
import type { Instance } from './world/types.js';

export const SPOT_STATE_REASON = { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' };

/** Interrupts the instance; a problem (no such instance, not Spot, not running) as a message instead. */
export function interruptSpot(ctx: SandboxContext, instanceId: string): { instance: Instance } | { status: 404 | 409; message: string } {
  const inst = ctx.world.instances.get(instanceId);
  if (!inst) return { status: 404, message: `no instance ${instanceId}` };
  if (inst.instanceLifecycle !== 'spot') {
    return {
      status: 409,
      message: `${instanceId} is an On-Demand instance: only Spot Instances are interrupted (make it Spot first: POST /_sandbox/instances/${instanceId} {"instanceLifecycle":"spot"})`,
    };
  }
  if (inst.state !== 'running' && inst.state !== 'pending') return { status: 409, message: `${instanceId} is ${inst.state}: only a pending or running instance can be interrupted` };
  ctx.lifecycle.terminate(instanceId, 'Service initiated');
  inst.stateReason = { ...SPOT_STATE_REASON };
  return { instance: inst };
}
