/**
 * Planning: read-only. Checks the safety guards that don't need load (opt-in tag, steady capacity, floor),
 * picks the victims with the seeded RNG, and describes every step before anything happens. The same plan is
 * printed, confirmed, journaled and finally carried out — nothing is decided after confirmation.
 */
import { refused } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';
import { OPT_IN_TAG, type RunConfig } from './config.js';
import type { Discovery } from './discover.js';
import { formatAz, resolveFloor, selectWithinFloor, selectionSize } from './safety.js';
import type { FaultTarget, Plan } from './types.js';

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

export function buildPlan(experimentId: string, d: Discovery, snap: CapacitySnapshot, cfg: RunConfig, rng: Rng): Plan {
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
    experimentId,
    account: d.identity.account,
    region: d.region,
    asg: d.group.name,
    url: d.url,
    fault: { kind: cfg.fault, selection, targets: picked.targets },
    seed: rng.seed,
    before: { desired: snap.desired, inService: snap.inService, healthy: snap.healthy, healthyByAz: snap.healthyByAz },
    after: { ...picked.after, floor: floor.minHealthy, perAzFloor: floor.minHealthyPerAz },
    steps: [
      `probe ${d.url} at ${cfg.rate} req/s for a ${cfg.baselineMs / 1000}s baseline; stop if it is not steady`,
      `tag ${ids} with chaos-ec2:experiment-id=${experimentId}`,
      `terminate ${ids} (EC2 TerminateInstances)`,
      `keep probing and poll the group every ${cfg.pollMs / 1000}s until service and capacity recover (at most ${cfg.recoveryTimeoutMs / 1000}s)`,
    ],
  };
}

export function renderPlan(p: Plan, endpoint?: string): string {
  const lines = [
    `Experiment ${p.experimentId} — plan`,
    `  account   ${p.account}   region ${p.region}${endpoint ? `   endpoint ${endpoint}` : ''}`,
    `  group     ${p.asg}   desired ${p.before.desired}, InService ${p.before.inService}, healthy ${p.before.healthy} (${formatAz(p.before.healthyByAz)})`,
    `  fault     ${p.fault.kind}: ${p.fault.targets.length} instance(s), seed ${p.seed}`,
    ...p.fault.targets.map((t) => `              ${t.instanceId}  ${t.availabilityZone}`),
    `  probe     ${p.url}`,
    `  after     ${p.after.healthy} healthy remain (floor ${p.after.floor}; per AZ ≥ ${p.after.perAzFloor}: ${formatAz(p.after.healthyByAz)})`,
    '  steps',
    ...p.steps.map((s, i) => `    ${i + 1}. ${s}`),
  ];
  return lines.join('\n');
}
