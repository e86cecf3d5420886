/**
 * PURE: a run's record → the versioned Report. Times are absolute in the record and become "ms since t0"
 * here, at the edge. The fault's own section comes from its module (faultFor(kind).buildReport), keyed by
 * kind under `fault.detail`.
 */
import { redactUrl } from '../core/redact.js';
import { faultFor } from '../faults/index.js';
import type { ProbeSummary } from '../observe/load-probe.js';
import type { RecoveryResult } from '../observe/recovery.js';
import type { RunConfig } from './config.js';
import type { Discovery } from './discover.js';
import { blockedOf, contaminationOf } from './contamination.js';
import { probeTransportSection } from './probe-report.js';
import { toEntry, type Mark, type Recorded } from './recorder.js';
import { routeOf } from './route.js';
import { engineSection } from './engines/report.js';
import { SCHEMA_VERSION, type Gate, type ProbeSecond, type Report, type Verdict } from './types.js';

export interface ReportContext {
  cfg: RunConfig;
  d: Discovery;
  version: string;
  seed: string;
  endedAt: number;
}

export interface Outcome {
  verdict: Verdict;
  exitCode: number;
  reason?: string;
  hint?: string;
}

export function buildReport(r: Recorded, ctx: ReportContext, o: Outcome, summary: ProbeSummary | null, rec: RecoveryResult | null, gates: Gate[]): Report {
  const { cfg, d } = ctx;
  const base = r.t0 ?? r.startedAt;
  const perSecond: ProbeSecond[] = r.seconds.map((s) => ({
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
  if (rec && r.t0 !== null) {
    if (rec.timeToImpactMs !== null) derived.push({ atMs: r.t0 + rec.timeToImpactMs, event: 'first-failure', detail: 'first failed probe request (intended send time)' });
    if (rec.serviceRecoveredMs !== null && rec.timeToImpactMs !== null) {
      derived.push({ atMs: r.t0 + rec.serviceRecoveredMs, event: 'service-recovered', detail: `start of ${Math.round(cfg.steadyMs / 1000)} steady seconds` });
    }
  }
  const contaminated = r.t0 === null ? undefined : contaminationOf(r.marks, r.t0);
  const blocked = blockedOf(r.marks);
  const timeline = [...r.marks, ...derived].sort((a, b) => a.atMs - b.atMs).map((m) => toEntry(m, base));
  const plan = r.plan;
  // From discovery, not the plan: a refusal in planning (weight 0) still reports the share it refused on.
  const route = routeOf(d);
  const fault = plan ? faultFor(plan.fault.kind) : undefined;
  const detail = plan && fault?.buildReport ? fault.buildReport({ plan, marks: r.marks, rollback: r.rollback, base }) : undefined;
  return {
    schemaVersion: SCHEMA_VERSION,
    id: r.id,
    tool: { name: 'chaos-ec2', version: ctx.version },
    startedAt: new Date(r.startedAt).toISOString(),
    endedAt: new Date(ctx.endedAt).toISOString(),
    verdict: o.verdict,
    exitCode: o.exitCode,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.hint ? { hint: o.hint } : {}),
    seed: ctx.seed,
    target: {
      account: d.identity.account,
      region: d.region,
      asg: d.group.name,
      url: redactUrl(d.url),
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      targetGroups: d.targetGroups.map((t) => t.arn),
      loadBalancers: d.loadBalancers.map((l) => l.arn),
      ...(route ? { listener: route } : {}),
    },
    fault: plan
      ? {
          kind: plan.fault.kind,
          targets: plan.fault.targets,
          injectedAt: r.t0 === null ? null : new Date(r.t0).toISOString(),
          t0: r.t0,
          selection: plan.fault.selection,
          ...(detail !== undefined ? { detail } : {}),
        }
      : null,
    steadyState: { pass: r.steady.every((c) => c.pass), checks: r.steady },
    timeline,
    recovery: rec,
    probe: summary
      ? {
          url: redactUrl(summary.url),
          ...probeTransportSection(cfg, d, summary, base),
          rate: cfg.rate,
          sent: summary.sent,
          ok: summary.ok,
          failed: summary.failed,
          late: summary.late,
          availability: summary.availability ?? 0,
          latencyMs: { p50: summary.latencyMs.p50, p95: summary.latencyMs.p95 ?? null, p99: summary.latencyMs.p99, max: summary.latencyMs.max },
          errorsByKind: { ...summary.errorsByKind } as Record<string, number>,
          perSecond,
        }
      : { ...probeFromSeconds(redactUrl(d.url), cfg.rate, perSecond), ...probeTransportSection(cfg, d, null, base) },
    capacity: { baselineHealthy: r.baselineHealthy, desired: r.desired, samples: r.samples.map((s) => ({ ...s, atMs: s.atMs - base })) },
    gates,
    // Header values and URL secrets are for the probe alone, never the report.
    settings: { ...cfg, headers: Object.keys(cfg.headers), ...(cfg.url ? { url: redactUrl(cfg.url) } : {}), ...(cfg.notify ? { notify: cfg.notify.length } : {}) },
    ...(plan ? { rollback: rollbackSection(r) } : {}),
    ...(r.stopFiredAt !== null && r.stopFired
      ? { stopCondition: { name: r.stopFired.name, threshold: r.stopFired.threshold, firedAtMs: r.stopFiredAt - base, detail: r.stopFired.detail } }
      : {}),
    ...(plan?.preflight ? { preflight: { warnings: plan.preflight.warnings, notes: plan.preflight.notes, expectedRecovery: plan.preflight.expectedRecovery } } : {}),
    ...(contaminated ? { contaminated } : {}),
    ...(blocked.length ? { recoveryBlocked: blocked } : {}),
    ...(plan ? { engine: engineSection(r)! } : {}),
  };
}

function rollbackSection(r: Recorded): NonNullable<Report['rollback']> {
  const u = r.rollback;
  if (!u) return { status: 'not-needed', remaining: [] };
  return {
    status: u.status,
    remaining: u.remaining,
    ...(u.status === 'incomplete' ? { recoverCommand: r.recoverCommand } : {}),
    ...(u.status !== 'not-needed' ? { at: new Date(u.atMs).toISOString() } : {}),
  };
}

/**
 * The probe section when the run ended before the probe's final summary (a refusal, an interrupt): what the
 * seconds recorded so far say (the baseline's, when it ran), or an empty section when nothing was probed.
 * The report always has one, as its schema promises. Percentiles over the whole window are not known from
 * per-second summaries, so they are null; max is exact.
 */
function probeFromSeconds(url: string, rate: number, perSecond: ProbeSecond[]): NonNullable<Report['probe']> {
  const sum = (k: 'sent' | 'ok' | 'failed' | 'late') => perSecond.reduce((a, s) => a + s[k], 0);
  const errorsByKind: Record<string, number> = {};
  for (const s of perSecond) for (const [k, n] of Object.entries(s.errorsByKind)) errorsByKind[k] = (errorsByKind[k] ?? 0) + n;
  const maxes = perSecond.map((s) => s.max).filter((m): m is number => m !== null);
  const sent = sum('sent');
  return {
    url,
    rate,
    sent,
    ok: sum('ok'),
    failed: sum('failed'),
    late: sum('late'),
    availability: sent ? sum('ok') / sent : 0,
    latencyMs: { p50: null, p95: null, p99: null, max: maxes.length ? Math.max(...maxes) : null },
    errorsByKind,
    perSecond,
  };
}
