/**
 * What each FIS action does to the sandbox's world, through the same functions the EC2 API handlers use
 * (Lifecycle.terminate/stop/start as api/ec2-instance-state.ts calls them; World.associateNacl and a NACL made as
 * api/ec2-nacls.ts makes one), so the reconciler, the data plane and the ground-truth events see an FIS action exactly
 * as they see the same calls made by a client. Behaviour per the FIS actions reference
 * (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html):
 *
 * - aws:ec2:terminate-instances: terminates the instances (an Auto Scaling group replaces them as usual);
 *   completes when they are terminated.
 * - aws:ec2:stop-instances: stops them; with `startInstancesAfterDuration`, starts them again when it has passed.
 *   With `completeIfInstancesTerminated=true` an instance terminated meanwhile (a group replaces a stopped
 *   member: its EC2 health check fails) does not fail the action. Completes when stopped (or, with the
 *   restart, running again).
 * - aws:network:disrupt-connectivity, scope all: "denies all traffic entering and leaving the subnet", intra-subnet
 *   traffic still allowed. FIS clones the subnet's network ACL, adds deny rules, tags the clone managedByFIS=true
 *   (the tag its managed policy AWSFaultInjectionSimulatorNetworkAccess requires on CreateNetworkAcl and
 *   DeleteNetworkAcl), associates it for `duration`, then restores the original association and deletes the clone.
 *
 * The revert (end of duration, StopExperiment, a failure) runs on the sandbox's timers: no client is involved.
 */
import type { NetworkAcl, NetworkAclEntry } from '../world/types.js';
import type { World } from '../world/world.js';
import type { ActionRun, FisDeps, ResolvedTarget } from './types.js';
import { isoSeconds } from './validate.js';

/** What the engine asks of a running action. */
export interface ActionDriver {
  /** Makes the action's changes; throws an Error whose message becomes the action's failure reason. */
  start(): void;
  /** Called on every engine tick while the action runs. */
  poll(): 'running' | 'completed' | { failed: string };
  /** Undoes what is still in effect (StopExperiment, another action failed). Idempotent. */
  revert(): void;
}

const idsOf = (targets: ResolvedTarget[]) => targets.map((t) => t.id);

function terminateInstances(ctx: FisDeps, targets: ResolvedTarget[]): ActionDriver {
  const ids = idsOf(targets);
  return {
    start() {
      for (const id of ids) ctx.lifecycle.terminate(id);
    },
    poll() {
      return ids.every((id) => (ctx.world.instances.get(id)?.state ?? 'terminated') === 'terminated') ? 'completed' : 'running';
    },
    revert() {
      // Nothing to undo: a terminated instance stays terminated (FIS says the same of its own action).
    },
  };
}

function stopInstances(ctx: FisDeps, run: ActionRun, targets: ResolvedTarget[], secondMs: number): ActionDriver {
  const ids = idsOf(targets);
  const afterS = run.parameters.startInstancesAfterDuration ? isoSeconds(run.parameters.startInstancesAfterDuration) : undefined;
  const terminatedOk = run.parameters.completeIfInstancesTerminated === 'true';
  let restartAt: number | undefined;
  let restarted = false;
  const state = (id: string) => ctx.world.instances.get(id)?.state ?? 'terminated';
  const gone = (id: string) => state(id) === 'shutting-down' || state(id) === 'terminated';
  /** Starts every stopped instance; instances still stopping are picked up by a later call. */
  const restart = () => {
    for (const id of ids) if (state(id) === 'stopped') ctx.lifecycle.start(id);
    restarted = ids.every((id) => gone(id) || state(id) === 'pending' || state(id) === 'running');
  };
  return {
    start() {
      for (const id of ids) {
        const inst = ctx.world.instances.get(id);
        if (!inst || gone(id)) {
          if (terminatedOk) continue;
          throw new Error(`Instance ${id} is terminated`);
        }
        // The same refusals as StopInstances (api/ec2-instance-state.ts).
        if (inst.instanceLifecycle === 'spot') throw new Error(`Unable to stop Spot Instance ${id}: it is associated with a one-time Spot Instance request`);
        if (inst.rootDeviceType === 'instance-store') throw new Error(`Unable to stop instance ${id}: it does not have an 'ebs' root device type`);
      }
      for (const id of ids) ctx.lifecycle.stop(id);
      if (afterS !== undefined) restartAt = ctx.world.now() + afterS * secondMs;
    },
    poll() {
      const lost = ids.find((id) => gone(id));
      if (lost && !terminatedOk) return { failed: `Instance ${lost} was terminated while the action ran (set completeIfInstancesTerminated to true for Auto Scaling members)` };
      if (restartAt === undefined) return ids.every((id) => gone(id) || state(id) === 'stopped') ? 'completed' : 'running';
      if (ctx.world.now() < restartAt) return 'running';
      if (!restarted) restart();
      return ids.every((id) => gone(id) || state(id) === 'running') ? 'completed' : 'running';
    },
    revert() {
      // Only an action that was to start its instances again does so when stopped early: without
      // startInstancesAfterDuration, stopped instances stay stopped, as they would at the end.
      if (afterS === undefined || restarted) return;
      restart();
      if (!restarted) ctx.timers.after(ctx.timings.stopMs, () => restart());
    },
  };
}

