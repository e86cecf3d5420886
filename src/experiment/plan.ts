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
import { routeOf, type Discovery } from './discover.js';
import { formatAz } from './safety.js';
import type { ListenerRoute, Plan } from './types.js';

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

/**
 * A forward that sends the group no traffic (weight 0) makes any probe pass while the group under test is
 * idle: refused here, in planning, so it is reported like every refusal (exit 3, nothing injected).
 */
export function checkTraffic(d: Discovery): void {
  if (d.refusal) throw refused(d.refusal.reason, { phase: 'plan', target: d.group.name, hint: d.refusal.hint });
}

/** The plan: the common frame (who, where, the probe) around the fault's own read-only section. */
export async function buildPlan(input: PlanInput): Promise<Plan> {
  const { experimentId, d, snap, cfg, rng } = input;
  checkTraffic(d);
  const section = await faultFor(cfg.fault).plan(input);
  // The plan is printed, journaled and copied into the report: it carries the URL with its secrets redacted.
  const url = redactUrl(d.url);
  const route = routeOf(d);
  return {
    experimentId,
    account: d.identity.account,
    region: d.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    asg: d.group.name,
    url,
    ...(route ? { listener: route } : {}),
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
    // The fault describes itself; its first line goes beside the label, the rest under it.
    ...faultFor(p.fault.kind)
      .describe(p)
      .map((l, i) => (Array.isArray(l) ? `  ${l[0].padEnd(8)}  ${l[1]}` : i === 0 ? `  fault     ${l}` : `            ${l}`)),
    `  probe     ${p.url}`,
    ...(p.listener ? renderRoute(p.listener) : []),
    `  after     ${p.after.healthy} healthy remain (floor ${p.after.floor}; per AZ ≥ ${p.after.perAzFloor}: ${formatAz(p.after.healthyByAz)})`,
    '  steps',
    ...p.steps.map((s, i) => `    ${i + 1}. ${s}`),
  ];
  return lines.join('\n');
}

/** The plan's lines on how the probe reaches the service: load balancer, listener, rule and why, weight, skips. */
export function renderRoute(r: ListenerRoute): string[] {
  const rule = r.rule.priority === 'default' ? 'default action' : `rule ${r.rule.priority}`;
  const conditions = r.rule.conditions.length ? ` [${r.rule.conditions.join(', ')}]` : '';
  const lines = [`  via       ${r.loadBalancer} (${r.type}, ${r.scheme}) ${r.listener} ${rule}${conditions}`, `            why: ${r.rule.why}`];
  if (r.host) lines.push(`            Host and SNI: ${r.host}`);
  if (r.probeProtocol === 'tcp')
    lines.push(`            connect-only probe (--probe tcp)${r.listener.startsWith('TLS') ? ': the NLB terminates TLS, so the handshake proves the load balancer, not the target' : ''}`);
  if (r.weight) lines.push(`            weighted forward: the group gets ${r.weight.weight} of ${r.weight.total} (${formatShare(r.weight.share)} of this rule's traffic)`);
  if (r.scheme === 'internal') lines.push('            internal load balancer: it answers only inside its VPC (run chaos-ec2 from there, or pass --url)');
  for (const s of r.skipped) {
    const what = s.rule === 'default' ? 'default action' : `rule ${s.rule}`;
    lines.push(`            skipped ${s.loadBalancer} ${s.listener} ${what}${s.conditions.length ? ` [${s.conditions.join(', ')}]` : ''}: ${s.reason}`);
  }
  return lines;
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
