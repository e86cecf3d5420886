/**
 * Preflight, before the plan is confirmed: PURE judgement of what preflight-reads.ts read. A run that cannot
 * succeed on this group is refused (exit 3, nothing injected) instead of waiting out the recovery timeout and
 * blaming the service; what may slow or skew it is a warning in the plan. Every refusal says how to override
 * or fix it (README "Real groups: what chaos-ec2 checks before it starts").
 */
import { ACTIVE_REFRESH, LAUNCHING } from '../aws/autoscaling-reads.js';
import type { GroupSnapshot } from '../aws/autoscaling.js';
import { refused } from '../core/errors.js';
import { shortDuration as fmt } from '../core/short-duration.js';
import type { ExpectedRecovery, Fault } from '../faults/types.js';
import type { RunConfig } from './config.js';
import type { PreflightReads } from './preflight-reads.js';
import type { Plan, PlanPreflight } from './types.js';

/** Boot + application start when neither --boot-allowance nor the group's DefaultInstanceWarmup says. */
export const DEFAULT_BOOT_MS = 60_000;

export interface PreflightInput {
  fault: Pick<Fault, 'kind' | 'processes' | 'expectedRecovery'>;
  group: Pick<GroupSnapshot, 'name' | 'suspendedProcesses' | 'healthCheckType' | 'defaultInstanceWarmup'>;
  reads: PreflightReads;
  cfg: Pick<RunConfig, 'recoveryTimeoutMs' | 'bootAllowanceMs' | 'nlbRegistrationAllowanceMs' | 'allowShortTimeout' | 'allowSuspendedProcesses'>;
  holdMs: number;
}

export function bootAllowance(cfg: Pick<RunConfig, 'bootAllowanceMs'>, group: Pick<GroupSnapshot, 'defaultInstanceWarmup'>): { ms: number; source: string } {
  if (cfg.bootAllowanceMs !== undefined) return { ms: cfg.bootAllowanceMs, source: '--boot-allowance' };
  if (group.defaultInstanceWarmup) return { ms: group.defaultInstanceWarmup * 1000, source: "the group's DefaultInstanceWarmup" };
  return { ms: DEFAULT_BOOT_MS, source: 'the default --boot-allowance' };
}

