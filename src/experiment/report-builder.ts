/**
 * Collects what an experiment observed (timeline, probe seconds, capacity samples) and turns it into the
 * versioned Report. Times stay absolute (epoch ms) while collecting and become "ms since t0" only here, at
 * the edge. Recovery figures come from the pure observe/recovery.ts, so the report and the live
 * "recovered yet?" check use the same definitions.
 */
import { formatDuration } from '../core/duration.js';
import { ExitCode } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import type { CapacityEvent, CapacitySnapshot } from '../observe/capacity-watch.js';
import type { SecondSummary } from '../observe/buckets.js';
import type { LoadProbe, ProbeSummary } from '../observe/load-probe.js';
import { computeRecovery, type RecoveryResult } from '../observe/recovery.js';
import type { TimelineEvent } from '../observe/timeline.js';
import type { FaultEvent } from '../faults/types.js';
import { buildBlackholeReport } from './report-blackhole.js';
import type { UnwindResult } from './rollbacks.js';
import type { RunConfig } from './config.js';
import type { Discovery } from './discover.js';
import type { ObserveResult } from './observe.js';
import type { RunDeps } from './runner.js';
import { SCHEMA_VERSION, type CapacitySample, type Gate, type Plan, type ProbeSecond, type Report, type TimelineEntry, type Verdict } from './types.js';

interface Mark {
  atMs: number;
  event: string;
  detail?: string;
  [k: string]: unknown;
}

export class ReportBuilder {
  private readonly startedAt: number;
  private readonly marks: Mark[] = [];
  private readonly seconds: SecondSummary[] = [];
  private readonly samples: CapacitySample[] = [];
  private readonly steady: Report['steadyState']['checks'] = [];
  private plan: Plan | undefined;
  private t0: number | null = null;
  private baselineHealthy = 0;
  private desired = 0;
  private deadlineMs: number | null = null;
  private rollback: UnwindResult | undefined;
  private recoverCmd = '';
  private stopFired: number | null = null;

  constructor(
    private readonly id: string,
    private readonly cfg: RunConfig,
    private readonly d: Discovery,
    private readonly deps: Pick<RunDeps, 'now' | 'version' | 'rng'>,
  ) {
    this.startedAt = deps.now();
  }

  setBaselineCapacity(s: CapacitySnapshot): void {
    this.baselineHealthy = s.healthy;
    this.desired = s.desired;
    this.samples.push({ atMs: s.atMs, desired: s.desired, inService: s.inService, healthy: s.healthy });
  }

  addSteadyChecks(checks: Report['steadyState']['checks']): void {
    this.steady.push(...checks);
  }

  setPlan(p: Plan): void {
    this.plan = p;
  }

  /** t0, and the hold (if any): the recovery timeout counts from the end of the hold. */
  setInjected(t0: number, holdMs = 0): void {
    this.t0 = t0;
    this.deadlineMs = t0 + holdMs + this.cfg.recoveryTimeoutMs;
    const ids = this.plan?.fault.targets.map((t) => `${t.instanceId} (${t.availabilityZone})`).join(', ') ?? '';
    this.mark('fault-injected', t0, `${this.plan?.fault.kind}: ${ids}`);
  }

  /** Records an event of the experiment itself; returns it as a timeline entry for live renderers. */
  mark(event: string, atMs: number, detail?: string): TimelineEntry {
    const m: Mark = { atMs, event, ...(detail ? { detail } : {}) };
    this.marks.push(m);
    return this.entry(m);
  }

  addCapacityEvent(e: CapacityEvent): TimelineEntry {
    const m: Mark = { ...e };
    this.marks.push(m);
    return this.entry(m);
  }

  addFaultEvent(e: FaultEvent): TimelineEntry {
    const m: Mark = { ...e };
    this.marks.push(m);
    return this.entry(m);
  }

  setRollback(r: UnwindResult, recoverCommand: string): void {
    this.rollback = r;
    this.recoverCmd = recoverCommand;
  }

