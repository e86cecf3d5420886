/**
 * The experiment, phase by phase: discover → steady capacity → plan → confirm (or dry run) → baseline probe
 * window → journal → inject → hold (faults that are undone) → rollback → observe → recovery → report.
 * Nothing mutates AWS before the plan is confirmed and the baseline is steady; every refusal ends with a
 * report saying why and nothing injected. Once a fault registered its rollback, the rollback runs on every
 * exit path: the end of the hold, the stop condition, an interrupt, any error, and (undo.ts) any exception
 * nobody catches. Renderers can never break that: every event goes through `safeEmit`.
 *
 * Exit codes after something was injected and then fully rolled back because of an AWS error or a refusal
 * mid-injection: 1 (verdict 'error', the reason says it was rolled back). 3 and 5 mean "before injecting".
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import { checkDryRunHonoured, type PermissionCheck } from '../aws/ec2.js';
import { ChaosError, ExitCode, refused } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
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
import { buildPlan, capacityChecks, checkOptIn, checkSharedSubnets } from './plan.js';
import { ReportBuilder } from './report-builder.js';
import { Undo, recoverCommand } from './undo.js';
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

export { recoverCommand };

/**
 * A renderer or subscriber that throws (a bug, a write to a closed pipe) must never skip a rollback or turn a
 * run into an unexpected error: its exception is dropped here, at the one place every event passes.
 */
export function safeEmit(emit: RunDeps['emit']): RunDeps['emit'] {
  return (e) => {
    try {
      emit(e);
    } catch {
      // Dropped on purpose: output is a view of the run, never a reason to stop undoing it.
    }
  };
}

