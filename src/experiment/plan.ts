/**
 * Planning: read-only. Checks the safety guards that don't need load (opt-in tag, steady capacity, floor),
 * asks the fault for its read-only section (targets, steps), and describes every step before anything happens. The same plan is
 * printed, confirmed, journaled and finally carried out — nothing is decided after confirmation.
 */
import { refused } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { faultFor } from '../faults/index.js';
import type { PlanInput } from '../faults/types.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';
import { OPT_IN_TAG, type RunConfig } from './config.js';
import type { Discovery } from './discover.js';
import { formatAz } from './safety.js';
import type { Plan, SharedInterface } from './types.js';

/** The capacity half of the steady-state gate: every desired instance InService and healthy. */
export function capacityChecks(snap: CapacitySnapshot): { name: string; pass: boolean; detail: string }[] {
  const registered = [...snap.targets.values()].every((m) => m.size > 0);
  return [
    { name: 'in-service == desired', pass: snap.inService === snap.desired, detail: `${snap.inService}/${snap.desired} InService` },
    {
      name: 'all targets healthy',
      pass: registered && snap.healthy === snap.inService,
      detail: `${snap.healthy}/${snap.inService} healthy in every target group`,
    },
  ];
}

export function checkOptIn(d: Discovery, cfg: RunConfig): void {
  if (cfg.allowUntagged || d.group.tags[OPT_IN_TAG.key] === OPT_IN_TAG.value) return;
  throw refused(`Auto Scaling group '${d.group.name}' is not opted in to chaos experiments`, {
    phase: 'plan',
    target: d.group.name,
    hint: `tag it ${OPT_IN_TAG.key}=${OPT_IN_TAG.value}, or pass --allow-untagged`,
  });
}

/** The plan: the common frame (who, where, the probe) around the fault's own read-only section. */
export async function buildPlan(input: PlanInput): Promise<Plan> {
  const { experimentId, d, snap, cfg, rng } = input;
  const section = await faultFor(cfg.fault).plan(input);
  // The plan is printed, journaled and copied into the report: it carries the URL with its secrets redacted.
  const url = redactUrl(d.url);
  return {
    experimentId,
    account: d.identity.account,
    region: d.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    asg: d.group.name,
    url,
    fault: section.fault,
    seed: rng.seed,
    before: { desired: snap.desired, inService: snap.inService, healthy: snap.healthy, healthyByAz: snap.healthyByAz },
    after: section.after,
    steps: [
      `probe ${url} at ${cfg.rate} req/s for a ${cfg.baselineMs / 1000}s baseline; stop if it is not steady`,
      ...section.steps,
      `keep probing and poll the group every ${cfg.pollMs / 1000}s until service and capacity recover (at most ${cfg.recoveryTimeoutMs / 1000}s)`,
    ],
  };
}

export function renderPlan(p: Plan, endpoint?: string): string {
  const lines = [
    `Experiment ${p.experimentId} — plan`,
    `  account   ${p.account}   region ${p.region}${endpoint ? `   endpoint ${endpoint}` : ''}`,
    `  group     ${p.asg}   desired ${p.before.desired}, InService ${p.before.inService}, healthy ${p.before.healthy} (${formatAz(p.before.healthyByAz)})`,
    ...faultLines(p),
    `  probe     ${p.url}`,
    `  after     ${p.after.healthy} healthy remain (floor ${p.after.floor}; per AZ ≥ ${p.after.perAzFloor}: ${formatAz(p.after.healthyByAz)})`,
    '  steps',
    ...p.steps.map((s, i) => `    ${i + 1}. ${s}`),
  ];
  return lines.join('\n');
}

function faultLines(p: Plan): string[] {
  const bh = p.fault.blackhole;
  if (!bh) {
    return [`  fault     ${p.fault.kind}: ${p.fault.targets.length} instance(s), seed ${p.seed}`, ...p.fault.targets.map((t) => `              ${t.instanceId}  ${t.availabilityZone}`)];
  }
  const shared = bh.sharedInterfaces ?? [];
  return [
    `  fault     blackhole-az: ${bh.az} (${bh.azChosenBy === 'random' ? `picked with seed ${p.seed}` : '--az'}) for ${bh.durationMs / 1000}s, ${p.fault.targets.length} instance(s) inside`,
    ...bh.subnets.map((s) => `              ${s.subnetId}  ${s.role.padEnd(13)}  ${s.vpcId}  original NACL ${s.originalNaclId}`),
    ...(shared.length
      ? [
          `  shared    ${shared.length} network interface(s) in these subnets are not the group's and would be cut off too:`,
          ...shared.map((n) => `              ${n.networkInterfaceId}  ${n.subnetId}  ${describeInterface(n)}`),
        ]
      : []),
  ];
}

function describeInterface(n: SharedInterface): string {
  const who = n.instanceId ? `instance ${n.instanceId}` : n.requesterId ? `managed by ${n.requesterId}` : 'not attached to an instance';
  return [n.interfaceType, who, n.description ? `"${n.description}"` : ''].filter(Boolean).join(', ');
}

/** blackhole-az's blast-radius guard: interfaces that are not the group's refuse the run without the flag. */
export function checkSharedSubnets(p: Plan, cfg: Pick<RunConfig, 'allowSharedSubnets'>): void {
  const shared = p.fault.blackhole?.sharedInterfaces ?? [];
  if (shared.length === 0 || cfg.allowSharedSubnets) return;
  const subnets = [...new Set(shared.map((n) => n.subnetId))].sort();
  throw refused(`blast radius: ${shared.length} network interface(s) that are not the group's share ${subnets.join(', ')} and would be cut off too (${shared.map((n) => n.networkInterfaceId).join(', ')}); refused without --allow-shared-subnets`, {
    phase: 'plan',
    target: subnets.join(','),
    hint: 'move them out of the subnets, pick another AZ (--az), or pass --allow-shared-subnets if cutting them off is intended',
  });
}
