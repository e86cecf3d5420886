/**
 * EC2 instance state changes: TerminateInstances, StopInstances, StartInstances. The transitions themselves
 * belong to the lifecycle engine (timings, ground-truth events); this file decides, as EC2 does, which
 * instances may make them and answers with each instance's PreviousState and CurrentState.
 *
 * AWS behaviour followed (EC2 API Reference: TerminateInstances, StopInstances, StartInstances; EC2 User
 * Guide: "Stop and start Amazon EC2 instances"):
 * - Every id is checked first (unknown → InvalidInstanceID.NotFound, listing all of them); a request with one
 *   instance that cannot make the change fails whole, before DryRun is answered and before anything changes.
 * - StopInstances: running → stopping → stopped; an instance already stopping or stopped answers with no
 *   change. Any other state → IncorrectInstanceState "…is not in a state from which it can be stopped."
 *   "You can't stop or hibernate instance store-backed instances" → UnsupportedOperation; a Spot Instance of
 *   a one-time request (what Auto Scaling and RunInstances launch) cannot be stopped → UnsupportedOperation.
 * - StartInstances: stopped → pending → running; an instance already pending or running answers with no
 *   change; stopping, shutting-down or terminated → IncorrectInstanceState "…is not in a state from which it
 *   can be started."
 */
import type { InstanceStateName } from '../world/types.js';
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import { dryRunGate } from './ec2-common.js';
import { resolveInstances, stateXml } from './ec2-instances.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { el, list } from './xml.js';

function requireIds(p: Params): string[] {
  const ids = p.list('InstanceId');
  if (!ids.length) throw missingParameter('InstanceId');
  if (ids.length > 1000) throw invalidParameterValue('InstanceId', String(ids.length), 'exceeds the limit of 1000 ids');
  return ids;
}

function stateChanges(changes: { id: string; previous: InstanceStateName; current: InstanceStateName }[]): string {
  return list('instancesSet', changes, (c) => el('instanceId', c.id) + stateXml('currentState', c.current) + stateXml('previousState', c.previous), 'item');
}

const terminateInstances: Handler = (p, ctx) => {
  const instances = resolveInstances(ctx.world, requireIds(p));
  dryRunGate(p);
  const changes = instances.map((inst) => {
    const previous = inst.state;
    ctx.lifecycle.terminate(inst.instanceId);
    return { id: inst.instanceId, previous, current: inst.state };
  });
  return stateChanges(changes);
};

/** States StopInstances accepts: stopping or stopped instances answer with no change, as EC2 does. */
const STOPPABLE = new Set<InstanceStateName>(['running', 'stopping', 'stopped']);

const stopInstances: Handler = (p, ctx) => {
  const instances = resolveInstances(ctx.world, requireIds(p));
  for (const i of instances) {
    if (i.instanceLifecycle === 'spot') {
      throw new ApiError(
        'UnsupportedOperation',
        `You can't stop the Spot Instance '${i.instanceId}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`,
      );
    }
    if (i.rootDeviceType === 'instance-store') {
      throw new ApiError('UnsupportedOperation', `The instance '${i.instanceId}' does not have an 'ebs' root device type and cannot be stopped.`);
    }
    if (!STOPPABLE.has(i.state)) {
      throw new ApiError('IncorrectInstanceState', `The instance '${i.instanceId}' is not in a state from which it can be stopped.`);
    }
  }
  dryRunGate(p);
  const changes = instances.map((inst) => {
    const previous = inst.state;
    ctx.lifecycle.stop(inst.instanceId);
    return { id: inst.instanceId, previous, current: inst.state };
  });
  return stateChanges(changes);
};

/** States StartInstances accepts: pending or running instances answer with no change. */
const STARTABLE = new Set<InstanceStateName>(['stopped', 'pending', 'running']);

const startInstances: Handler = (p, ctx) => {
  const instances = resolveInstances(ctx.world, requireIds(p));
  const stuck = instances.find((i) => !STARTABLE.has(i.state));
  if (stuck) {
    throw new ApiError('IncorrectInstanceState', `The instance '${stuck.instanceId}' is not in a state from which it can be started.`);
  }
  dryRunGate(p);
  const changes = instances.map((inst) => {
    const previous = inst.state;
    ctx.lifecycle.start(inst.instanceId);
    return { id: inst.instanceId, previous, current: inst.state };
  });
  return stateChanges(changes);
};

export const INSTANCE_STATE_HANDLERS: Record<string, Handler> = {
  TerminateInstances: terminateInstances,
  StopInstances: stopInstances,
  StartInstances: startInstances,
};
