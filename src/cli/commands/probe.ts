/**
 * `chaos-ec2 probe URL`: the load probe on its own. A measuring tool, not a gate: it exits 0 whenever it ran,
 * whatever the service answered (130 if interrupted, after printing what it measured). Per-second lines go
 * to stdout, or to stderr with --json so stdout carries the summary JSON alone.
 */
import { redactUrl } from '../../core/redact.js';
import { ExitCode, usageError } from '../../core/errors.js';
import { formatDuration } from '../../core/duration.js';
import type { SecondSummary } from '../../observe/buckets.js';
import { checkProbeRate } from '../../observe/calibrate.js';
import { LoadProbe, type ProbeSummary } from '../../observe/load-probe.js';
import { transportOptions } from '../../experiment/probe-transport.js';

/** The parsed flags (probe-flags.ts validates them; this module owns their shape, as demo and report do). */
export interface ProbeFlags {
  rate?: number;
  connections?: number;
  pipelining?: number;
  duration: number;
  maxRequests?: number;
  timeout: number;
  method: string;
  header: Record<string, string>;
  expectStatus?: number[];
  probe: 'http' | 'tcp';
  host?: string;
  resolve?: string[];
  caCert?: string;
  insecure: boolean;
  json?: boolean;
}

const ms = (v: number | null): string => {
  if (v === null || !Number.isFinite(v)) return '—';
  if (v < 10) return `${v.toFixed(2)}ms`;
  if (v < 1000) return `${Math.round(v)}ms`;
  return formatDuration(v);
};

const kinds = (e: Partial<Record<string, number>>): string =>
  Object.entries(e)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');

/** One plain line per finished second. */
export function formatSecondLine(s: SecondSummary): string {
  const parts = [
    `${String(s.t).padStart(4)}s`,
    `sent ${String(s.sent).padStart(6)}`,
    `ok ${String(s.ok).padStart(6)}`,
    `failed ${String(s.failed).padStart(5)}`,
    `late ${String(s.late).padStart(4)}`,
    `p50 ${ms(s.p50).padStart(7)}`,
    `p99 ${ms(s.p99).padStart(7)}`,
    `max ${ms(s.max).padStart(7)}`,
  ];
  if (s.saturated) parts.push(`SATURATED (probe lag ${s.lagMs}ms)`);
  if (s.failed) parts.push(kinds(s.errorsByKind));
  return parts.join('  ');
}

/** The end-of-run table. */
export function formatProbeSummary(p: ProbeSummary): string {
  const pct = p.availability === null ? '—' : `${(p.availability * 100).toFixed(p.availability === 1 ? 0 : 3)}%`;
  const mode = p.mode === 'open' ? `open model, ${p.rate} req/s requested` : `closed loop${p.pipelining ? `, pipelining ${p.pipelining}` : ''}`;
  const rows: [string, string][] = [
    ['url', redactUrl(p.url)],
    ...(p.host !== new URL(p.url).hostname ? [['host', `${p.host} (Host header and TLS server name)`] as [string, string]] : []),
    ...(p.insecure ? [['TLS', 'CERTIFICATE NOT VERIFIED (--insecure)'] as [string, string]] : []),
    ...(p.transport === 'tcp' ? [['probe', 'tcp: connect only (latency = connect time)'] as [string, string]] : []),
    ['mode', `${mode}, ${p.connections} connections${p.aborted ? ', interrupted' : ''}`],
    ['duration', formatDuration(p.elapsedMs)],
    ['requests', `${p.sent} sent, ${p.ok} ok, ${p.failed} failed, ${p.late} sent late`],
    ['achieved rate', `${p.achievedRate} req/s`],
    ['availability', pct],
    ['latency', `p50 ${ms(p.latencyMs.p50)}  p90 ${ms(p.latencyMs.p90)}  p99 ${ms(p.latencyMs.p99)}  max ${ms(p.latencyMs.max)}  (from intended send time)`],
    ['service time', `p50 ${ms(p.serviceMs.p50)}  p99 ${ms(p.serviceMs.p99)}  max ${ms(p.serviceMs.max)}  (from actual send)`],
  ];
  if (p.failed) rows.push(['errors', kinds(p.errorsByKind)]);
  if (p.nodes.length > 1 || p.nodes.some((n) => n.az)) rows.push(['nodes', formatNodes(p)]);
  if (p.saturatedSeconds) rows.push(['saturated', `${p.saturatedSeconds} s where the probe itself fell behind (not the service's fault)`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v.split('\n').join(`\n${' '.repeat(w + 2)}`)}`).join('\n');
}

/** One line per address probed: its share, availability and p99. */
function formatNodes(p: ProbeSummary): string {
  return p.nodes
    .map((n) => {
      const pct = n.availability === null ? '—' : `${(n.availability * 100).toFixed(n.availability === 1 ? 0 : 1)}%`;
      return `${n.address}${n.az ? ` (${n.az})` : ''}: ${n.sent} sent, ${pct} ok, p99 ${ms(n.p99Ms)}${n.inDns ? '' : ', no longer in DNS'}`;
    })
    .join('\n');
}

export async function runProbeCommand(url: string, flags: ProbeFlags): Promise<number> {
  if (flags.rate !== undefined && (flags.pipelining ?? 1) > 1) {
    throw usageError(
      '--pipelining is for closed-loop mode only',
      'drop --rate to measure throughput, or --pipelining to keep the open model (a queued request would wait for the one ahead of it)',
    );
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const lines = flags.json ? process.stderr : process.stdout;
  try {
    // A measuring tool, so a warning rather than `run`'s refusal (exit 3): seconds it cannot keep up with are
    // marked saturated. The calibration also warms the probe's code before the first scheduled send.
    if (flags.rate !== undefined) {
      const check = await checkProbeRate(flags.rate);
      if (!check.ok) {
        process.stderr.write(
          `warning: --rate ${flags.rate} is above this machine's measured probe ceiling (${check.calibration.ceiling} req/s, loopback calibration): expect late sends and saturated seconds\n`,
        );
      }
    }
    const probe = new LoadProbe({
      url,
      durationMs: flags.duration,
      timeoutMs: flags.timeout,
      method: flags.method,
      headers: flags.header,
      signal: stop.signal,
      ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      ...(flags.connections !== undefined ? { connections: flags.connections } : {}),
      ...(flags.pipelining !== undefined ? { pipelining: flags.pipelining } : {}),
      ...(flags.maxRequests !== undefined ? { maxRequests: flags.maxRequests } : {}),
      ...(flags.expectStatus ? { expectStatus: flags.expectStatus } : {}),
      ...transportOptions(flags),
    });
    probe.on('second', (s) => lines.write(`${formatSecondLine(s)}\n`));
    const summary = await probe.run();
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(`\n${formatProbeSummary(summary)}\n`);
    return summary.aborted ? ExitCode.Interrupted : ExitCode.Ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
