/**
 * Inline SVG charts for the HTML report, generated here rather than in the browser: the file must open
 * offline, from a CI artifact, with no script and no network fetch. Three charts share one time axis
 * (ms since t0) so the fault and recovery markers line up vertically across them:
 *   requests and errors per second · latency p50/p99 per second · healthy targets, InService and desired.
 *
 * Long runs are reduced to at most MAX_COLUMNS columns, each showing the MAXIMUM of its seconds, as the
 * terminal chart does: a one-second outage must stay visible in an hour-long run.
 */
import { formatDuration } from '../core/duration.js';
import type { CapacitySample, ProbeSecond, Report } from '../experiment/types.js';
import { formatLatency, formatOffset } from './text.js';

/** Escapes text for HTML/SVG text and attribute values. */
export function esc(text: string | number | boolean | null | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const W = 960;
const H = 220;
const M = { left: 64, right: 20, top: 26, bottom: 30 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
export const MAX_COLUMNS = 600;

interface Domain {
  from: number;
  to: number;
}

interface Column {
  atMs: number;
  seconds: number;
  sent: number;
  ok: number;
  failed: number;
  p50: number | null;
  p99: number | null;
  saturated: boolean;
}

const fin = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

export function columnsOf(perSecond: ProbeSecond[]): { columns: Column[]; k: number } {
  const k = Math.max(1, Math.ceil(perSecond.length / MAX_COLUMNS));
  const columns: Column[] = [];
  for (let i = 0; i < perSecond.length; i += k) {
    const g = perSecond.slice(i, i + k);
    const max = (f: (s: ProbeSecond) => number | null): number | null => g.reduce<number | null>((m, s) => (fin(f(s)) && (m === null || (f(s) as number) > m) ? f(s) : m), null);
    columns.push({
      atMs: (g[0] as ProbeSecond).atMs,
      seconds: g.length,
      sent: max((s) => s.sent) ?? 0,
      ok: max((s) => s.ok) ?? 0,
      failed: max((s) => s.failed) ?? 0,
      p50: max((s) => s.p50),
      p99: max((s) => s.p99),
      saturated: g.some((s) => s.saturated),
    });
  }
  return { columns, k };
}

/** The shared time domain: every probe second and capacity sample, and t0 itself. */
export function timeDomain(r: Report): Domain {
  const xs: number[] = [0];
  for (const s of r.probe?.perSecond ?? []) xs.push(s.atMs, s.atMs + 1000);
  for (const s of r.capacity.samples) xs.push(s.atMs);
  for (const e of r.timeline) xs.push(e.atMs);
  const from = Math.min(...xs.filter(fin));
  let to = Math.max(...xs.filter(fin));
  if (to - from < 1000) to = from + 1000;
  return { from, to };
}

const xOf = (d: Domain, ms: number): number => M.left + ((ms - d.from) / (d.to - d.from)) * PW;
const yOf = (max: number, v: number): number => M.top + PH - (max <= 0 ? 0 : (v / max) * PH);

/** A round axis maximum ≥ v: 1, 2, 5 × 10^n. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function timeTicks(d: Domain): number[] {
  const span = d.to - d.from;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  const step = steps.find((s) => span / s <= 10) ?? 3_600_000 * Math.ceil(span / 36_000_000);
  const ticks: number[] = [];
  for (let t = Math.ceil(d.from / step) * step; t <= d.to; t += step) ticks.push(t);
  return ticks;
}

interface Marker {
  atMs: number;
  label: string;
  cls: string;
}

export function markersOf(r: Report): Marker[] {
  const m: Marker[] = [];
  if (r.fault?.t0 != null) m.push({ atMs: 0, label: 't0 fault', cls: 'mk-fault' });
  const rec = r.recovery;
  if (rec?.serviceRecoveredMs != null && rec.timeToImpactMs !== null) m.push({ atMs: rec.serviceRecoveredMs, label: 'service recovered', cls: 'mk-service' });
  if (rec?.capacityRecoveredMs != null) m.push({ atMs: rec.capacityRecoveredMs, label: 'capacity recovered', cls: 'mk-capacity' });
  return m;
}

function frame(d: Domain, yMax: number, yLabel: (v: number) => string, markers: Marker[], body: string, title: string): string {
  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<rect class="plot-bg" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`);
  for (const f of [0, 0.5, 1]) {
    const y = yOf(1, f);
    parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${r1(y)}" y2="${r1(y)}"/>`);
    parts.push(`<text class="tick" x="${M.left - 6}" y="${r1(y + 4)}" text-anchor="end">${esc(yLabel(yMax * f))}</text>`);
  }
  for (const t of timeTicks(d)) {
    const x = xOf(d, t);
    parts.push(`<line class="grid" x1="${r1(x)}" x2="${r1(x)}" y1="${M.top}" y2="${M.top + PH}"/>`);
    parts.push(`<text class="tick" x="${r1(x)}" y="${H - 10}" text-anchor="middle">${esc(formatOffset(t))}</text>`);
  }
  parts.push(body);
  markers.forEach((mk, i) => {
    const x = xOf(d, mk.atMs);
    if (x < M.left - 0.5 || x > M.left + PW + 0.5) return;
    parts.push(`<line class="marker ${mk.cls}" x1="${r1(x)}" x2="${r1(x)}" y1="${M.top - 4}" y2="${M.top + PH}"><title>${esc(`${mk.label} at ${formatOffset(mk.atMs)}`)}</title></line>`);
    // Labels alternate rows so markers close together do not overprint each other.
    parts.push(`<text class="mk-label ${mk.cls}" x="${r1(x + 3)}" y="${M.top - 6 - (i % 2) * 11}">${esc(mk.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function requestsChart(r: Report, d: Domain): string {
  const { columns, k } = columnsOf(r.probe?.perSecond ?? []);
  const yMax = niceMax(Math.max(1, ...columns.map((c) => c.ok + c.failed)));
  const body: string[] = [];
  for (const c of columns) {
    const x = xOf(d, c.atMs);
    const w = Math.max(1, xOf(d, c.atMs + c.seconds * 1000) - x - 0.5);
    if (c.saturated) body.push(`<rect class="saturated" x="${r1(x)}" y="${M.top}" width="${r1(w)}" height="${PH}"><title>probe saturated: not judged</title></rect>`);
    const tip = `${formatOffset(c.atMs)}${k > 1 ? ` (${k}s, max)` : ''}: ${c.sent} sent, ${c.ok} ok, ${c.failed} failed`;
    const yOk = yOf(yMax, c.ok);
    if (c.ok > 0) body.push(`<rect class="ok" x="${r1(x)}" y="${r1(yOk)}" width="${r1(w)}" height="${r1(M.top + PH - yOk)}"><title>${esc(tip)}</title></rect>`);
    if (c.failed > 0) {
      const yF = yOf(yMax, c.ok + c.failed);
      body.push(`<rect class="failed" x="${r1(x)}" y="${r1(yF)}" width="${r1(w)}" height="${r1(Math.max(1, yOk - yF))}"><title>${esc(tip)}</title></rect>`);
    }
  }
  return frame(d, yMax, (v) => String(Math.round(v)), markersOf(r), body.join(''), 'requests and errors per second');
}

function linePath(d: Domain, yMax: number, pts: { x: number; y: number | null }[]): string {
  let path = '';
  let pen = false;
  for (const p of pts) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${r1(xOf(d, p.x))} ${r1(yOf(yMax, p.y))}`;
    pen = true;
  }
  return path;
}

export function latencyChart(r: Report, d: Domain): string {
  const { columns } = columnsOf(r.probe?.perSecond ?? []);
  const yMax = niceMax(Math.max(1, ...columns.map((c) => c.p99 ?? 0), ...columns.map((c) => c.p50 ?? 0)));
  const mid = (c: Column) => c.atMs + (c.seconds * 1000) / 2;
  const p50 = linePath(
    d,
    yMax,
    columns.map((c) => ({ x: mid(c), y: c.p50 })),
  );
  const p99 = linePath(
    d,
    yMax,
    columns.map((c) => ({ x: mid(c), y: c.p99 })),
  );
  const dots = columns
    .filter((c) => c.p99 !== null)
    .map(
      (c) =>
        `<circle class="p99-dot" cx="${r1(xOf(d, mid(c)))}" cy="${r1(yOf(yMax, c.p99 as number))}" r="1.6"><title>${esc(`${formatOffset(c.atMs)}: p50 ${formatLatency(c.p50)}, p99 ${formatLatency(c.p99)}`)}</title></circle>`,
    )
    .join('');
  const body = `${p50 ? `<path class="line p50" d="${p50}"/>` : ''}${p99 ? `<path class="line p99" d="${p99}"/>` : ''}${dots}`;
  return frame(d, yMax, (v) => (v === 0 ? '0' : formatLatency(v)), markersOf(r), body, 'latency p50 and p99 per second');
}

function stepPath(d: Domain, yMax: number, samples: CapacitySample[], pick: (s: CapacitySample) => number): string {
  if (samples.length === 0) return '';
  let path = '';
  samples.forEach((s, i) => {
    const x = r1(xOf(d, s.atMs));
    const y = r1(yOf(yMax, pick(s)));
    path += i === 0 ? `M${x} ${y}` : `H${x}V${y}`;
  });
  // The last known value holds until the end of the run.
  return `${path}H${r1(xOf(d, d.to))}`;
}

export function capacityChart(r: Report, d: Domain): string {
  // A weighted group's samples carry units InService (`capacity`): plotted against desired, which counts units.
  const samples = [...r.capacity.samples]
    .filter((s) => fin(s.atMs))
    .sort((a, b) => a.atMs - b.atMs)
    .map((s) => ({ ...s, inService: s.capacity ?? s.inService }));
  const yMax = Math.max(1, ...samples.map((s) => Math.max(s.desired, s.inService, s.healthy)), r.capacity.desired, r.capacity.baselineHealthy) + 1;
  const dots = samples
    .map(
      (s) =>
        `<circle class="cap-dot" cx="${r1(xOf(d, s.atMs))}" cy="${r1(yOf(yMax, s.healthy))}" r="2.2"><title>${esc(`${formatOffset(s.atMs)}: healthy ${s.healthy}, InService ${s.inService}, desired ${s.desired}`)}</title></circle>`,
    )
    .join('');
  const body = [
    `<path class="line desired" d="${stepPath(d, yMax, samples, (s) => s.desired)}"/>`,
    `<path class="line inservice" d="${stepPath(d, yMax, samples, (s) => s.inService)}"/>`,
    `<path class="line healthy" d="${stepPath(d, yMax, samples, (s) => s.healthy)}"/>`,
    dots,
  ].join('');
  return frame(d, yMax, (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)), markersOf(r), body, 'healthy targets, InService and desired over time');
}

/** A caption for the requests chart when columns merge seconds. */
export function columnNote(r: Report): string {
  const { k } = columnsOf(r.probe?.perSecond ?? []);
  return k > 1 ? `each bar covers ${formatDuration(k * 1000)}; the maximum is shown` : 'one bar per second';
}

/**
 * Requests and errors per second of one AZ's nodes (or one address when its AZ is unknown), on the same time
 * axis and with the same markers as the overall chart: a dark AZ shows as its own red band.
 */
export function azRequestsChart(r: Report, d: Domain, perSecond: ProbeSecond[]): string {
  if (!r.probe) return '';
  return requestsChart({ ...r, probe: { ...r.probe, perSecond } }, d);
}
