/**
 * PURE: the probe report's transport part — the name it used as Host/SNI, whether certificates were checked,
 * what a success was, and each address's own figures — from the config and the probe's summary.
 */
import type { ProbeSummary } from '../observe/load-probe.js';
import { runProbeHost, type TransportConfig } from './probe-transport.js';
import type { ProbeNodeReport, ProbeReport } from './types.js';

export function probeTransportSection(
  cfg: TransportConfig,
  d: { url: string; host?: string | undefined },
  summary: ProbeSummary | null,
  base: number,
): Pick<ProbeReport, 'host' | 'transport' | 'insecure' | 'nodes'> {
  return {
    host: summary?.host ?? runProbeHost(cfg, d) ?? hostnameOf(d.url),
    transport: summary?.transport ?? cfg.probe,
    insecure: summary?.insecure ?? cfg.insecure,
    ...(summary ? { nodes: summary.nodes.map((n) => nodeReport(n, summary.startedAtMs - base)) } : {}),
  };
}

function nodeReport(n: ProbeSummary['nodes'][number], offset: number): ProbeNodeReport {
  return {
    address: n.address,
    ...(n.az ? { az: n.az } : {}),
    sent: n.sent,
    ok: n.ok,
    failed: n.failed,
    availability: n.availability,
    p99Ms: n.p99Ms,
    errorsByKind: { ...n.errorsByKind } as Record<string, number>,
    inDns: n.inDns,
    seconds: n.seconds.map((s) => ({ t: s.t, atMs: offset + s.t * 1000, sent: s.sent, ok: s.ok, failed: s.failed, p99: s.p99 })),
  };
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
