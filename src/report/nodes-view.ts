/**
 * PURE: the probe's transport and per-node figures as the renderers show them (terminal, Markdown, HTML): the
 * Host/SNI name, a loud flag when certificates were not verified, a tcp probe, and one row per address the
 * probe spread its requests over (a load balancer node), with its AZ.
 */
import type { ProbeNodeReport, ProbeReport, ProbeSecond } from '../experiment/types.js';
import { formatLatency } from './text.js';

export interface TransportNote {
  key: string;
  value: string;
  /** `bad`: shown loudly (certificate verification off). */
  tone?: 'bad';
}

export const INSECURE_NOTE = 'NOT VERIFIED (--insecure): any certificate was accepted';

export function transportNotes(p: ProbeReport): TransportNote[] {
  const notes: TransportNote[] = [];
  if (p.insecure) notes.push({ key: 'TLS certificate', value: INSECURE_NOTE, tone: 'bad' });
  let urlHost = '';
  try {
    urlHost = new URL(p.url).hostname;
  } catch {
    // A redacted or odd URL: show the host whenever it is known.
  }
  if (p.host && p.host !== urlHost) notes.push({ key: 'Host / TLS name', value: p.host });
  if (p.transport === 'tcp')
    notes.push({ key: 'probe', value: `tcp: connect only (success = ${/^(https|tls):/.test(p.url) ? 'TCP and TLS handshake' : 'TCP handshake'}, latency = connect time)` });
  return notes;
}

export interface NodeRow {
  address: string;
  az: string;
  sent: number;
  ok: number;
  failed: number;
  availability: string;
  /** The lowest availability of any second in which requests went to it. */
  worst: string;
  p99: string;
  note: string;
}

const pct = (v: number | null): string => (v === null ? '—' : `${(Math.floor(v * 1000) / 10).toFixed(1)}%`);

/** Rows in AZ order (unknown AZ last), then by address. */
export function nodeRows(p: ProbeReport): NodeRow[] {
  return sortedNodes(p.nodes ?? []).map((n) => {
    const rates = n.seconds.filter((s) => s.sent > 0).map((s) => s.ok / s.sent);
    return {
      address: n.address,
      az: n.az ?? 'unknown',
      sent: n.sent,
      ok: n.ok,
      failed: n.failed,
      availability: pct(n.availability),
      worst: rates.length ? pct(Math.min(...rates)) : '—',
      p99: formatLatency(n.p99Ms),
      note: n.inDns ? '' : 'left DNS',
    };
  });
}

/** Whether a node table says anything beyond the overall figures. */
export const showNodes = (p: ProbeReport | null | undefined): p is ProbeReport & { nodes: ProbeNodeReport[] } => !!p?.nodes && (p.nodes.length > 1 || p.nodes.some((n) => n.az));

function sortedNodes(nodes: ProbeNodeReport[]): ProbeNodeReport[] {
  return [...nodes].sort((a, b) => (a.az ?? '\uffff').localeCompare(b.az ?? '\uffff') || a.address.localeCompare(b.address));
}

/** Per AZ (or per address when the AZ is unknown): its nodes' seconds added up, as probe seconds for a chart. */
export function secondsByAz(p: ProbeReport): { label: string; addresses: string[]; perSecond: ProbeSecond[] }[] {
  const groups = new Map<string, ProbeNodeReport[]>();
  for (const n of sortedNodes(p.nodes ?? [])) {
    const key = n.az ?? n.address;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups].map(([label, nodes]) => {
    const byT = new Map<number, ProbeSecond>();
    for (const n of nodes) {
      for (const s of n.seconds) {
        const cur = byT.get(s.t) ?? { t: s.t, atMs: s.atMs, sent: 0, ok: 0, failed: 0, late: 0, p50: null, p99: null, max: null, saturated: false, errorsByKind: {} };
        cur.sent += s.sent;
        cur.ok += s.ok;
        cur.failed += s.failed;
        cur.p99 = s.p99 === null ? cur.p99 : Math.max(cur.p99 ?? 0, s.p99);
        byT.set(s.t, cur);
      }
    }
    return { label, addresses: nodes.map((n) => n.address), perSecond: [...byT.values()].sort((a, b) => a.t - b.t) };
  });
}
