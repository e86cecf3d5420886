/**
 * A load probe whose seconds the test decides (healthy, failing, saturated): one `second` per second of the
 * run's manual clock, contiguous like the real probe's, and on abort a ProbeSummary of exactly what it
 * emitted. Behind the runner's Probe seam (src/experiment/deps.ts) in place of the undici LoadProbe.
 */
import { EventEmitter } from 'node:events';
import type { Probe } from '../../../src/experiment/deps.js';
import type { SecondSummary } from '../../../src/observe/buckets.js';
import type { ProbeOptions, ProbeSummary } from '../../../src/observe/load-probe.js';
import type { ManualClock } from './manual-clock.js';

export type SecondKind = 'ok' | 'fail' | 'saturated';

/** What a probe second looks like, by kind (`rate` requests scheduled and sent each second). */
export function secondOf(kind: SecondKind, t: number, startMs: number, rate: number): SecondSummary {
  const n = Math.max(1, Math.round(rate));
  const failed = kind === 'fail' ? n : 0;
  return {
    t,
    startMs,
    scheduled: n,
    sent: n,
    ok: n - failed,
    failed,
    late: 0,
    p50: 3,
    p90: 4,
    p99: 5,
    max: 6,
    lagMs: kind === 'saturated' ? 500 : 1,
    saturated: kind === 'saturated',
    errorsByKind: failed ? { http_503: failed } : {},
    firstFailureAtMs: failed ? startMs : null,
  };
}

/** The probe, scripted: one `second` per virtual second since run(); summary of what it emitted on abort. */
export class ScriptedProbe extends EventEmitter implements Probe {
  private startedAt: number | undefined;
  private mark = -Infinity;
  readonly seconds: SecondSummary[] = [];
  private finish: (() => void) | undefined;

  constructor(
    readonly opts: ProbeOptions,
    private readonly clock: ManualClock,
    private readonly kindOf: (t: number, startMs: number) => SecondKind,
  ) {
    super();
  }

  markFrom(epochMs: number): void {
    this.mark = epochMs;
  }

  run(): Promise<ProbeSummary> {
    this.startedAt = this.clock.now();
    return new Promise<ProbeSummary>((resolve) => {
      this.finish = () => resolve(this.summary());
      if (this.opts.signal?.aborted) return this.finish();
      this.opts.signal?.addEventListener('abort', () => this.finish?.(), { once: true });
    });
  }

  /** Emits every second that has ended by the clock's now (at most `max` per call). */
  tick(max = 600): void {
    if (this.startedAt === undefined || this.opts.signal?.aborted) return;
    for (let i = 0; i < max; i++) {
      const t = this.seconds.length;
      const startMs = this.startedAt + t * 1000;
      if (startMs + 1000 > this.clock.now()) return;
      const s = secondOf(this.kindOf(t, startMs), t, startMs, this.opts.rate ?? 20);
      this.seconds.push(s);
      this.emit('second', s);
    }
  }

  private summary(): ProbeSummary {
    const sum = (f: (s: SecondSummary) => number) => this.seconds.reduce((a, s) => a + f(s), 0);
    const sent = sum((s) => s.sent);
    const ok = sum((s) => s.ok);
    const failed = sum((s) => s.failed);
    const firstFailure = this.seconds.find((s) => s.failed > 0 && s.startMs >= this.mark);
    const lat = { p50: 3, p90: 4, p95: 5, p99: 5, max: 6, mean: 3 };
    return {
      url: this.opts.url,
      host: new URL(this.opts.url).hostname,
      transport: 'http',
      insecure: false,
      mode: 'open',
      rate: this.opts.rate ?? null,
      connections: 1,
      startedAtMs: this.startedAt ?? this.clock.now(),
      elapsedMs: this.clock.now() - (this.startedAt ?? this.clock.now()),
      aborted: true,
      sent,
      ok,
      failed,
      late: 0,
      availability: sent ? ok / sent : null,
      achievedRate: this.opts.rate ?? 0,
      latencyMs: lat,
      serviceMs: lat,
      errorsByKind: failed ? { http_503: failed } : {},
      firstFailureAtMs: firstFailure?.startMs ?? null,
      saturatedSeconds: this.seconds.filter((s) => s.saturated).length,
      perSecond: [...this.seconds],
      droppedSeconds: 0,
      nodes: [],
    };
  }
}
