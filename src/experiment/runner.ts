/**
 * The experiment, phase by phase: discover → steady capacity → plan → confirm (or dry run) → baseline probe
 * window → journal → inject → hold (faults that are undone) → rollback → observe → recovery → report.
 * Nothing mutates AWS before the plan is confirmed and the baseline is steady; every refusal ends with a
 * report saying why and nothing injected. Once a fault registered its rollback, the rollback runs on every
 * exit path: the end of the hold, the stop condition, an interrupt, and any error.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import type { PermissionCheck } from '../aws/ec2.js';
import { ChaosError, ExitCode, refused } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import { crashPoint } from '../faults/crash-point.js';
import { faultFor } from '../faults/index.js';
import { snapshotCapacity, type CapacitySnapshot } from '../observe/capacity-watch.js';
import type { SecondSummary } from '../observe/buckets.js';
import { LoadProbe } from '../observe/load-probe.js';
import type { RunConfig } from './config.js';
import { discover, type Discovery } from './discover.js';
import { Journal } from './journal.js';
import { ObserveSession, type UntilReason } from './observe.js';
import { buildPlan, capacityChecks, checkOptIn } from './plan.js';
import { ReportBuilder } from './report-builder.js';
import { RollbackStack } from './rollbacks.js';
import type { Plan, Report, TimelineEntry } from './types.js';

export type RunEvent =
  | { type: 'phase'; phase: string }
  | { type: 'plan'; plan: Plan }
  | { type: 'timeline'; entry: TimelineEntry }
  /** What is injected right now, in words; empty once everything is rolled back. */
  | { type: 'damage'; experimentId: string; items: string[] }
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
    const plan = await buildPlan({ experimentId: id, d, snap, cfg, rng: deps.rng, clients: deps.clients, now: deps.now });
    rb.setPlan(plan);
    deps.emit({ type: 'plan', plan });
    if (cfg.dryRun) {
      const permissions = await faultFor(plan.fault.kind).checkPermissions(plan, deps.clients);
      const exitCode = permissions.every((p) => p.allowed) ? ExitCode.Ok : ExitCode.AwsError;
      return { exitCode, plan, permissions };
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
  const fault = faultFor(plan.fault.kind);
  const holdMs = fault.holdMs(plan);
  // Bounded by construction: the probe can never outlive baseline + hold + recovery timeout + a margin.
  const probe = new LoadProbe({
    url: d.url,
    rate: cfg.rate,
    timeoutMs: cfg.timeoutMs,
    method: cfg.method,
    headers: cfg.headers,
    ...(cfg.expectStatus ? { expectStatus: cfg.expectStatus } : {}),
    durationMs: cfg.baselineMs + holdMs + cfg.recoveryTimeoutMs + cfg.steadyMs + 30_000,
    signal: stop.signal,
  });
  const probeDone = probe.run();
  const rollbacks = new RollbackStack(deps.now);
  let session: ObserveSession | undefined;
  let unwound = false;
  const unwind = async () => {
    unwound = true;
    deps.emit({ type: 'phase', phase: 'rollback' });
    const r = await rollbacks.unwind();
    if (r.status !== 'not-needed') {
      deps.emit({ type: 'timeline', entry: rb.mark(r.status === 'complete' ? 'rollback-complete' : 'rollback-incomplete', r.atMs, r.remaining.join('; ') || 'every subnet verified back on its original NACL') });
    }
    rb.setRollback(r, recoverCommand(cfg, plan.experimentId));
    if (r.status === 'complete') deps.emit({ type: 'damage', experimentId: plan.experimentId, items: [] });
    return r;
  };
  try {
    deps.emit({ type: 'phase', phase: 'baseline' });
    rb.mark('baseline-started', deps.now(), `probing ${d.url} at ${cfg.rate} req/s`);
    const baseline = await rb.collectBaseline(probe, cfg, stop.signal);
    if (deps.signal.aborted) return await finishInterrupted(rb, journal, probeDone, 'interrupted during the baseline; nothing was injected');
    if (!baseline.pass) {
      throw refused(`baseline not steady: ${baseline.detail}`, { phase: 'steady-state', hint: 'fix the service or loosen --steady-error-rate / --steady-p99' });
    }
    // Re-check right before acting: the plan must still hold (instances InService, the floor kept).
    const fresh = await snapshotCapacity(deps.clients, { asgName: cfg.asg, targetGroupArns: d.group.targetGroupArns, now: deps.now });
    await fault.recheck(plan, fresh, deps.clients);

    deps.emit({ type: 'phase', phase: 'inject' });
    session = new ObserveSession(cfg, deps, d, probe, fresh, rb, stop.signal);
    const injection = await fault.inject(plan, {
      clients: deps.clients,
      journal,
      now: deps.now,
      registerRollback: (r) => rollbacks.register(r),
      record: (e) => deps.emit({ type: 'timeline', entry: rb.addFaultEvent(e) }),
      setDamage: (items) => deps.emit({ type: 'damage', experimentId: plan.experimentId, items }),
    });
    probe.markFrom(injection.t0);
    rb.setInjected(injection.t0, holdMs);
    session.start();
    let reason: UntilReason = 'done';
    if (holdMs > 0) {
      deps.emit({ type: 'phase', phase: 'hold' });
      if (process.env.CHAOS_EC2_TEST_CRASH_AT === 'hold') setTimeout(() => crashPoint('hold'), holdMs / 2).unref();
      reason = await session.until({ deadline: injection.t0 + holdMs });
      rb.mark('hold-ended', deps.now(), reason === 'deadline' ? `held for ${holdMs / 1000}s` : reason);
      await unwind();
    }
    // With the rollback incomplete the fault is still in place: waiting for recovery would only delay exit 4.
    const stillInjected = rollbacks.last?.status === 'incomplete';
    if (reason !== 'interrupted' && reason !== 'stop-condition' && !stillInjected) {
      deps.emit({ type: 'phase', phase: 'observe' });
      const restoredAt = deps.now();
      const s = session;
      reason = await session.until({
        deadline: injection.t0 + holdMs + cfg.recoveryTimeoutMs,
        // After a hold, recovery also needs a full-capacity poll taken after the restore.
        done: () => (holdMs > 0 ? rb.recoveredNow() && capacityFull(s.latest, fresh.healthy, restoredAt) : rb.recoveredSoFar()),
      });
      if (reason === 'deadline') {
        deps.emit({ type: 'timeline', entry: rb.mark('recovery-timeout', deps.now(), `not recovered ${cfg.recoveryTimeoutMs / 1000}s after the ${holdMs ? 'restore' : 'fault'}`) });
      }
    }
    if (reason === 'stop-condition') {
      deps.emit({ type: 'timeline', entry: rb.markStopCondition(session.stopFiredAt!) });
    }
    if (!unwound) await unwind();
    session.close();
    stop.abort();
    const summary = await probeDone;
    const result = { recovered: reason === 'done', timedOut: reason === 'deadline', interrupted: reason === 'interrupted' || deps.signal.aborted, stopped: reason === 'stop-condition', polls: session.polls };
    await journal.record({ type: 'end', recovered: result.recovered, rollback: rollbacks.last?.status ?? 'not-needed' });
    const report = rb.finishObserved(summary, result, deps.signal.aborted);
    return { exitCode: report.exitCode, report, plan };
  } catch (err) {
    session?.close();
    stop.abort();
    await probeDone.catch(() => undefined);
    if (rollbacks.registered === 0 && !unwound) throw err;
    // Something was (or may have been) injected: undo it, then report the error with what remains.
    const r = await unwind();
    await journal.record({ type: 'end', error: (err as Error)?.message, rollback: r.status });
    const code = r.status === 'incomplete' ? ExitCode.RollbackIncomplete : err instanceof ChaosError ? err.exitCode : ExitCode.GateFailed;
    const undone = r.status === 'incomplete' ? `; rollback INCOMPLETE: ${r.remaining.join('; ')}` : '; everything injected was rolled back';
    const report = rb.finish({ verdict: 'error', exitCode: code, reason: `${(err as Error)?.message ?? String(err)}${undone}` });
    return { exitCode: code, report, plan };
  } finally {
    session?.close();
    deps.signal.removeEventListener('abort', onAbort);
    await journal.close();
  }
}

