/**
 * The experiment, phase by phase: discover → steady capacity → plan → confirm (or dry run) → baseline probe
 * window → recheck → journal → inject → hold (faults that are undone) → rollback → observe → recovery → report.
 * Nothing mutates AWS before the plan is confirmed and the baseline is steady; every refusal ends with a
 * report saying why and nothing injected. Once a fault registered its rollback, the rollback runs on every
 * exit path: the end of the hold, the stop condition, an interrupt, any error, and (undo.ts) any exception
 * nobody catches. Renderers can never break that: every event goes through `safeEmit`.
 *
 * Exit codes after something was injected and then fully rolled back because of an AWS error or a refusal
 * mid-injection: 1 (verdict 'error', the reason says it was rolled back). 3 and 5 mean "before injecting".
 */
import { join } from 'node:path';
import { checkDryRunHonoured, dryRunExecutedOutcome } from '../aws/ec2.js';
import { ChaosError, ExitCode, interrupted, refused } from '../core/errors.js';
import { unlessInterrupted } from '../core/signals.js';
import { redactUrl } from '../core/redact.js';
import { faultFor } from '../faults/index.js';
import type { Fault } from '../faults/types.js';
import type { AlarmReading } from '../aws/cloudwatch.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';
import { collectBaseline } from './baseline.js';
import { credentialsNeededMs, planCredentials } from './credential-expiry.js';
import { buildReport } from './build-report.js';
import type { RunConfig } from './config.js';
import type { RunDeps } from './deps.js';
import { discover } from './discover.js';
import { Journal } from './journal.js';
import { Lease } from './lease.js';
import { probedLoadBalancerIsInternal } from './lb-scheme.js';
import { nodeAzOf } from './node-azs.js';
import { ObserveSession, type UntilReason } from './observe.js';
import { probeTarget, runProbeHost, transportOptions } from './probe-transport.js';
import { checkProbeCapacity } from './probe-capacity.js';
import { buildPlan, checkOptIn } from './plan.js';
import { checkPreflight } from './preflight.js';
import { checkStopAlarms } from './stop-alarms.js';
import { capacityChecks, capacityFull } from './steady-capacity.js';
import { markRecoveryTimeout } from './blocked.js';
import { observedNotes } from './contamination.js';
import { Recorder } from './recorder.js';
import { recoveredNow, recoveredSoFar, recoveryOf } from './recovery-now.js';
import { Undo, recoverCommand, rollbackWindowMs } from './undo.js';
import { decideObserved } from './verdict.js';
import { engineFor, injectPlan } from './engines/index.js';
import { fisDryRun } from './engines/fis-dry-run.js';
import type { Plan } from './types.js';
import type { Run, RunOutcome } from './run-context.js';
import { failedRun, finishInterrupted } from './run-endings.js';

export type { RunOutcome } from './run-context.js';

export type { RunDeps, RunEvent } from './deps.js';
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

/** The lease outlives the longest the run can take by this much, so it never lapses under a live run. */
const LEASE_MARGIN_MS = 5 * 60_000;

const STEADY_HINT = 'wait for the group to be fully InService and healthy, then run again';

