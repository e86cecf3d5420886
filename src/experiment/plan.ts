/**
 * Planning: read-only. Checks the safety guards that don't need load (opt-in tag, steady capacity, floor),
 * asks the fault for its read-only section (targets, steps), and describes every step before anything happens. The same plan is
 * printed, confirmed, journaled and finally carried out — nothing is decided after confirmation.
 */
import { refused } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { faultFor } from '../faults/index.js';
import type { PlanInput } from '../faults/types.js';
import { OPT_IN_TAG, type RunConfig } from './config.js';
import type { Discovery } from './discover.js';
import { renderRoute, routeOf } from './route.js';
import { formatAz } from './safety.js';
import type { Plan } from './types.js';
import { transportPlanLines } from './probe-transport.js';
import { judgePreflight, renderPreflight } from './preflight.js';
import { readPreflight } from './preflight-reads.js';
import { beforeLine, planBefore } from './steady-capacity.js';

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
  const fault = faultFor(cfg.fault);
  const section = await fault.plan(input);
  // The plan is printed, journaled and copied into the report: it carries the URL with its secrets redacted.
  const url = redactUrl(d.url);
  const route = routeOf(d);
  const plan: Plan = {
    experimentId,
    account: d.identity.account,
    region: d.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    asg: d.group.name,
    url,
    ...(route ? { listener: route } : {}),
    fault: section.fault,
    seed: rng.seed,
    before: planBefore(snap),
    after: section.after,
    ...(transportPlanLines(cfg).length ? { probeNotes: transportPlanLines(cfg) } : {}),
    steps: [
      `probe ${url} at ${cfg.rate} req/s for a ${cfg.baselineMs / 1000}s baseline; stop if it is not steady`,
      ...section.steps,
      `keep probing and poll the group every ${cfg.pollMs / 1000}s until service and capacity recover (at most ${cfg.recoveryTimeoutMs / 1000}s)`,
    ],
  };
  // Preflight: judged on the plan (the hold is the fault's), shown with it, and refused after it is shown.
  const reads = await readPreflight(input.clients, d, input.now());
  plan.preflight = judgePreflight({ fault, group: d.group, reads, cfg, holdMs: fault.holdMs(plan) });
  return plan;
}

export function renderPlan(p: Plan, endpoint?: string): string {
  const lines = [
    `Experiment ${p.experimentId} — plan`,
    `  account   ${p.account}   region ${p.region}${endpoint ? `   endpoint ${endpoint}` : ''}`,
    ...(p.credentials ? [`  credentials  ${p.credentials}`] : []),
    `  group     ${p.asg}   ${beforeLine(p.before)}`,
    // The fault describes itself; its first line goes beside the label, the rest under it.
    ...faultFor(p.fault.kind)
      .describe(p)
      .map((l, i) => (Array.isArray(l) ? `  ${l[0].padEnd(8)}  ${l[1]}` : i === 0 ? `  fault     ${l}` : `            ${l}`)),
    // How the probe reaches the service (listener, rule, why) comes before the URL it builds.
    ...(p.listener ? renderRoute(p.listener) : []),
    `  probe     ${p.url}`,
    ...(p.probeNotes ?? []).map((l) => `            ${l}`),
    `  after     ${p.after.healthy} healthy remain (floor ${p.after.floor}; per AZ ≥ ${p.after.perAzFloor}: ${formatAz(p.after.healthyByAz)})`,
    ...(p.preflight ? renderPreflight(p.preflight) : []),
    '  steps',
    ...p.steps.map((s, i) => `    ${i + 1}. ${s}`),
  ];
  return lines.join('\n');
}