/** Capacity is back: a poll taken after `sinceMs` shows InService == desired and every baseline target healthy. */
function capacityFull(s: CapacitySnapshot | undefined, baselineHealthy: number, sinceMs: number): boolean {
  return s !== undefined && s.atMs >= sinceMs && s.inService === s.desired && s.healthy >= baselineHealthy;
}

/** The exact command that finishes an incomplete rollback, with the flags that reach the same account. */
export function recoverCommand(cfg: Pick<RunConfig, 'region' | 'profile' | 'endpoint' | 'reportDir'>, experimentId: string): string {
  const q = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  return [
    'chaos-ec2 recover',
    `--experiment-id ${q(experimentId)}`,
    ...(cfg.region ? [`--region ${q(cfg.region)}`] : []),
    ...(cfg.profile ? [`--profile ${q(cfg.profile)}`] : []),
    ...(cfg.endpoint ? [`--endpoint-url ${q(cfg.endpoint)}`] : []),
    '--yes',
  ].join(' ');
}

async function finishInterrupted(rb: ReportBuilder, journal: Journal, done: Promise<unknown>, reason: string): Promise<RunOutcome> {
  await done.catch(() => undefined);
  await journal.record({ type: 'end', interrupted: true });
  const report = rb.finish({ verdict: 'aborted', exitCode: ExitCode.Interrupted, reason });
  return { exitCode: ExitCode.Interrupted, report };
}
