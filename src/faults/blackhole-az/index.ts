/**
 * blackhole-az: cuts an Availability Zone off the network the way AWS FIS's disrupt-connectivity does — per
 * VPC one custom NACL with no allow rules (a fresh custom NACL denies everything, both directions), and each
 * target subnet's association swapped to it for the hold, then swapped back.
 *
 * Safety invariants, in order of the calls:
 * 1. the undo record exists before any association changes: the chaos NACL is created WITH its tags
 *    (TagSpecifications: experiment id, expires-at, and chaos-ec2:restore:<subnet>=<original NACL> for every
 *    target subnet), and the journal is fsynced before every mutation;
 * 2. the rollback is registered BEFORE the first create, and finds its NACLs by the experiment-id tag, so even
 *    a create whose answer was lost is undone;
 * 3. each subnet's association is read fresh right before its swap; if the subnet is no longer on the NACL
 *    seen at planning time, the run stops (and rolls back) instead of recording a wrong "original".
 */
import { CreateNetworkAclCommand, ReplaceNetworkAclAssociationCommand } from '@aws-sdk/client-ec2';
import { describeWarmPool } from '../../aws/autoscaling-reads.js';
import { checkDryRun } from '../../aws/ec2.js';
import { classicSubnetIds, isClassicArn } from '../../aws/elb-classic.js';
import { describeLoadBalancers } from '../../aws/elbv2.js';
import { elbInterfaceDescription, subnetInterfaces } from '../../aws/eni.js';
import { TAG_EXPERIMENT, TAG_EXPIRES, TAG_RESTORE_PREFIX, createTaggedNacl, currentAssociations, describeSubnets, replaceAssociation } from '../../aws/nacl.js';
import { refused, throwIfInterrupted } from '../../core/errors.js';
import { resolveFloor } from '../../experiment/safety.js';
import { checkAzFloor, pickAz } from './az.js';
import type { FaultTarget, Plan } from '../../experiment/types.js';
import { REPLACEMENT_PROCESSES } from '../processes.js';
import { reconnected } from '../recovery-estimate.js';
import type { Fault } from '../types.js';
import { meta } from './meta.js';
import { blackholeFis } from './fis.js';
import { blackholeIam } from './iam.js';
import { findChaosNacls, restoreChaosNacls } from './nacl-restore.js';
import { undoDryRunNacl } from './dry-run-leftover.js';
import { findBlackholes, undoBlackholes } from './recover.js';
import { blackholeView, buildBlackholeReport } from './report.js';
import { checkSharedSubnets, describeBlackhole } from './describe.js';
import { KIND, detailOf, type BlackholePlan, type BlackholeSubnet, type SharedInterface } from './types.js';

/** AWS allows 50 tags per resource; three are ours (Name, experiment id, expires-at), the rest restore records. */
export const MAX_SUBNETS_PER_VPC = 47;

/** The chaos NACL's tags: who made it, when it expires, and the undo record for each of the VPC's target subnets. */
export function chaosNaclTags(plan: Plan, vpc: string, expiresAt: string): Record<string, string> {
  const bh = detailOf(plan);
  const tags: Record<string, string> = { Name: `chaos-ec2-blackhole-${bh.az}`, [TAG_EXPERIMENT]: plan.experimentId, [TAG_EXPIRES]: expiresAt };
  for (const s of bh.subnets.filter((x) => x.vpcId === vpc)) tags[`${TAG_RESTORE_PREFIX}${s.subnetId}`] = s.originalNaclId;
  return tags;
}

const tagSpec = (tags: Record<string, string>) => [{ ResourceType: 'network-acl' as const, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }];

