/**
 * The experiment, phase by phase: discover → steady capacity → plan → confirm (or dry run) → baseline probe
 * window → journal → inject → observe → recovery → report. Nothing mutates AWS before the plan is confirmed
 * and the baseline is steady; every refusal ends with a report saying why and nothing injected.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import { checkTerminatePermission, type PermissionCheck } from '../aws/ec2.js';
import { ChaosError, ExitCode, refused } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import { faultFor } from '../faults/index.js';
import { snapshotCapacity, type CapacitySnapshot } from '../observe/capacity-watch.js';
import type { SecondSummary } from '../observe/buckets.js';
import { LoadProbe } from '../observe/load-probe.js';
import type { RunConfig } from './config.js';
import { discover, type Discovery } from './discover.js';
import { Journal } from './journal.js';
import { observe } from './observe.js';
import { buildPlan, capacityChecks, checkOptIn } from './plan.js';
import { ReportBuilder } from './report-builder.js';
import type { Plan, Report, TimelineEntry } from './types.js';

export type RunEvent =
  | { type: 'phase'; phase: string }
  | { type: 'plan'; plan: Plan }
  | { type: 'timeline'; entry: TimelineEntry }
  | { type: 'second'; second: SecondSummary; capacity: CapacitySnapshot | undefined };

export interface RunDeps {
  clients: AwsClients;
  now: () => number;
  rng: Rng;
  /** Aborted on SIGINT/SIGTERM: the run stops observing, rolls back, reports, exits 130. */
  signal: AbortSignal;
  emit: (e: RunEvent) => void;
  /** Asks the operator; resolves false to refuse. Not called with --yes or --dry-run. */
  confirm: (plan: Plan) => Promise<boolean>;
  version: string;
}

export interface RunOutcome {
  exitCode: number;
  report?: Report;
  plan?: Plan;
  permissions?: PermissionCheck[];
}

export function newExperimentId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `exp-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function runExperiment(cfg: RunConfig, deps: RunDeps): Promise<RunOutcome> {
  deps.emit({ type: 'phase', phase: 'discover' });
  const d = await discover(deps.clients, { asg: cfg.asg, ...(cfg.url ? { url: cfg.url } : {}), path: cfg.path });
  const id = newExperimentId(deps.now());
  const rb = new ReportBuilder(id, cfg, d, deps);
  const snap = await snapshotCapacity(deps.clients, { asgName: cfg.asg, targetGroupArns: d.group.targetGroupArns, now: deps.now });
  rb.setBaselineCapacity(snap);
  try {
    checkOptIn(d, cfg);
    const checks = capacityChecks(snap);
    rb.addSteadyChecks(checks);
    const failing = checks.filter((c) => !c.pass);
    if (failing.length) {
      throw refused(`steady state not met before injecting: ${failing.map((c) => c.detail).join('; ')}`, {
        phase: 'steady-state',
        target: cfg.asg,
        hint: 'wait for the group to be fully InService and healthy, then run again',
      });
    }
    const plan = buildPlan(id, d, snap, cfg, deps.rng);
    rb.setPlan(plan);
    deps.emit({ type: 'plan', plan });
    if (cfg.dryRun) {
      const perm = await checkTerminatePermission(deps.clients.ec2, plan.fault.targets.map((t) => t.instanceId));
      const exitCode = perm.allowed ? ExitCode.Ok : ExitCode.AwsError;
      return { exitCode, plan, permissions: [perm] };
    }
    if (!cfg.yes && !(await deps.confirm(plan))) {
      throw refused('not confirmed; nothing was changed', { phase: 'confirm', hint: 'pass --yes to run without a prompt (required when stdin is not a TTY)' });
    }
    return await execute(cfg, deps, d, plan, rb);
  } catch (err) {
    if (err instanceof ChaosError && (err.exitCode === ExitCode.Refused || err.exitCode === ExitCode.AwsError)) {
      // Refused or failed before anything was injected: still a report, so the reason is on record.
      const report = rb.finish({ verdict: err.exitCode === ExitCode.Refused ? 'aborted' : 'error', exitCode: err.exitCode, reason: err.message });
      return { exitCode: err.exitCode, report };
    }
    throw err;
  }
}

async function execute(cfg: RunConfig, deps: RunDeps, d: Discovery, plan: Plan, rb: ReportBuilder): Promise<RunOutcome> {
  const journal = await Journal.open(join(cfg.reportDir, plan.experimentId), plan.experimentId);
  await journal.record({ type: 'plan', plan });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  // Bounded by construction: the probe can never outlive baseline + recovery timeout + a margin.
  const probe = new LoadProbe({
    url: d.url,
    rate: cfg.rate,
    timeoutMs: cfg.timeoutMs,
    method: cfg.method,
    headers: cfg.headers,
    ...(cfg.expectStatus ? { expectStatus: cfg.expectStatus } : {}),
    durationMs: cfg.baselineMs + cfg.recoveryTimeoutMs + cfg.steadyMs + 30_000,
    signal: stop.signal,
  });
  const probeDone = probe.run();
  try {
    deps.emit({ type: 'phase', phase: 'baseline' });
    rb.mark('baseline-started', deps.now(), `probing ${d.url} at ${cfg.rate} req/s`);
    const baseline = await rb.collectBaseline(probe, cfg, stop.signal);
    if (deps.signal.aborted) return await finishInterrupted(rb, journal, probe, probeDone, 'interrupted during the baseline; nothing was injected');
    if (!baseline.pass) {
      throw refused(`baseline not steady: ${baseline.detail}`, { phase: 'steady-state', hint: 'fix the service or loosen --steady-error-rate / --steady-p99' });
    }
    // Re-check right before acting: the plan's instances must still be InService and healthy.
    const fresh = await snapshotCapacity(deps.clients, { asgName: cfg.asg, targetGroupArns: d.group.targetGroupArns, now: deps.now });
    const gone = plan.fault.targets.filter((t) => fresh.instances.get(t.instanceId)?.lifecycleState !== 'InService');
    if (gone.length) throw refused(`the group changed since planning: ${gone.map((t) => t.instanceId).join(', ')} no longer InService`, { phase: 'inject' });

    deps.emit({ type: 'phase', phase: 'inject' });
    const fault = faultFor(plan.fault.kind);
    const injection = await fault.inject(plan, { clients: deps.clients, journal, now: deps.now });
    probe.markFrom(injection.t0);
    rb.setInjected(injection.t0);
    deps.emit({ type: 'phase', phase: 'observe' });
    const result = await observe({ cfg, deps, d, probe, baseline: fresh, t0: injection.t0, rb, stop: stop.signal });
    stop.abort();
    const summary = await probeDone;
    await journal.record({ type: 'end', recovered: result.recovered });
    const report = rb.finishObserved(summary, result, deps.signal.aborted);
    return { exitCode: report.exitCode, report, plan };
  } catch (err) {
    stop.abort();
    await probeDone.catch(() => undefined);
    throw err;
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
    await journal.close();
  }
}

async function finishInterrupted(rb: ReportBuilder, journal: Journal, probe: LoadProbe, done: Promise<unknown>, reason: string): Promise<RunOutcome> {
  void probe;
  await done.catch(() => undefined);
  await journal.record({ type: 'end', interrupted: true });
  const report = rb.finish({ verdict: 'aborted', exitCode: ExitCode.Interrupted, reason });
  return { exitCode: ExitCode.Interrupted, report };
}