/**
 * A custom NACL as CreateNetworkAcl makes it (api/ec2-nacls.ts createNacl: only the `*` deny rules), tagged at
 * creation as FIS tags its clone. Written here rather than imported, since the API layer imports the context,
 * which names this store.
 */
function createTaggedNacl(world: World, vpcId: string, tags: Record<string, string>): NetworkAcl {
  const star = (egress: boolean): NetworkAclEntry => ({ ruleNumber: 32767, protocol: '-1', ruleAction: 'deny', egress, cidrBlock: '0.0.0.0/0' });
  const acl: NetworkAcl = { networkAclId: world.newId('acl'), vpcId, isDefault: false, entries: [star(false), star(true)] };
  world.networkAcls.set(acl.networkAclId, acl);
  for (const [k, v] of Object.entries(tags)) world.setTag(acl.networkAclId, k, v);
  world.emit({ type: 'nacl-created', networkAclId: acl.networkAclId, vpcId });
  return acl;
}

/** Rule numbers of the clone's own entries; the original's entries keep theirs above them. */
const ALLOW_INTRA_SUBNET = 1;
const DENY_ALL = 2;

interface Swap {
  subnetId: string;
  originalAclId: string;
  cloneId: string;
}

function disruptConnectivity(ctx: FisDeps, run: ActionRun, targets: ResolvedTarget[], secondMs: number): ActionDriver {
  const { world } = ctx;
  const swaps: Swap[] = [];
  const seconds = isoSeconds(run.parameters.duration ?? 'PT1M') ?? 60;
  let endAt = Infinity;
  let restored = false;

  const restoreAll = () => {
    if (restored) return;
    restored = true;
    for (const s of swaps) {
      // Restores only what FIS put there: if someone re-associated the subnet meanwhile, theirs stays.
      if (world.naclAssociations.get(s.subnetId)?.networkAclId === s.cloneId) {
        const subnet = world.subnets.get(s.subnetId);
        const back = world.networkAcls.has(s.originalAclId) ? s.originalAclId : [...world.networkAcls.values()].find((a) => a.vpcId === subnet?.vpcId && a.isDefault)?.networkAclId;
        if (back) world.associateNacl(s.subnetId, back);
      }
      const clone = world.networkAcls.get(s.cloneId);
      if (clone && ![...world.naclAssociations.values()].some((a) => a.networkAclId === s.cloneId)) {
        world.networkAcls.delete(s.cloneId);
        world.tags.delete(s.cloneId);
        world.emit({ type: 'nacl-deleted', networkAclId: s.cloneId, vpcId: clone.vpcId });
      }
    }
  };

  return {
    start() {
      for (const t of targets) {
        const subnet = world.subnets.get(t.id);
        const original = world.naclOfSubnet(t.id);
        if (!subnet || !original) throw new Error(`Subnet ${t.id} has no network ACL association`);
        const clone = createTaggedNacl(world, subnet.vpcId, { managedByFIS: 'true' });
        const add = (e: NetworkAclEntry) => {
          clone.entries.push(e);
          world.emit({ type: 'nacl-entry', networkAclId: clone.networkAclId, change: 'created', ruleNumber: e.ruleNumber, egress: e.egress });
        };
        for (const egress of [false, true]) {
          add({ ruleNumber: ALLOW_INTRA_SUBNET, protocol: '-1', ruleAction: 'allow', egress, cidrBlock: subnet.cidrBlock });
          add({ ruleNumber: DENY_ALL, protocol: '-1', ruleAction: 'deny', egress, cidrBlock: '0.0.0.0/0' });
        }
        // The copy of the original's numbered rules: all of them come after the deny, so they no longer decide
        // anything for IPv4, but the clone reads like FIS's (the original plus deny rules).
        for (const e of original.entries) if (e.ruleNumber > DENY_ALL && e.ruleNumber < 32767) add({ ...e });
        world.associateNacl(t.id, clone.networkAclId);
        swaps.push({ subnetId: t.id, originalAclId: original.networkAclId, cloneId: clone.networkAclId });
      }
      endAt = world.now() + seconds * secondMs;
      // The end of the duration has its own timer so the revert is on time, not a tick late.
      ctx.timers.after(seconds * secondMs, () => restoreAll());
    },
    poll() {
      if (world.now() >= endAt) restoreAll();
      return restored ? 'completed' : 'running';
    },
    revert: restoreAll,
  };
}

export function driverFor(ctx: FisDeps, run: ActionRun, targets: ResolvedTarget[]): ActionDriver {
  const secondMs = ctx.timings.fisSecondMs;
  switch (run.actionId) {
    case 'aws:ec2:terminate-instances':
      return terminateInstances(ctx, targets);
    case 'aws:ec2:stop-instances':
      return stopInstances(ctx, run, targets, secondMs);
    case 'aws:network:disrupt-connectivity':
      return disruptConnectivity(ctx, run, targets, secondMs);
  }
}