export const blackholeAzFault: Fault = {
  ...meta,
  fis: blackholeFis,
  // The cut-off instances keep running: EC2 status checks never see the outage, only the load balancer does.
  processes: { ...REPLACEMENT_PROCESSES, ec2HealthChecksSee: false },
  expectedRecovery: reconnected,
  afterwards: 'everything injected was rolled back (every subnet verified back on its original NACL, the chaos NACL deleted)',
  describe: describeBlackhole,
  checkPlan: checkSharedSubnets,
  buildReport: buildBlackholeReport,
  view: blackholeView,
  iam: blackholeIam,
  recover: { find: findBlackholes, undo: undoBlackholes },
  // Any member in the dark AZ: its health checks fail, and replacements launched into the AZ churn too.
  causedLoss: (plan, i) => i.availabilityZone === detailOf(plan).az,

  async plan({ d, snap, cfg, rng, clients, experimentId }) {
    const groupSubnets = await describeSubnets(clients.ec2, d.group.subnetIds, 'plan');
    const { az, chosenBy } = pickAz(
      groupSubnets.map((s) => s.availabilityZone),
      cfg.az,
      rng,
      snap.healthyByAz,
    );
    const floor = resolveFloor(snap.desired, cfg.minHealthy, cfg.minHealthyPerAz);
    const after = checkAzFloor(snap.healthyByAz, az, floor);
    const chosen: Omit<BlackholeSubnet, 'originalNaclId'>[] = groupSubnets.filter((s) => s.availabilityZone === az).map((s) => ({ ...s, role: 'instances' as const }));
    if (cfg.includeLbSubnets) {
      const lbs = await describeLoadBalancers(
        clients.elb,
        d.loadBalancers.filter((l) => !isClassicArn(l.arn)).map((l) => l.arn),
        'plan',
      );
      const ids = lbs.flatMap((l) => (l.AvailabilityZones ?? []).filter((z) => z.ZoneName === az && z.SubnetId).map((z) => z.SubnetId!));
      // Classic Load Balancers list their subnets without zones: all are described, the AZ's kept below.
      const classic = d.loadBalancers.filter((l) => isClassicArn(l.arn)).map((l) => l.name);
      if (classic.length) ids.push(...(await classicSubnetIds(clients.elbClassic, classic, 'plan')));
      const fresh = [...new Set(ids)].filter((id) => !chosen.some((c) => c.subnetId === id));
      for (const s of await describeSubnets(clients.ec2, fresh, 'plan')) if (s.availabilityZone === az) chosen.push({ ...s, role: 'load-balancer' });
    }
    // One describe gives each subnet's association and its NACL's tags (is it already a chaos NACL?).
    const assoc = await currentAssociations(
      clients.ec2,
      chosen.map((s) => s.subnetId),
      'plan',
    );
    const subnets: BlackholeSubnet[] = chosen.map((s) => {
      const a = assoc.get(s.subnetId);
      if (!a) throw refused(`subnet ${s.subnetId} has no network ACL association`, { phase: 'plan', target: s.subnetId });
      const owner = a.naclTags[TAG_EXPERIMENT];
      if (owner) {
        // Blackholing a subnet that is already on a chaos NACL would record the chaos NACL as "original".
        throw refused(`subnet ${s.subnetId} is already blackholed by experiment ${owner} (NACL ${a.networkAclId})`, {
          phase: 'plan',
          target: s.subnetId,
          hint: `run: chaos-ec2 recover --experiment-id ${owner} --yes`,
        });
      }
      return { ...s, originalNaclId: a.networkAclId };
    });
    const vpcs = [...new Set(subnets.map((s) => s.vpcId))].sort();
    for (const vpc of vpcs) {
      const n = subnets.filter((s) => s.vpcId === vpc).length;
      if (n > MAX_SUBNETS_PER_VPC) throw refused(`${n} subnets in ${vpc}: more than the ${MAX_SUBNETS_PER_VPC} a chaos NACL can carry restore tags for`, { phase: 'plan' });
    }
    const targets: FaultTarget[] = [...snap.instances.values()]
      .filter((i) => i.availabilityZone === az && i.lifecycleState === 'InService')
      .map((i) => ({ instanceId: i.instanceId, availabilityZone: az }))
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    // Blast radius: the swap cuts off every interface in these subnets. Anything that is not the group's own
    // (its instances; its load balancer's nodes when --include-lb-subnets asked for them) is shown in the plan,
    // and the run refuses unless --allow-shared-subnets (checkPlan, describe.ts).
    const own = new Set(snap.instances.keys());
    // Warm-pool instances (Warmed:Stopped/Running/Hibernated) sit in the group's subnets without being members:
    // they are the group's own all the same, never someone else's in the blast radius.
    if (d.group.warmPool) for (const i of (await describeWarmPool(clients.asg, d.group.name, 'plan'))?.instances ?? []) own.add(i.instanceId);
    const ownLb = new Set(cfg.includeLbSubnets ? d.loadBalancers.map((l) => elbInterfaceDescription(l.arn)) : []);
    const sharedInterfaces: SharedInterface[] = (
      await subnetInterfaces(
        clients.ec2,
        subnets.map((s) => s.subnetId),
        'plan',
      )
    )
      .filter((n) => !(n.instanceId && own.has(n.instanceId)) && !ownLb.has(n.description))
      .sort((a, b) => a.subnetId.localeCompare(b.subnetId) || a.networkInterfaceId.localeCompare(b.networkInterfaceId));
    const list = subnets.map((s) => `${s.subnetId} (${s.role}, now on ${s.originalNaclId})`).join(', ');
    const detail: BlackholePlan = { az, azChosenBy: chosenBy, durationMs: cfg.durationMs, expiryMarginMs: cfg.recoveryTimeoutMs, subnets, vpcs, sharedInterfaces };
    return {
      fault: { kind: KIND, selection: { az }, targets, detail },
      after: { healthy: after.healthy, healthyByAz: after.healthyByAz, floor: floor.minHealthy, perAzFloor: floor.minHealthyPerAz },
      steps: [
        `create a deny-all network ACL in ${vpcs.join(', ')}, tagged ${TAG_EXPERIMENT}=${experimentId}, ${TAG_EXPIRES}, and ${TAG_RESTORE_PREFIX}<subnet>=<original NACL> for each subnet`,
        `cut off ${az} (${chosenBy === 'random' ? 'picked with the seed' : '--az'}): associate ${list} with it`,
        `hold for ${cfg.durationMs / 1000}s while probing (abort early if the stop condition fires)`,
        'restore every subnet to its original NACL, verify with a fresh describe, delete the chaos NACL',
      ],
    };
  },

  async checkPermissions(plan, clients, now) {
    const bh = detailOf(plan);
    const first = bh.subnets[0];
    const checks = [];
    // The DryRun create carries the real tags: should an endpoint ignore DryRun and create the NACL anyway,
    // it is tagged with this experiment (and expires), so it is found, deleted and verified gone at once
    // (dry-run-leftover.ts) — and `recover` finds it should that fail.
    const expiresAt = new Date(now() + bh.durationMs + bh.expiryMarginMs).toISOString();
    for (const vpc of bh.vpcs) {
      const TagSpecifications = tagSpec(chaosNaclTags(plan, vpc, expiresAt));
      const check = await checkDryRun(
        'CreateNetworkAcl',
        () => clients.ec2.send(new CreateNetworkAclCommand({ VpcId: vpc, TagSpecifications, DryRun: true })),
        undoDryRunNacl(clients.ec2, vpc, plan.experimentId),
      );
      checks.push(check);
      // An endpoint that carried out one DryRun mutation gets no more of them.
      if (check.executed) return checks;
    }
    if (first) {
      const cur = (await currentAssociations(clients.ec2, [first.subnetId], 'plan')).get(first.subnetId);
      // Swapping a subnet to the NACL it is already on is a harmless probe of the permission.
      if (cur) {
        checks.push(
          await checkDryRun('ReplaceNetworkAclAssociation', () =>
            clients.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: cur.associationId, NetworkAclId: cur.networkAclId, DryRun: true })),
          ),
        );
      }
    }
    return checks;
  },

  async recheck(plan, fresh) {
    const bh = detailOf(plan);
    checkAzFloor(fresh.healthyByAz, bh.az, { minHealthy: plan.after.floor, minHealthyPerAz: plan.after.perAzFloor });
  },

  holdMs: (plan) => detailOf(plan).durationMs,

  async inject(plan, ctx) {
    const bh = detailOf(plan);
    const { ec2 } = ctx.clients;
    const id = plan.experimentId;
    const expiresAt = new Date(ctx.now() + bh.durationMs + bh.expiryMarginMs).toISOString();
    const chaos = new Map<string, string>();
    const moved: BlackholeSubnet[] = [];
    const damageItems = () => [
      ...[...chaos].map(([vpc, acl]) => `chaos NACL ${acl} in ${vpc}`),
      ...moved.map((s) => `${s.subnetId} (${s.availabilityZone}, ${s.role}) on ${chaos.get(s.vpcId)}; original NACL ${s.originalNaclId}`),
    ];
    const damage = () => ctx.setDamage(damageItems());
    ctx.registerRollback({
      description: `restore ${bh.subnets.map((s) => s.subnetId).join(', ')} to their original NACLs and delete the chaos NACL(s) of ${id}`,
      async run() {
        // Journal writes here are best effort: a full disk must never stand between the AZ and its restore.
        const note = async (entry: Parameters<typeof ctx.journal.record>[0]) => {
          const err = await ctx.journal.tryRecord(entry);
          if (err) ctx.record({ atMs: ctx.now(), event: 'journal-write-failed', detail: `${String(entry.type)}: ${err.message} (carrying on: the NACL's tags are the undo record)` });
        };
        const nacls = await findChaosNacls(ec2, 'rollback', id);
        const result = await restoreChaosNacls(ec2, nacls, {
          phase: 'rollback',
          now: ctx.now,
          beforeMutation: (action, detail) => note({ type: 'rollback-intent', action, ...detail }),
          onChange: (c) => ctx.record({ atMs: ctx.now(), event: 'association-restored', subnetId: c.subnetId, detail: `${c.subnetId}: ${c.fromNaclId} → ${c.toNaclId}` }),
        });
        await note({ type: result.complete ? 'rollback-done' : 'rollback-failed', remaining: result.remaining });
        return result;
      },
    });

    for (const vpc of bh.vpcs) {
      const tags = chaosNaclTags(plan, vpc, expiresAt);
      await ctx.journal.record({ type: 'intent', action: 'ec2:CreateNetworkAcl', vpcId: vpc, tags });
      throwIfInterrupted(ctx.signal, `creating the chaos NACL in ${vpc}`);
      // Said before the call: if the operator insists on exiting while it is in flight, the NACL may exist.
      ctx.setDamage([...damageItems(), `a chaos NACL being created in ${vpc} (tagged ${TAG_EXPERIMENT}=${id}; it may exist)`]);
      const acl = await createTaggedNacl(ec2, vpc, tags, 'inject');
      chaos.set(vpc, acl);
      await ctx.journal.record({ type: 'done', action: 'ec2:CreateNetworkAcl', vpcId: vpc, networkAclId: acl });
      ctx.record({ atMs: ctx.now(), event: 'nacl-created', networkAclId: acl, detail: `chaos NACL ${acl} in ${vpc}, expires ${expiresAt}` });
      damage();
    }

    for (const s of bh.subnets) {
      const cur = (await currentAssociations(ec2, [s.subnetId], 'inject')).get(s.subnetId);
      if (!cur || cur.networkAclId !== s.originalNaclId) {
        throw refused(`subnet ${s.subnetId} moved from ${s.originalNaclId} to ${cur?.networkAclId ?? 'nothing'} since planning; stopping`, { phase: 'inject', target: s.subnetId });
      }
      const to = chaos.get(s.vpcId)!;
      await ctx.journal.record({ type: 'intent', action: 'ec2:ReplaceNetworkAclAssociation', subnetId: s.subnetId, associationId: cur.associationId, from: cur.networkAclId, to });
      throwIfInterrupted(ctx.signal, `swapping ${s.subnetId} to the chaos NACL`);
      ctx.setDamage([...damageItems(), `${s.subnetId} (${s.availabilityZone}, ${s.role}) being swapped to ${to} (it may be); original NACL ${s.originalNaclId}`]);
      const newAssociationId = await replaceAssociation(ec2, cur.associationId, to, s.subnetId, 'inject');
      const at = ctx.now();
      moved.push(s);
      await ctx.journal.record({ type: 'done', action: 'ec2:ReplaceNetworkAclAssociation', subnetId: s.subnetId, newAssociationId });
      ctx.record({
        atMs: at,
        event: 'association-replaced',
        subnetId: s.subnetId,
        availabilityZone: s.availabilityZone,
        change: { subnetId: s.subnetId, purpose: 'inject', fromNaclId: cur.networkAclId, toNaclId: to, associationId: cur.associationId, newAssociationId, at: new Date(at).toISOString() },
        detail: `${s.subnetId} (${s.role}): ${cur.networkAclId} → ${to}`,
      });
      damage();
    }
    return { t0: ctx.now() };
  },
};
