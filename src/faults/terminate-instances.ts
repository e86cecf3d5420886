/**
 * terminate-instances: terminates the planned instances with EC2 TerminateInstances, as an instance failure
 * would, and leaves the replacing to Auto Scaling — that is what is under test. Nothing to roll back; the
 * victims are tagged with the experiment id first, so the console and CloudTrail show who did it and why.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { call } from '../aws/errors.js';
import { terminateInstances } from '../aws/ec2.js';
import { ExitCode } from '../core/errors.js';
import type { Fault } from './types.js';

export const terminateInstancesFault: Fault = {
  kind: 'terminate-instances',
  async inject(plan, ctx) {
    const ids = plan.fault.targets.map((t) => t.instanceId);
    await ctx.journal.record({ type: 'intent', action: 'ec2:CreateTags', resources: ids });
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
    const result = await terminateInstances(ctx.clients.ec2, ids);
    const t0 = ctx.now();
    await ctx.journal.record({ type: 'done', action: 'ec2:TerminateInstances', resources: ids, result });
    return { t0 };
  },
};