export async function runExperiment(cfg: RunConfig, rawDeps: RunDeps): Promise<RunOutcome> {
  const deps: RunDeps = { ...rawDeps, emit: safeEmit(rawDeps.emit) };
  deps.emit({ type: 'phase', phase: 'discover' });
  // Interrupted during discovery: there is no group to report on yet, so it is one line and 130, no report.
  const d = await unlessInterrupted(
    discover(deps.clients, {
      asg: cfg.asg,
      ...(cfg.url ? { url: cfg.url } : {}),
      ...(cfg.host ? { host: cfg.host } : {}),
      path: cfg.path,
      method: cfg.method,
      headers: cfg.headers,
      probe: cfg.probe,
    }),
    deps.signal,
    'interrupted during discovery; nothing was injected',
  );
  const rec = new Recorder(deps.newExperimentId(), deps.clock.now());
  const run: Run = {
    cfg,
    deps,
    d,
    rec,
    report: (o, summary = null) => {
      const r = rec.r;
      const recovery = summary ? recoveryOf(r, cfg, summary.firstFailureAtMs) : recoveryOf(r, cfg);
      return buildReport(r, { cfg, d, version: deps.version, seed: deps.rng.seed, endedAt: deps.clock.now() }, o, summary, recovery, []);
    },
  };
  // From here on an interrupt ends with a report (130, verdict aborted): each read-only phase is abandoned the
  // moment the signal aborts, and nothing goes on to the journal, the lease or the baseline after it.
  const between = (phase: string) => {
    if (deps.signal.aborted) throw interrupted(`interrupted ${phase}; nothing was injected`, { phase: 'confirm' });
  };
  try {
    const snap = await unlessInterrupted(snapshot(run), deps.signal, 'interrupted while reading the capacity; nothing was injected');
    rec.setBaselineCapacity(snap);
    const plan = await unlessInterrupted(planPhase(run, snap), deps.signal, 'interrupted while planning; nothing was injected');
    between('after planning');
    if (cfg.dryRun) return await unlessInterrupted(dryRunPhase(run, plan), deps.signal, 'interrupted during the dry run; nothing was injected');
    const confirmed = cfg.yes || (await unlessInterrupted(deps.confirm(plan), deps.signal, 'interrupted at the confirmation prompt; nothing was injected'));
    // An interrupt that closed the prompt is 130, not "not confirmed".
    between(cfg.yes ? 'before injecting' : 'at the confirmation prompt');
    if (!confirmed) {
      throw refused('not confirmed; nothing was changed', { phase: 'confirm', hint: 'pass --yes to run without a prompt (required when stdin is not a TTY)' });
    }
    return await execute(run, plan, snap);
  } catch (err) {
    if (err instanceof ChaosError && (err.exitCode === ExitCode.Refused || err.exitCode === ExitCode.AwsError || err.exitCode === ExitCode.Interrupted)) {
      // Refused, failed or interrupted before anything was injected: still a report, so the reason is on record.
      const verdict = err.exitCode === ExitCode.AwsError ? 'error' : 'aborted';
      const report = run.report({ verdict, exitCode: err.exitCode, reason: err.message, ...(err.hint ? { hint: err.hint } : {}) });
      return { exitCode: err.exitCode, report };
    }
    throw err;
  }
}

function snapshot({ cfg, deps, d }: Run): Promise<CapacitySnapshot> {
  return deps.snapshot({ asgName: cfg.asg, targetGroupArns: d.group.targetGroupArns });
}

/** Opt-in, steady capacity, the plan (shown), then the fault's own guards that need the plan shown first. */
async function planPhase(run: Run, snap: CapacitySnapshot): Promise<Plan> {
  const { cfg, deps, d, rec } = run;
  checkOptIn(d, cfg);
  const alarms = await checkStopAlarms(cfg, deps, rec, 'planning');
  await checkProbeCapacity(cfg.rate, deps.checkProbeRate);
  const checks = capacityChecks(snap);
  rec.addSteadyChecks(checks);
  const failing = checks.filter((c) => !c.pass);
  if (failing.length) {
    throw refused(`steady state not met before injecting: ${failing.map((c) => c.detail).join('; ')}`, { phase: 'steady-state', target: cfg.asg, hint: STEADY_HINT });
  }
  const plan = await buildPlan({ experimentId: rec.r.id, d, snap, cfg, rng: deps.rng, clients: deps.clients, now: deps.clock.now });
  const engine = engineFor(cfg.engine);
  const fault = faultFor(plan.fault.kind);
  const alarmArns = alarms.map((a) => a.arn);
  await engine.annotate(plan, fault, cfg, alarmArns);
  const credentials = await planCredentials(deps.clients, plan);
  rec.setPlan(plan);
  deps.emit({ type: 'plan', plan });
  checkPreflight(plan);
  fault.checkPlan?.(plan, cfg);
  credentials.check(credentialsNeededMs(cfg, engine.holdMs(plan, fault)), deps.clock.now());
  return plan;
}

/** --dry-run: a canary that the endpoint honours DryRun, then the fault's DryRun permission checks. */
async function dryRunPhase(run: Run, plan: Plan): Promise<RunOutcome> {
  const { deps } = run;
  await checkDryRunHonoured(deps.clients.ec2);
  const permissions = await faultFor(plan.fault.kind).checkPermissions(plan, deps.clients, deps.clock.now);
  // A DryRun the endpoint carried out changed something: on record in a report, never "nothing was changed".
  const executed = dryRunExecutedOutcome(permissions, recoverCommand(run.cfg, plan.experimentId));
  if (executed) return { exitCode: executed.exitCode, plan, permissions, report: run.report({ verdict: 'error', ...executed }) };
  // --engine fis: once the DryRun checks proved the permissions, FIS resolves the targets (skip-all).
  if (run.cfg.engine === 'fis' && permissions.every((p) => p.allowed)) permissions.push(...(await fisDryRun(run, plan)));
  const exitCode = permissions.every((p) => p.allowed) ? ExitCode.Ok : ExitCode.AwsError;
  return { exitCode, plan, permissions };
}

/**
 * Right before acting, on a fresh snapshot: the steady-state capacity checks again, then the fault's own
 * (targets still there, the capacity floor overall and per AZ still kept).
 */
