/**
 * The baseline window: the probe's first seconds, before anything is injected, judged against the steady
 * thresholds. Seconds in which the probe itself was saturated say nothing about the service (e.g. the first
 * second of a cold process on a busy machine): the window waits for `want` judged seconds, up to a bound.
 */
import type { SecondSummary } from '../observe/buckets.js';
import { explainRefusal, failuresByKind, type Refusal } from './baseline-refusal.js';
import type { RunConfig } from './config.js';
import type { Probe } from './deps.js';
import type { Recorder } from './recorder.js';
import type { Report } from './types.js';

export interface BaselineJudgement {
  pass: boolean;
  detail: string;
  checks: Report['steadyState']['checks'];
  /** When the failures point at the probe's path (certificate, DNS, an internal load balancer): why, and what to do. */
  refusal?: Refusal;
}

/** What explains a failed baseline besides the service: the names asked for, and whether the load balancer is internal. */
export interface BaselineContext {
  /** Host header / TLS server name of the probe. */
  host: string;
  /** The URL's `host:port`, what the probe resolves. */
  target?: string;
  /** The --resolve entries given. */
  resolve?: readonly string[] | undefined;
  /** Asked only when every failure was a connect timeout (it may cost an API call). */
  internal: () => Promise<boolean>;
}

/** PURE: the baseline checks over the seconds seen so far. */
export function judgeBaseline(seconds: readonly SecondSummary[], cfg: Pick<RunConfig, 'baselineMs' | 'steadyErrorRate' | 'steadyP99Ms'>): BaselineJudgement {
  const want = Math.ceil(cfg.baselineMs / 1000);
  const judged = seconds.filter((s) => !s.saturated);
  const window = judged.slice(0, want);
  const sent = window.reduce((a, s) => a + s.sent, 0);
  const failed = window.reduce((a, s) => a + s.failed, 0);
  const scheduled = window.reduce((a, s) => a + s.scheduled, 0);
  const p99 = Math.max(0, ...window.map((s) => s.p99 ?? 0));
  const errorRate = sent ? failed / sent : 1;
  const completion = scheduled ? sent / scheduled : 0;
  const saturated = seconds.length - judged.length;
  const checks = [
    { name: 'baseline judged seconds', pass: window.length >= want, detail: `${window.length}/${want} (the probe was saturated in ${saturated} second(s); lower --rate or free CPU)` },
    { name: 'baseline error rate', pass: errorRate <= cfg.steadyErrorRate, detail: `${(errorRate * 100).toFixed(2)}% of ${sent} (max ${(cfg.steadyErrorRate * 100).toFixed(2)}%)` },
    { name: 'baseline p99', pass: p99 <= cfg.steadyP99Ms, detail: `${Math.round(p99)}ms (max ${cfg.steadyP99Ms}ms)` },
    { name: 'baseline completion', pass: completion >= 0.99, detail: `${sent}/${scheduled} scheduled requests sent` },
  ];
  const failing = checks.filter((c) => !c.pass);
  return { pass: failing.length === 0, detail: failing.map((c) => `${c.name} ${c.detail}`).join('; ') || 'ok', checks };
}

/** Records the probe's seconds until the window is full (or the bound is reached, or the run is interrupted), then judges it. */
export function collectBaseline(
  probe: Probe,
  rec: Recorder,
  cfg: Pick<RunConfig, 'baselineMs' | 'steadyErrorRate' | 'steadyP99Ms'>,
  signal: AbortSignal,
  ctx?: BaselineContext,
): Promise<BaselineJudgement> {
  const want = Math.ceil(cfg.baselineMs / 1000);
  const most = want + Math.max(5, want);
  const judgedCount = () => rec.r.seconds.filter((s) => !s.saturated).length;
  return new Promise((resolve) => {
    const done = () => {
      probe.off('second', onSecond);
      signal.removeEventListener('abort', done);
      const j = judgeBaseline(rec.r.seconds, cfg);
      rec.addSteadyChecks(j.checks);
      if (j.pass || !ctx) return resolve(j);
      void explain(rec.r.seconds, probe, ctx).then((refusal) => resolve(refusal ? { ...j, refusal } : j));
    };
    const onSecond = (s: SecondSummary) => {
      rec.addSecond(s);
      if (judgedCount() >= want || rec.r.seconds.length >= most) done();
    };
    if (signal.aborted) return done();
    probe.on('second', onSecond);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function explain(seconds: readonly SecondSummary[], probe: Probe, ctx: BaselineContext): Promise<Refusal | undefined> {
  const kinds = failuresByKind(seconds);
  const timeoutsOnly = (kinds.connect_timeout ?? 0) > 0 && Object.keys(kinds).every((k) => k === 'connect_timeout' || k === 'timeout');
  const internal = timeoutsOnly ? await ctx.internal().catch(() => false) : false;
  return explainRefusal(seconds, { host: ctx.host, target: ctx.target, resolve: ctx.resolve, internal, certificate: probe.certificateProblem?.() });
}
