/**
 * stop-instances (AWS FIS parity: aws:ec2:stop-instances): stops random healthy members, as a host that
 * powers off would. Auto Scaling marks a member that left `running` unhealthy at once and replaces it (it
 * terminates the stopped instance and launches a new one) — that is what is under test. At the end of the
 * hold (--duration) the rollback starts every victim that is still stopped and still exists, so an instance the
 * group did not replace comes back as it was.
 *
 * Eligibility (EC2 user guide, "Stop and start Amazon EC2 instances"): Spot instances and instance-store-backed
 * instances cannot be stopped, so they are left out of the pick, and the plan says so.
 *
 * Safety invariants: the victims are tagged (experiment id, action, expiry) and the journal fsynced before the
 * stop; the rollback is registered BEFORE the StopInstances call, so a stop whose answer was lost is undone too;
 * `recover` finds stopped victims by their tags alone.
 */
import { StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { checkDryRun } from '../../aws/ec2.js';
import { describeInstancesById, stopInstances } from './ec2.js';
import { TAG_EXPERIMENT } from '../../aws/nacl.js';
import { throwIfInterrupted } from '../../core/errors.js';
import { describeVictims, healthyMembers, inGroupCondition, withCondition, pickVictims, recheckVictims, tagVictims, tagVictimsStatement, victimList } from '../instance-victims.js';
import { REPLACEMENT_PROCESSES } from '../processes.js';
import { replacedDuringHold } from '../recovery-estimate.js';
// Only the victims are the experiment's losses (issue 11: contaminated runs).
import { isVictim, victimIds } from '../instance-victims.js';
import type { Fault } from '../types.js';
import { meta } from './meta.js';
import { stopFis } from './fis.js';
import { findStoppedVictims, startStoppedVictims, undoStoppedVictims } from './start.js';

const KIND = meta.kind;

interface StopPlan {
  durationMs: number;
  /** Expiry margin added to now + duration for the chaos-ec2:expires-at tag (the recovery timeout). */
  expiryMarginMs: number;
  /** Members left out of the pick because EC2 cannot stop them, with the reason. */
  ineligible: { instanceId: string; reason: string }[];
}

const detailOf = (p: { fault: { detail?: unknown } }): StopPlan => p.fault.detail as StopPlan;

export const stopInstancesFault: Fault = {
  ...meta,
  fis: stopFis,
  processes: REPLACEMENT_PROCESSES,
  expectedRecovery: replacedDuringHold,
  afterwards: 'every victim still stopped was started again (the others were replaced by Auto Scaling)',

  async plan(input) {
    const members = healthyMembers(input.snap, input.cfg.az);
    const info = await describeInstancesById(
      input.clients.ec2,
      members.map((m) => m.instanceId),
      'plan',
    );
    const ineligible: StopPlan['ineligible'] = [];
    for (const m of members) {
      const i = info.get(m.instanceId);
      if (i?.lifecycle === 'spot') ineligible.push({ instanceId: m.instanceId, reason: 'Spot instance' });
      else if (i?.rootDeviceType === 'instance-store') ineligible.push({ instanceId: m.instanceId, reason: 'instance-store root volume' });
    }
    const candidates = members.filter((m) => !ineligible.some((x) => x.instanceId === m.instanceId));
    const section = pickVictims(input, KIND, candidates);
    const detail: StopPlan = { durationMs: input.cfg.durationMs, expiryMarginMs: input.cfg.recoveryTimeoutMs, ineligible };
    const ids = victimList(section.fault.targets);
    return {
      fault: { ...section.fault, detail },
      after: section.after,
      steps: [
        `tag ${ids} with chaos-ec2:experiment-id=${input.experimentId} and an expiry`,
        `stop ${ids} (EC2 StopInstances); Auto Scaling should mark them unhealthy and replace them`,
        `after ${input.cfg.durationMs / 1000}s, start every victim that is still stopped and still exists`,
        ...(ineligible.length ? [`left out (EC2 cannot stop them): ${ineligible.map((x) => `${x.instanceId} (${x.reason})`).join(', ')}`] : []),
      ],
    };
  },

  describe: (p) => {
    const d = detailOf(p);
    return describeVictims(p, [`held ${d.durationMs / 1000}s, then still-stopped victims are started`, ...d.ineligible.map((x) => `  not eligible: ${x.instanceId} (${x.reason})`)]);
  },

  async checkPermissions(plan, clients) {
    const ids = plan.fault.targets.map((t) => t.instanceId);
    return [
      await checkDryRun('StopInstances', () => clients.ec2.send(new StopInstancesCommand({ InstanceIds: ids, DryRun: true }))),
      await checkDryRun('StartInstances', () => clients.ec2.send(new StartInstancesCommand({ InstanceIds: ids, DryRun: true }))),
    ];
  },

  recheck: (plan, fresh) => recheckVictims(plan, fresh),

  holdMs: (plan) => detailOf(plan).durationMs,

  async inject(plan, ctx) {
    const ids = plan.fault.targets.map((t) => t.instanceId);
    const d = detailOf(plan);
    await tagVictims(plan, ctx, 'stop', new Date(ctx.now() + d.durationMs + d.expiryMarginMs).toISOString());
    // Registered before the stop call: if its answer is lost, the victims may be stopping all the same.
    ctx.registerRollback({
      description: `start the victims of ${plan.experimentId} that are still stopped (${ids.join(', ')})`,
      run: async () => {
        const r = await startStoppedVictims(ctx.clients.ec2, ids, 'rollback', async (action, detail) => {
          const err = await ctx.journal.tryRecord({ type: 'rollback-intent', action, ...detail });
          if (err) ctx.record({ atMs: ctx.now(), event: 'journal-write-failed', detail: `rollback-intent: ${err.message} (carrying on: the instances' tags are the undo record)` });
        });
        for (const line of r.actions ?? []) ctx.record({ atMs: ctx.now(), event: 'victim-restarted', detail: line });
        return r;
      },
    });
    await ctx.journal.record({ type: 'intent', action: 'ec2:StopInstances', resources: ids, undo: 'StartInstances on victims still stopped' });
    throwIfInterrupted(ctx.signal, 'stopping any instance');
    ctx.setDamage(ids.map((id) => `${id} being stopped (start it with StartInstances if it is still stopped)`));
    const result = await stopInstances(ctx.clients.ec2, ids, 'inject');
    const t0 = ctx.now();
    ctx.setDamage(ids.map((id) => `${id} stopped (start it with StartInstances if it is still stopped)`));
    await ctx.journal.record({ type: 'done', action: 'ec2:StopInstances', resources: ids, result });
    ctx.record({ atMs: t0, event: 'instances-stopped', detail: result.map((r) => `${r.instanceId}: ${r.previous} → ${r.current}`).join(', ') });
    return { t0 };
  },

  iam: ({ asg }) => [
    { Sid: 'StopAutoScalingInstances', Effect: 'Allow', Action: 'ec2:StopInstances', Resource: 'arn:aws:ec2:*:*:instance/*', Condition: inGroupCondition(asg) },
    {
      // Only instances chaos-ec2 tagged as its victims: the rollback and `recover` start nothing else.
      Sid: 'StartOnlyStoppedVictims',
      Effect: 'Allow',
      Action: 'ec2:StartInstances',
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: withCondition(inGroupCondition(asg), 'Null', { [`aws:ResourceTag/${TAG_EXPERIMENT}`]: 'false' }),
    },
    tagVictimsStatement(asg),
    {
      // Starting an instance whose EBS volumes are encrypted with a KMS key needs a grant for EC2 (EC2 user
      // guide, "Amazon EBS encryption": the caller needs kms:CreateGrant); only for AWS resources.
      Sid: 'StartInstancesWithEncryptedVolumes',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ],

  recover: { find: findStoppedVictims, undo: undoStoppedVictims },
  victims: victimIds,
  causedLoss: isVictim,
};