async function recheckPhase(run: Run, plan: Plan, fault: Fault): Promise<AlarmReading[]> {
  const fresh = await snapshot(run);
  const failing = capacityChecks(fresh).filter((c) => !c.pass);
  if (failing.length) {
    throw refused(`steady state lost since planning: ${failing.map((c) => c.detail).join('; ')}`, { phase: 'steady-state', target: run.cfg.asg, hint: STEADY_HINT });
  }
  await fault.recheck(plan, fresh, run.deps.clients);
  return checkStopAlarms(run.cfg, run.deps, run.rec, 'recheck');
}

async function execute(run: Run, plan: Plan, planned: CapacitySnapshot): Promise<RunOutcome> {
  const { cfg, deps, d, rec } = run;
  const journal = await Journal.open(join(cfg.reportDir, plan.experimentId), plan.experimentId);
  // Strict: the plan is the journal's first line, written before anything is injected.
  await journal.record({ type: 'plan', plan });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  if (deps.signal.aborted) stop.abort();
  const fault = faultFor(plan.fault.kind);
  const holdMs = engineFor(cfg.engine).holdMs(plan, fault);
  // One experiment per group: the lease is written now and decided at the recheck, after the baseline.
  const leaseMs = cfg.baselineMs + holdMs + cfg.recoveryTimeoutMs + cfg.steadyMs + rollbackWindowMs(cfg) + LEASE_MARGIN_MS;
  await journal.record({
    type: 'intent',
    action: 'autoscaling:CreateOrUpdateTags',
    group: cfg.asg,
    key: `lease of ${plan.experimentId}`,
    undo: 'DeleteTags at the end; it expires by itself',
  });
  let lease: Lease;
  try {
    lease = await Lease.take(deps.clients, deps.clock, { group: d.group.name, experimentId: plan.experimentId, durationMs: leaseMs, tagCount: Object.keys(d.group.tags).length });
  } catch (err) {
    // Refused (tag limit) or an AWS error before anything was injected: the journal says so and is closed here,
    // since the try/finally below that closes it on every other path has not begun.
    await journal.tryRecord({ type: 'end', error: (err as Error)?.message });
    await journal.tryClose();
    throw err;
  }
  // Which AZ each load balancer address is in (unknown with --url: the probe may not reach the load balancer).
  const nodeAz = cfg.url
    ? undefined
    : await nodeAzOf(
        deps.clients,
        d.loadBalancers.map((l) => l.arn),
      );
  // Bounded by construction: the probe can never outlive baseline + hold + recovery timeout + a margin.
  const probe = deps.createProbe({
    url: d.url,
    ...transportOptions({ ...cfg, host: runProbeHost(cfg, d) }),
    ...(nodeAz ? { nodeAz } : {}),
    rate: cfg.rate,
    timeoutMs: cfg.timeoutMs,
    method: cfg.method,
    headers: cfg.headers,
    ...(cfg.expectStatus ? { expectStatus: cfg.expectStatus } : {}),
    durationMs: cfg.baselineMs + holdMs + cfg.recoveryTimeoutMs + cfg.steadyMs + 30_000,
    signal: stop.signal,
  });
  const probeDone = probe.run();
  const undo = new Undo(cfg, deps, rec, journal, plan.experimentId);
  let session: ObserveSession | undefined;
  let injected = false;
  try {
    deps.emit({ type: 'phase', phase: 'baseline' });
    rec.mark('baseline-started', deps.clock.now(), `probing ${redactUrl(d.url)} at ${cfg.rate} req/s`);
    const baseline = await collectBaseline(probe, rec, cfg, stop.signal, {
      host: runProbeHost(cfg, d) ?? new URL(d.url).hostname,
      target: probeTarget(d.url),
      resolve: cfg.resolve,
      internal: () => (cfg.url ? Promise.resolve(false) : probedLoadBalancerIsInternal(deps.clients, d)),
    });
    if (deps.signal.aborted) return await finishInterrupted(run, undo, probeDone, 'interrupted during the baseline; nothing was injected');
    // The lease is decided now, a settle interval after it was written (lease.ts), and before the baseline is
    // judged: a rival run that holds the group may already be disturbing this baseline, and it is the reason.
    await lease.confirm(deps.signal);
    if (!baseline.pass) {
      throw refused(baseline.refusal?.reason ?? `baseline not steady: ${baseline.detail}`, {
        phase: 'steady-state',
        hint: baseline.refusal?.hint ?? 'fix the service or loosen --steady-error-rate / --steady-p99',
      });
    }
    const alarms = await recheckPhase(run, plan, fault);
    // The recheck's calls take time (seconds on a throttled or slow API): a Ctrl-C during them stops here.
    if (deps.signal.aborted) return await finishInterrupted(run, undo, probeDone, 'interrupted before injecting; nothing was injected');

    deps.emit({ type: 'phase', phase: 'inject' });
    // Recovery is judged against the capacity the plan was made on, never a degraded fresh reading.
    session = new ObserveSession(cfg, deps, d, probe, planned, rec, stop.signal, alarms);
    const injection = await injectPlan(run, plan, fault, journal, undo, session);
    injected = true;
    probe.markFrom(injection.t0);
    deps.emit({ type: 'timeline', entry: rec.setInjected(injection.t0, holdMs) });
    session.start();
    let reason = await holdPhase(run, session, undo, injection.t0, holdMs, injection.holdOver);
    // With the rollback incomplete the fault is still in place: waiting for recovery would only delay exit 4.
    const stillInjected = undo.last?.status === 'incomplete';
    if (reason !== 'interrupted' && reason !== 'stop-condition' && !stillInjected) reason = await observePhase(run, session, injection.t0, holdMs, planned);
    if (reason === 'stop-condition') deps.emit({ type: 'timeline', entry: rec.setStopFired(session.stopFiredAt!, session.stopFired!) });
    const unwound = await undo.unwind();
    session.close();
    await session.settled();
    stop.abort();
    const summary = await probeDone;
    const result = {
      recovered: reason === 'done',
      timedOut: reason === 'deadline',
      interrupted: reason === 'interrupted' || deps.signal.aborted,
      stopped: reason === 'stop-condition',
      polls: session.polls,
    };
    await undo.note({ type: 'end', recovered: result.recovered, rollback: unwound.status });
    rec.replaceSeconds(summary.perSecond);
    const recovery = recoveryOf(rec.r, cfg, summary.firstFailureAtMs);
    const decision = decideObserved({
      rec: recovery,
      cfg,
      result,
      interrupted: deps.signal.aborted,
      rollback: rec.r.rollback,
      ...(rec.r.stopFired ? { stop: rec.r.stopFired } : {}),
      recoverCommand: rec.r.recoverCommand,
      afterwards: fault.afterwards,
      ...observedNotes(rec.r.marks, injection.t0),
    });
    const report = buildReport(rec.r, { cfg, d, version: deps.version, seed: deps.rng.seed, endedAt: deps.clock.now() }, decision, summary, recovery, decision.gates);
    return { exitCode: report.exitCode, report, plan };
  } catch (err) {
    session?.close();
    stop.abort();
    await probeDone.catch(() => undefined);
    return await failedRun(run, plan, fault, undo, probeDone, err, injected);
  } finally {
    session?.close();
    deps.signal.removeEventListener('abort', onAbort);
    // After the rollback (every path above has unwound): only then may another run take the group.
    const err = await lease.release();
    if (err)
      deps.emit({ type: 'timeline', entry: rec.mark('lease-release-failed', deps.clock.now(), `${err.message}; the lease lapses at ${new Date(lease.record.expiresMs).toISOString()}`) });
    await undo.close();
  }
}

