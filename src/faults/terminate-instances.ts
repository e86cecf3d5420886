/**
 * terminate-instances: terminates the planned instances with EC2 TerminateInstances, as an instance failure
 * would, and leaves the replacing to Auto Scaling — that is what is under test. Nothing to roll back; the
 * victims are tagged with the experiment id first, so the console and CloudTrail show who did it and why.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { call } from '../aws/errors.js';
import { checkTerminatePermission, terminateInstances } from '../aws/ec2.js';
import { ExitCode, refused, throwIfInterrupted } from '../core/errors.js';
import { checkFloorAfter, formatAz, resolveFloor, selectWithinFloor, selectionSize } from '../experiment/safety.js';
import type { FaultTarget } from '../experiment/types.js';
import type { Fault } from './types.js';

export const terminateInstancesFault: Fault = {
  kind: 'terminate-instances',

  async plan({ d, snap, cfg, rng, experimentId }) {
    const candidates: FaultTarget[] = [];
    for (const [id, i] of snap.instances) {
      if (i.lifecycleState !== 'InService' || i.healthStatus !== 'Healthy') continue;
      if (![...snap.targets.values()].every((m) => m.get(id) === 'healthy')) continue;
      if (cfg.az && i.availabilityZone !== cfg.az) continue;
      candidates.push({ instanceId: id, availabilityZone: i.availabilityZone });
    }
    // Sort first so the seeded pick does not depend on the order the API listed instances in.
    candidates.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    if (cfg.az && candidates.length === 0) {
      throw refused(`no healthy InService instance of '${d.group.name}' in ${cfg.az}`, {
        phase: 'plan',
        hint: `the group's AZs: ${formatAz(snap.healthyByAz) || 'none healthy'}`,
      });
    }
    const selection = { ...(cfg.count !== undefined ? { count: cfg.count } : {}), ...(cfg.percent !== undefined ? { percent: cfg.percent } : {}), ...(cfg.az ? { az: cfg.az } : {}) };
    const k = selectionSize(candidates.length, cfg.count === undefined && cfg.percent === undefined ? { count: 1 } : selection);
    const floor = resolveFloor(snap.desired, cfg.minHealthy, cfg.minHealthyPerAz);
    const picked = selectWithinFloor(candidates, snap.healthyByAz, k, floor, rng);
    const ids = picked.targets.map((t) => `${t.instanceId} (${t.availabilityZone})`).join(', ');
    return {
      fault: { kind: 'terminate-instances', selection, targets: picked.targets },
      after: { ...picked.after, floor: floor.minHealthy, perAzFloor: floor.minHealthyPerAz },
      steps: [`tag ${ids} with chaos-ec2:experiment-id=${experimentId}`, `terminate ${ids} (EC2 TerminateInstances)`],
    };
  },

  async checkPermissions(plan, clients) {
    return [await checkTerminatePermission(clients.ec2, plan.fault.targets.map((t) => t.instanceId))];
  },

  async recheck(plan, fresh) {
    const gone = plan.fault.targets.filter((t) => fresh.instances.get(t.instanceId)?.lifecycleState !== 'InService');
    if (gone.length) throw refused(`the group changed since planning: ${gone.map((t) => t.instanceId).join(', ')} no longer InService`, { phase: 'inject' });
    checkFloorAfter(fresh.healthyByAz, plan.fault.targets, { minHealthy: plan.after.floor, minHealthyPerAz: plan.after.perAzFloor });
  },

  holdMs: () => 0,

  async inject(plan, ctx) {
    const ids = plan.fault.targets.map((t) => t.instanceId);
    await ctx.journal.record({ type: 'intent', action: 'ec2:CreateTags', resources: ids });
    throwIfInterrupted(ctx.signal, 'tagging the instances');
    await call('CreateTags', { phase: 'inject', target: ids.join(','), exitCode: ExitCode.AwsError }, () =>
      ctx.clients.ec2.send(
        new CreateTagsCommand({
          Resources: ids,
          Tags: [
            { Key: 'chaos-ec2:experiment-id', Value: plan.experimentId },
            { Key: 'chaos-ec2:action', Value: 'terminate' },
          ],
        }),
      ),
    );
    await ctx.journal.record({ type: 'done', action: 'ec2:CreateTags', resources: ids });
    await ctx.journal.record({ type: 'intent', action: 'ec2:TerminateInstances', resources: ids, undo: 'none: Auto Scaling replaces terminated instances' });
    // Checked after the journal's fsync, the last thing between the operator's Ctrl-C and a terminate.
    throwIfInterrupted(ctx.signal, 'terminating any instance');
    const result = await terminateInstances(ctx.clients.ec2, ids);
    const t0 = ctx.now();
    await ctx.journal.record({ type: 'done', action: 'ec2:TerminateInstances', resources: ids, result });
    return { t0 };
  },
};