export function newExperimentId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `exp-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function runExperiment(cfg: RunConfig, rawDeps: RunDeps): Promise<RunOutcome> {
  const deps: RunDeps = { ...rawDeps, emit: safeEmit(rawDeps.emit) };
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
    // After the plan is shown (so the operator sees what else is in the subnets), before anything else.
    checkSharedSubnets(plan, cfg);
    if (cfg.dryRun) {
      await checkDryRunHonoured(deps.clients.ec2);
      const permissions = await faultFor(plan.fault.kind).checkPermissions(plan, deps.clients);
      const exitCode = permissions.every((p) => p.allowed) ? ExitCode.Ok : ExitCode.AwsError;
      return { exitCode, plan, permissions };
    }
    if (!cfg.yes && !(await deps.confirm(plan))) {
      throw refused('not confirmed; nothing was changed', { phase: 'confirm', hint: 'pass --yes to run without a prompt (required when stdin is not a TTY)' });
    }
    return await execute(cfg, deps, d, plan, rb, snap);
  } catch (err) {
    if (err instanceof ChaosError && (err.exitCode === ExitCode.Refused || err.exitCode === ExitCode.AwsError)) {
      // Refused or failed before anything was injected: still a report, so the reason is on record.
      const report = rb.finish({ verdict: err.exitCode === ExitCode.Refused ? 'aborted' : 'error', exitCode: err.exitCode, reason: err.message });
      return { exitCode: err.exitCode, report };
    }
    throw err;
  }
}

async function execute(cfg: RunConfig, deps: RunDeps, d: Discovery, plan: Plan, rb: ReportBuilder, planned: CapacitySnapshot): Promise<RunOutcome> {
  const journal = await Journal.open(join(cfg.reportDir, plan.experimentId), plan.experimentId);
  // Strict: the plan is the journal's first line, written before anything is injected.
  await journal.record({ type: 'plan', plan });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  if (deps.signal.aborted) stop.abort();
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
  const undo = new Undo(cfg, deps, rb, journal, plan.experimentId);
  let session: ObserveSession | undefined;
  let injected = false;
  try {
    deps.emit({ type: 'phase', phase: 'baseline' });
    rb.mark('baseline-started', deps.now(), `probing ${redactUrl(d.url)} at ${cfg.rate} req/s`);
    const baseline = await rb.collectBaseline(probe, cfg, stop.signal);
    if (deps.signal.aborted) return await finishInterrupted(rb, undo, probeDone, 'interrupted during the baseline; nothing was injected');
    if (!baseline.pass) {
      throw refused(`baseline not steady: ${baseline.detail}`, { phase: 'steady-state', hint: 'fix the service or loosen --steady-error-rate / --steady-p99' });
    }
    // Re-check right before acting, on a fresh snapshot: the steady-state capacity checks again, then the
    // fault's own (targets still there, the capacity floor overall and per AZ still kept).
    const fresh = await snapshotCapacity(deps.clients, { asgName: cfg.asg, targetGroupArns: d.group.targetGroupArns, now: deps.now });
    const failing = capacityChecks(fresh).filter((c) => !c.pass);
    if (failing.length) {
      throw refused(`steady state lost since planning: ${failing.map((c) => c.detail).join('; ')}`, {
        phase: 'steady-state',
        target: cfg.asg,
        hint: 'wait for the group to be fully InService and healthy, then run again',
      });
    }
    await fault.recheck(plan, fresh, deps.clients);
    // The recheck's calls take time (seconds on a throttled or slow API): a Ctrl-C during them stops here.
    if (deps.signal.aborted) return await finishInterrupted(rb, undo, probeDone, 'interrupted before injecting; nothing was injected');

    deps.emit({ type: 'phase', phase: 'inject' });
    // Recovery is judged against the capacity the plan was made on, never a degraded fresh reading.
    session = new ObserveSession(cfg, deps, d, probe, planned, rb, stop.signal);
    const injection = await fault.inject(plan, {
      clients: deps.clients,
      journal,
      now: deps.now,
      signal: deps.signal,
      registerRollback: (r) => undo.register(r),
      record: (e) => deps.emit({ type: 'timeline', entry: rb.addFaultEvent(e) }),
      setDamage: (items) => deps.emit({ type: 'damage', experimentId: plan.experimentId, items }),
    });
    injected = true;
    probe.markFrom(injection.t0);
    rb.setInjected(injection.t0, holdMs);
    session.start();
    let reason: UntilReason = 'done';
    if (holdMs > 0) {
      deps.emit({ type: 'phase', phase: 'hold' });
      if (process.env.CHAOS_EC2_TEST_CRASH_AT === 'hold') setTimeout(() => crashPoint('hold'), holdMs / 2).unref();
      reason = await session.until({ deadline: injection.t0 + holdMs });
      rb.mark('hold-ended', deps.now(), reason === 'deadline' ? `held for ${holdMs / 1000}s` : reason);
      await undo.unwind();
    }
    // With the rollback incomplete the fault is still in place: waiting for recovery would only delay exit 4.
    const stillInjected = undo.last?.status === 'incomplete';
    if (reason !== 'interrupted' && reason !== 'stop-condition' && !stillInjected) {
      deps.emit({ type: 'phase', phase: 'observe' });
      const restoredAt = deps.now();
      const s = session;
      reason = await session.until({
        deadline: injection.t0 + holdMs + cfg.recoveryTimeoutMs,
        // After a hold, recovery also needs a full-capacity poll taken after the restore.
        done: () => (holdMs > 0 ? rb.recoveredNow() && capacityFull(s.latest, planned.healthy, restoredAt) : rb.recoveredSoFar()),
      });
      if (reason === 'deadline') {
        deps.emit({ type: 'timeline', entry: rb.mark('recovery-timeout', deps.now(), `not recovered ${cfg.recoveryTimeoutMs / 1000}s after the ${holdMs ? 'restore' : 'fault'}`) });
      }
    }
    if (reason === 'stop-condition') {
      deps.emit({ type: 'timeline', entry: rb.markStopCondition(session.stopFiredAt!) });
    }
    const r = await undo.unwind();
    session.close();
    stop.abort();
    const summary = await probeDone;
    const result = { recovered: reason === 'done', timedOut: reason === 'deadline', interrupted: reason === 'interrupted' || deps.signal.aborted, stopped: reason === 'stop-condition', polls: session.polls };
    await undo.note({ type: 'end', recovered: result.recovered, rollback: r.status });
    const report = rb.finishObserved(summary, result, deps.signal.aborted);
    return { exitCode: report.exitCode, report, plan };
  } catch (err) {
    session?.close();
    stop.abort();
    await probeDone.catch(() => undefined);
    const wasInterrupted = deps.signal.aborted || (err instanceof ChaosError && err.exitCode === ExitCode.Interrupted);
    if (undo.registered === 0 && !undo.started && !injected) {
      // Nothing was injected (terminate: at most the instances were tagged).
      if (wasInterrupted) return await finishInterrupted(rb, undo, probeDone, `${(err as Error)?.message ?? 'interrupted'}; nothing was injected`);
      throw err;
    }
    // Something was (or may have been) injected: undo it, then report the error with what remains.
    const r = await undo.unwind();
    await undo.note({ type: 'end', error: (err as Error)?.message, rollback: r.status });
    const incomplete = r.status === 'incomplete';
    const code = incomplete ? ExitCode.RollbackIncomplete : wasInterrupted ? ExitCode.Interrupted : ExitCode.GateFailed;
    const undone = incomplete
      ? `; rollback INCOMPLETE: ${r.remaining.join('; ')}`
      : r.status === 'not-needed'
        ? '; nothing is left injected (terminated instances are replaced by Auto Scaling)'
        : '; everything injected was rolled back';
    const verdict = !incomplete && wasInterrupted ? 'aborted' : 'error';
    const report = rb.finish({ verdict, exitCode: code, reason: `${(err as Error)?.message ?? String(err)}${undone}` });
    return { exitCode: code, report, plan };
  } finally {
    session?.close();
    deps.signal.removeEventListener('abort', onAbort);
    await undo.close();
  }
}

/** Capacity is back: a poll taken after `sinceMs` shows InService == desired and every baseline target healthy. */
function capacityFull(s: CapacitySnapshot | undefined, baselineHealthy: number, sinceMs: number): boolean {
  return s !== undefined && s.atMs >= sinceMs && s.inService === s.desired && s.healthy >= baselineHealthy;
}

async function finishInterrupted(rb: ReportBuilder, undo: Undo, done: Promise<unknown>, reason: string): Promise<RunOutcome> {
  await done.catch(() => undefined);
  await undo.note({ type: 'end', interrupted: true });
  const report = rb.finish({ verdict: 'aborted', exitCode: ExitCode.Interrupted, reason });
  return { exitCode: ExitCode.Interrupted, report };
}