/** Faults that are undone stay injected for their hold, then roll back (the rollback's end is recorded). */
async function holdPhase({ deps, rec }: Run, session: ObserveSession, undo: Undo, t0: number, holdMs: number, over?: () => boolean): Promise<UntilReason> {
  if (holdMs <= 0) return 'done';
  deps.emit({ type: 'phase', phase: 'hold' });
  // An engine that holds the fault on its side (FIS) may end the hold itself: then the reason is 'done'.
  const reason = await session.until({ deadline: t0 + holdMs, ...(over ? { done: over } : {}) });
  rec.mark('hold-ended', deps.clock.now(), reason === 'deadline' ? `held for ${holdMs / 1000}s` : reason);
  await undo.unwind();
  return reason;
}

/** Keeps probing and polling until service and capacity recovered, or the recovery timeout. */
async function observePhase(run: Run, session: ObserveSession, t0: number, holdMs: number, planned: CapacitySnapshot): Promise<UntilReason> {
  const { cfg, deps, rec } = run;
  deps.emit({ type: 'phase', phase: 'observe' });
  const restoredAt = deps.clock.now();
  const reason = await session.until({
    deadline: t0 + holdMs + cfg.recoveryTimeoutMs,
    // After a hold, recovery also needs a full-capacity poll taken after the restore.
    done: () => (holdMs > 0 ? recoveredNow(rec.r, cfg) && capacityFull(session.latest, planned.healthy, restoredAt) : recoveredSoFar(rec.r, cfg)),
  });
  if (reason === 'deadline') {
    deps.emit({ type: 'timeline', entry: await markRecoveryTimeout({ deps, rec, cfg, holdMs, latest: session.latest, causes: session.causes }) });
  }
  return reason;
}