export function judgePreflight(i: PreflightInput): PlanPreflight {
  const { fault, group: g, reads, cfg } = i;
  const warnings: string[] = [];
  const notes: string[] = [];
  const refusals: PlanPreflight['refusals'] = [];
  const G = g.name;

  const suspended = fault.processes.needs.filter((p) => g.suspendedProcesses.includes(p));
  if (suspended.length && cfg.allowSuspendedProcesses) {
    warnings.push(`process(es) ${fault.kind} needs are suspended on ${G}: ${suspended.join(', ')}; going on (--allow-suspended-processes): the group may never recover`);
  } else if (suspended.length) {
    refusals.push({
      reason: `Auto Scaling process(es) ${fault.kind} needs are suspended on ${G}: ${suspended.join(', ')} (the group could not replace what the fault takes away)`,
      hint: `resume them: aws autoscaling resume-processes --auto-scaling-group-name ${G} --scaling-processes ${suspended.join(' ')} (AWS suspends Launch itself after launches keep failing, an administrative suspension: fix the launch first); or pass --allow-suspended-processes to run anyway`,
    });
  }
  for (const p of fault.processes.warns.filter((x) => g.suspendedProcesses.includes(x))) {
    warnings.push(`process ${p} is suspended on ${G}: replacements launched in other AZs stay there after the fault (recovery is still measured)`);
  }

  for (const r of (reads.refreshes ?? []).filter((x) => ACTIVE_REFRESH.has(x.status))) {
    refusals.push({
      reason: `instance refresh ${r.id} is ${r.status} on ${G}${r.percentageComplete !== undefined ? ` (${r.percentageComplete}% complete)` : ''}: it replaces instances on its own`,
      hint: `wait for it to end (aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${G}), or cancel it: aws autoscaling cancel-instance-refresh --auto-scaling-group-name ${G}`,
    });
  }
  // One refusal for all of them (a warm pool filling has one activity per instance): each named, one hint.
  const busy = reads.activities ?? [];
  if (busy.length) {
    refusals.push({
      reason: `${busy.length === 1 ? 'a scaling activity is' : `${busy.length} scaling activities are`} in progress on ${G}: ${busy.map((a) => `${a.id} (${a.statusCode}): ${a.description}`).join('; ')}`,
      hint: `wait for ${busy.length === 1 ? 'it' : 'them'} to end: aws autoscaling describe-scaling-activities --auto-scaling-group-name ${G}`,
    });
  }

  const hooks = (reads.hooks ?? []).map((h) => ({ name: h.name, transition: h.transition, heartbeatTimeoutSeconds: h.heartbeatTimeoutSeconds, defaultResult: h.defaultResult }));
  // A launch hook holds each replacement in Pending:Wait until it is completed or its heartbeat times out:
  // the heartbeat is a ceiling, not the expected wait — but nothing guarantees the hook is ever completed.
  for (const h of hooks.filter((x) => x.transition === LAUNCHING && x.heartbeatTimeoutSeconds * 1000 > cfg.recoveryTimeoutMs)) {
    warnings.push(
      `launch hook '${h.name}' may hold each replacement in Pending:Wait up to its heartbeat timeout ${h.heartbeatTimeoutSeconds}s (then ${h.defaultResult}), longer than --recovery-timeout ${fmt(cfg.recoveryTimeoutMs)}: if nothing completes it, the run times out`,
    );
  }

  if (g.healthCheckType !== 'ELB') {
    if (!fault.processes.ec2HealthChecksSee) {
      // The fault leaves its instances running: with EC2 health checks the group never replaces them, so the
      // capacity side of the recovery is only the load balancer seeing the same targets healthy again.
      warnings.push(`HealthCheckType ${g.healthCheckType} on ${G}: the group never replaces instances the load balancer marks unhealthy`);
      notes.push(`capacity-side recovery measures load-balancer health only: HealthCheckType ${g.healthCheckType} never replaces instances the load balancer marks unhealthy`);
    } else {
      warnings.push(`HealthCheckType ${g.healthCheckType} on ${G}: the group replaces terminated or stopped instances, but not ones the load balancer marks unhealthy`);
    }
  }
  for (const action of reads.unsupported) warnings.push(`not checked: the endpoint does not implement ${action}`);

  const boot = bootAllowance(cfg, g);
  const estimate: ExpectedRecovery = fault.expectedRecovery({
    checks: reads.checks,
    bootMs: boot.ms,
    nlbRegistrationMs: cfg.nlbRegistrationAllowanceMs,
    healthCheckType: g.healthCheckType,
    holdMs: i.holdMs,
  });
  const expectedRecovery = { ...estimate, text: describeRecovery(estimate), boot };
  if (cfg.recoveryTimeoutMs < estimate.ms) {
    const short = `--recovery-timeout ${fmt(cfg.recoveryTimeoutMs)} is shorter than the expected earliest recovery ${expectedRecovery.text}`;
    if (cfg.allowShortTimeout) warnings.push(`${short}; going on (--allow-short-timeout)`);
    else {
      refusals.push({
        reason: short,
        hint: `give --recovery-timeout ${fmt(estimate.ms)} or more; if replacements boot faster than ${fmt(boot.ms)} (${boot.source}), lower --boot-allowance; or pass --allow-short-timeout`,
      });
    }
  }
  return { warnings, hooks, expectedRecovery, notes, refusals };
}

/** "~2m after the fault: boot 1m + first check 30s (a replacement launches, …)". */
export function describeRecovery(e: ExpectedRecovery): string {
  const terms = e.parts.map((p, n) => `${n === 0 ? '' : p.ms < 0 ? ' − ' : ' + '}${p.label} ${fmt(Math.abs(p.ms))}`).join('');
  return `~${fmt(e.ms)} after the ${e.from}${terms ? `: ${terms}` : ''} (${e.path})`;
}

/** Refuses (exit 3) with every preflight refusal at once; run after the plan is shown. */
export function checkPreflight(plan: Plan): void {
  const r = plan.preflight?.refusals ?? [];
  if (r.length === 0) return;
  throw refused(`preflight: ${r.map((x) => x.reason).join('; ')}`, { phase: 'plan', target: plan.asg, hint: r.map((x) => x.hint).join('; ') });
}

/** The plan's preflight lines. */
export function renderPreflight(p: PlanPreflight): string[] {
  return [
    `  recovery  expected earliest ${p.expectedRecovery.text}`,
    ...p.hooks.map((h) => `  hook      ${h.name}  ${h.transition.replace('autoscaling:', '')}  heartbeat ${h.heartbeatTimeoutSeconds}s, default result ${h.defaultResult}`),
    ...p.warnings.map((w) => `  warning   ${w}`),
    ...p.notes.map((n) => `  note      ${n}`),
    ...p.refusals.map((r) => `  REFUSED   ${r.reason}`),
  ];
}