  markStopCondition(atMs: number): TimelineEntry {
    this.stopFired = atMs;
    return this.mark('stop-condition', atMs, `error rate above ${this.cfg.abortErrorRate} for ${this.cfg.abortAfterMs / 1000}s: rolled back at once`);
  }

  addSample(s: CapacitySnapshot): void {
    this.samples.push({ atMs: s.atMs, desired: s.desired, inService: s.inService, healthy: s.healthy });
  }

  addSecond(s: SecondSummary): void {
    this.seconds.push(s);
  }

  /** Waits for the baseline window's seconds and judges them against the steady thresholds. */
  collectBaseline(probe: LoadProbe, cfg: RunConfig, signal: AbortSignal): Promise<{ pass: boolean; detail: string }> {
    const want = Math.ceil(cfg.baselineMs / 1000);
    // Seconds in which the probe itself was saturated say nothing about the service (e.g. the first second
    // of a cold process on a busy machine): the window waits for `want` judged seconds, up to a bound.
    const most = want + Math.max(5, want);
    const judged = () => this.seconds.filter((s) => !s.saturated);
    return new Promise((resolve) => {
      const done = () => {
        probe.off('second', onSecond);
        signal.removeEventListener('abort', done);
        const window = judged().slice(0, want);
        const sent = window.reduce((a, s) => a + s.sent, 0);
        const failed = window.reduce((a, s) => a + s.failed, 0);
        const scheduled = window.reduce((a, s) => a + s.scheduled, 0);
        const p99 = Math.max(0, ...window.map((s) => s.p99 ?? 0));
        const errorRate = sent ? failed / sent : 1;
        const completion = scheduled ? sent / scheduled : 0;
        const saturated = this.seconds.length - judged().length;
        const checks = [
          {
            name: 'baseline judged seconds',
            pass: window.length >= want,
            detail: `${window.length}/${want} (the probe was saturated in ${saturated} second(s); lower --rate or free CPU)`,
          },
          { name: 'baseline error rate', pass: errorRate <= cfg.steadyErrorRate, detail: `${(errorRate * 100).toFixed(2)}% of ${sent} (max ${(cfg.steadyErrorRate * 100).toFixed(2)}%)` },
          { name: 'baseline p99', pass: p99 <= cfg.steadyP99Ms, detail: `${Math.round(p99)}ms (max ${cfg.steadyP99Ms}ms)` },
          { name: 'baseline completion', pass: completion >= 0.99, detail: `${sent}/${scheduled} scheduled requests sent` },
        ];
        this.steady.push(...checks);
        const failing = checks.filter((c) => !c.pass);
        resolve({ pass: failing.length === 0, detail: failing.map((c) => `${c.name} ${c.detail}`).join('; ') || 'ok' });
      };
      const onSecond = (s: SecondSummary) => {
        this.addSecond(s);
        if (judged().length >= want || this.seconds.length >= most) done();
      };
      probe.on('second', onSecond);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private recovery(firstFailureAtMs: number | null = null): RecoveryResult | null {
    if (this.t0 === null) return null;
    return computeRecovery({
      t0: this.t0,
      seconds: this.seconds,
      events: this.marks as unknown as TimelineEvent[],
      capacitySamples: this.samples,
      baselineHealthy: this.baselineHealthy,
      firstFailureAtMs,
      deadlineMs: this.deadlineMs ?? this.t0 + this.cfg.recoveryTimeoutMs,
      thresholds: { maxErrorRate: this.cfg.steadyErrorRate, maxP99Ms: this.cfg.steadyP99Ms, steadySeconds: Math.round(this.cfg.steadyMs / 1000), minCompletion: 0.99 },
    });
  }

  /**
   * True once both service and capacity have recovered under the report's definitions — and capacity was
   * seen lost first: a fault that removed capacity is not over until the watcher has seen it come back,
   * even if the probe never noticed anything.
   */
  recoveredSoFar(): boolean {
    return this.marks.some((m) => m.event === 'capacity-lost') && this.recoveredNow();
  }

  /** Recovered under the definitions, whether or not capacity was ever seen lost. */
  recoveredNow(): boolean {
    return this.recovery()?.recovered === true;
  }

  finishObserved(summary: ProbeSummary, result: ObserveResult, interrupted: boolean): Report {
    // The probe's final summary holds every second, including ones finished after observing stopped.
    this.seconds.splice(0, this.seconds.length, ...summary.perSecond);
    const rec = this.recovery(summary.firstFailureAtMs);
    const gates: Gate[] = [
      // Always present: recovering at all before --recovery-timeout. Threshold gates (--max-service-ttr …)
      // come on top (gates.ts); these carry formatted strings so they never read as a second threshold.
      {
        name: 'service recovered',
        threshold: `before --recovery-timeout ${formatDuration(this.cfg.recoveryTimeoutMs)}`,
        actual: rec?.serviceRecovered ? formatDuration(rec.serviceRecoveredMs ?? 0) : 'not recovered',
        pass: rec?.serviceRecovered === true,
      },
      {
        name: 'capacity recovered',
        threshold: `before --recovery-timeout ${formatDuration(this.cfg.recoveryTimeoutMs)}`,
        actual: rec?.capacityRecovered ? (rec.capacityRecoveredMs === null ? 'never lost' : formatDuration(rec.capacityRecoveredMs)) : 'not recovered',
        pass: rec?.capacityRecovered === true,
      },
    ];
    let verdict: Verdict = gates.every((g) => g.pass) ? 'pass' : 'fail';
    let exitCode: number = verdict === 'pass' ? ExitCode.Ok : ExitCode.GateFailed;
    let reason: string | undefined = verdict === 'pass' ? undefined : result.timedOut ? `not recovered within --recovery-timeout ${this.cfg.recoveryTimeoutMs / 1000}s` : 'a gate failed';
    const undone = this.plan?.fault.kind === 'terminate-instances' ? 'nothing is left injected (terminated instances are replaced by Auto Scaling)' : 'everything injected was rolled back';
    if (result.stopped) {
      // A stop condition firing is a failed resilience check, not an operator's choice: exit 1.
      verdict = 'aborted';
      exitCode = ExitCode.GateFailed;
      reason = `stop condition: error rate above ${this.cfg.abortErrorRate} for ${this.cfg.abortAfterMs / 1000}s; ${undone}`;
      gates.push({ name: 'stop condition', threshold: `error rate <= ${this.cfg.abortErrorRate} (${this.cfg.abortAfterMs / 1000}s)`, actual: 'fired', pass: false });
    } else if (interrupted || result.interrupted) {
      verdict = 'aborted';
      exitCode = ExitCode.Interrupted;
      reason = `interrupted by the operator; ${undone}`;
    }
    if (this.rollback?.status === 'incomplete') {
      verdict = 'error';
      exitCode = ExitCode.RollbackIncomplete;
      reason = `rollback incomplete, the fault may still be in place: ${this.rollback.remaining.join('; ')}. Run: ${this.recoverCmd}`;
    }
    return this.assemble({ verdict, exitCode, ...(reason ? { reason } : {}) }, summary, rec, gates);
  }

  finish(o: { verdict: Verdict; exitCode: number; reason?: string }): Report {
    return this.assemble(o, null, this.recovery(), []);
  }

  private assemble(o: { verdict: Verdict; exitCode: number; reason?: string }, summary: ProbeSummary | null, rec: RecoveryResult | null, gates: Gate[]): Report {
    const base = this.t0 ?? this.startedAt;
    const perSecond: ProbeSecond[] = this.seconds.map((s) => ({
      t: s.t,
      atMs: s.startMs - base,
      sent: s.sent,
      ok: s.ok,
      failed: s.failed,
      late: s.late,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      saturated: s.saturated,
      errorsByKind: { ...s.errorsByKind } as Record<string, number>,
    }));
    const derived: Mark[] = [];
    if (rec && this.t0 !== null) {
      if (rec.timeToImpactMs !== null) derived.push({ atMs: this.t0 + rec.timeToImpactMs, event: 'first-failure', detail: 'first failed probe request (intended send time)' });
      if (rec.serviceRecoveredMs !== null && rec.timeToImpactMs !== null) {
        derived.push({ atMs: this.t0 + rec.serviceRecoveredMs, event: 'service-recovered', detail: `start of ${Math.round(this.cfg.steadyMs / 1000)} steady seconds` });
      }
    }
    const timeline = [...this.marks, ...derived].sort((a, b) => a.atMs - b.atMs).map((m) => this.entry(m));
    return {
      schemaVersion: SCHEMA_VERSION,
      id: this.id,
      tool: { name: 'chaos-ec2', version: this.deps.version },
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: new Date(this.deps.now()).toISOString(),
      verdict: o.verdict,
      exitCode: o.exitCode,
      ...(o.reason ? { reason: o.reason } : {}),
      seed: this.deps.rng.seed,
      target: {
        account: this.d.identity.account,
        region: this.d.region,
        asg: this.d.group.name,
        url: redactUrl(this.d.url),
        ...(this.cfg.endpoint ? { endpoint: this.cfg.endpoint } : {}),
        targetGroups: this.d.targetGroups.map((t) => t.arn),
        loadBalancers: this.d.loadBalancers.map((l) => l.arn),
      },
      fault: this.plan
        ? { kind: this.plan.fault.kind, targets: this.plan.fault.targets, injectedAt: this.t0 === null ? null : new Date(this.t0).toISOString(), t0: this.t0, selection: this.plan.fault.selection }
        : null,
      steadyState: { pass: this.steady.every((c) => c.pass), checks: this.steady },
      timeline,
      recovery: rec,
      probe: summary
        ? {
            url: redactUrl(summary.url),
            rate: this.cfg.rate,
            sent: summary.sent,
            ok: summary.ok,
            failed: summary.failed,
            late: summary.late,
            availability: summary.availability ?? 0,
            latencyMs: { p50: summary.latencyMs.p50, p95: summary.latencyMs.p95 ?? null, p99: summary.latencyMs.p99, max: summary.latencyMs.max },
            errorsByKind: { ...summary.errorsByKind } as Record<string, number>,
            perSecond,
          }
        : null,
      capacity: { baselineHealthy: this.baselineHealthy, desired: this.desired, samples: this.samples.map((s) => ({ ...s, atMs: s.atMs - base })) },
      gates,
      // Header values and URL secrets are for the probe alone, never the report.
      settings: { ...this.cfg, headers: Object.keys(this.cfg.headers), ...(this.cfg.url ? { url: redactUrl(this.cfg.url) } : {}) },
      ...(this.plan ? { rollback: this.rollbackSection() } : {}),
      ...(this.plan?.fault.blackhole ? { blackhole: buildBlackholeReport(this.plan, this.marks, this.rollback, base)! } : {}),
      ...(this.stopFired !== null
        ? { stopCondition: { name: 'error rate', threshold: `> ${this.cfg.abortErrorRate} for ${this.cfg.abortAfterMs / 1000}s`, firedAtMs: this.stopFired - base, detail: 'rolled back at once' } }
        : {}),
    };
  }

  private rollbackSection(): NonNullable<Report['rollback']> {
    const r = this.rollback;
    if (!r) return { status: 'not-needed', remaining: [] };
    return {
      status: r.status,
      remaining: r.remaining,
      ...(r.status === 'incomplete' ? { recoverCommand: this.recoverCmd } : {}),
      ...(r.status !== 'not-needed' ? { at: new Date(r.atMs).toISOString() } : {}),
    };
  }

  private entry(m: { atMs: number; event: string; [k: string]: unknown }): TimelineEntry {
    const base = this.t0 ?? this.startedAt;
    return { ...m, atMs: m.atMs - base, at: new Date(m.atMs).toISOString() } as TimelineEntry;
  }
}
