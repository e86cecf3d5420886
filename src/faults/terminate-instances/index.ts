/**
 * terminate-instances: terminates the planned instances with EC2 TerminateInstances, as an instance failure
 * would, and leaves the replacing to Auto Scaling — that is what is under test. Nothing to roll back and
 * nothing for `recover` to find; the victims are tagged with the experiment id first, so the console and
 * CloudTrail show who did it and why.
 */
import { checkTerminatePermission, terminateInstances } from '../../aws/ec2.js';
import { throwIfInterrupted } from '../../core/errors.js';
import { describeVictims, inGroupCondition, pickVictims, recheckVictims, tagVictims, tagVictimsStatement, victimList } from '../instance-victims.js';
import { REPLACEMENT_PROCESSES } from '../processes.js';
import { replacedFromFault } from '../recovery-estimate.js';
// Only the victims are the experiment's losses (issue 11: contaminated runs).
import { isVictim, victimIds } from '../instance-victims.js';
import type { Fault } from '../types.js';
import { meta } from './meta.js';
import { terminateFis } from './fis.js';

const KIND = meta.kind;

export const terminateInstancesFault: Fault = {
  ...meta,
  fis: terminateFis,
  processes: REPLACEMENT_PROCESSES,
  expectedRecovery: replacedFromFault,
  afterwards: 'nothing is left injected (terminated instances are replaced by Auto Scaling)',

  async plan(input) {
    const section = pickVictims(input, KIND);
    const ids = victimList(section.fault.targets);
    return { ...section, steps: [`tag ${ids} with chaos-ec2:experiment-id=${input.experimentId}`, `terminate ${ids} (EC2 TerminateInstances)`] };
  },

  describe: (p) => describeVictims(p),

  async checkPermissions(plan, clients) {
    return [
      await checkTerminatePermission(
        clients.ec2,
        plan.fault.targets.map((t) => t.instanceId),
      ),
    ];
  },

  recheck: (plan, fresh) => recheckVictims(plan, fresh),

  holdMs: () => 0,

  async inject(plan, ctx) {
    const ids = plan.fault.targets.map((t) => t.instanceId);
    await tagVictims(plan, ctx, 'terminate');
    await ctx.journal.record({ type: 'intent', action: 'ec2:TerminateInstances', resources: ids, undo: 'none: Auto Scaling replaces terminated instances' });
    // Checked after the journal's fsync, the last thing between the operator's Ctrl-C and a terminate.
    throwIfInterrupted(ctx.signal, 'terminating any instance');
    const result = await terminateInstances(ctx.clients.ec2, ids);
    const t0 = ctx.now();
    await ctx.journal.record({ type: 'done', action: 'ec2:TerminateInstances', resources: ids, result });
    return { t0 };
  },

  iam: ({ asg }) => [
    { Sid: 'TerminateAutoScalingInstances', Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: 'arn:aws:ec2:*:*:instance/*', Condition: inGroupCondition(asg) },
    tagVictimsStatement(asg),
  ],

  victims: victimIds,
  causedLoss: isVictim,

  // A terminated instance cannot be un-terminated: there is nothing to recover.
  recover: { find: async () => [], undo: async () => ({ complete: true, done: [], remaining: [] }) },
};
