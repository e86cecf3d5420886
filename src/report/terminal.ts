/**
 * The human summary printed at the end of `chaos-ec2 run` (and by `chaos-ec2 report`). Returns a string;
 * the CLI prints it. Reads only the Report, so a summary rendered from a saved report.json is identical to
 * the one printed live. Laid out for 80 columns; narrower widths wrap rather than overflow.
 */
import { contaminatedLine } from './capacity-notes.js';
import { formatDuration } from '../core/duration.js';
import { routeSummary } from '../experiment/route.js';
import type { Gate, Report, TimelineEntry, Verdict } from '../experiment/types.js';
import { renderChart } from './chart.js';
import { sectionViews } from './fault-view.js';
import { nodeRows, showNodes, transportNotes } from './nodes-view.js';
import { formatLatency, formatOffset, pad, painter, truncate, wrap, type Style } from './text.js';

export interface SummaryOptions {
  color: boolean;
  /** Terminal width in columns; default 80. */
  width?: number;
}

type Paint = ReturnType<typeof painter>;

export const FAIL_OPEN_WARNING = 'all targets of a group were unhealthy at once; the load balancer failed open, so successful requests hid a real loss of health';

const VERDICT_STYLE: Record<Verdict, Style> = { pass: 'green', fail: 'red', aborted: 'yellow', error: 'magenta' };
const KEY = 26;

export function renderSummary(report: Report, opts: SummaryOptions): string {
  const width = Math.max(40, Math.floor(opts.width ?? 80));
  const paint = painter(opts.color);
  const sections = [
    banner(report, width, paint),
    target(report, width, paint),
    fault(report, width, paint),
    faultSection(report, width, paint),
    rollback(report, width, paint),
    steadyState(report, width, paint),
    recovery(report, width, paint),
    probe(report, width, paint),
    nodes(report, width, paint),
    timeline(report.timeline, width, paint),
    gates(report.gates, width, paint),
    report.probe ? [heading('Per second', paint), renderChart(report.probe.perSecond, { width, color: opts.color, markT0: report.fault?.t0 != null })] : [],
  ];
  return sections
    .filter((s) => s.length > 0)
    .map((s) => s.join('\n'))
    .join('\n\n');
}

const heading = (text: string, paint: Paint): string => paint(text, 'bold');

/** `  key                 value`, the value wrapped under itself when long. */
function row(key: string, value: string, width: number, indent = 2): string {
  const keyCol = Math.max(KEY, indent + key.length + 2);
  // A single long token (URL) that does not fit beside its key goes on its own line, so it is not cut.
  if (!/\s/.test(value) && value.length > width - keyCol && value.length <= width - indent - 2) {
    return `${' '.repeat(indent)}${key}\n${' '.repeat(indent + 2)}${value}`;
  }
  const lines = wrap(value, width - keyCol, 0);
  return lines
    .map((l, i) => (i === 0 ? pad(' '.repeat(indent) + key, keyCol) : ' '.repeat(keyCol)) + l)
    .join('\n')
    .trimEnd();
}

/** The readable tail of an ELB ARN (`app/web-alb/50dc…`, `web-tg/6d0e…`); the JSON keeps the full ARN. */
const arnName = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1).replace(/^(loadbalancer|targetgroup)\//, '');

function banner(r: Report, width: number, paint: Paint): string[] {
  const rule = paint('━'.repeat(width), VERDICT_STYLE[r.verdict]);
  const word = paint(` ${r.verdict.toUpperCase()} `, 'bold', 'inverse', VERDICT_STYLE[r.verdict]);
  const ran = Date.parse(r.endedAt) - Date.parse(r.startedAt);
  const meta = truncate(`exit ${r.exitCode} · ${r.id} · ran ${formatDuration(ran)}`, width - 9);
  const lines = [rule, ` ${word}  ${meta}`];
  if (r.reason) lines.push(...wrap(r.reason, width - 2, 0).map((l) => `  ${paint(l, 'bold')}`));
  if (r.hint) lines.push(...wrap(`→ ${r.hint}`, width - 2, 0).map((l) => `  ${l}`));
  // Preflight's labels (what the recovery figures mean on this group) and warnings.
  for (const n of r.preflight?.notes ?? []) lines.push(...wrap(`note: ${n}`, width - 2, 0).map((l) => `  ${l}`));
  for (const w of r.preflight?.warnings ?? []) lines.push(...wrap(`⚠ ${w}`, width - 2, 0).map((l) => `  ${l}`));
  lines.push(rule);
  return lines;
}

function target(r: Report, width: number, paint: Paint): string[] {
  const t = r.target;
  const lines = [
    heading('Target', paint),
    row('account / region', `${t.account} · ${t.region}${t.endpoint ? ` · endpoint ${t.endpoint}` : ''}`, width),
    row('Auto Scaling group', t.asg, width),
    row('URL', t.url, width),
  ];
  if (t.listener) lines.push(row('route', routeSummary(t.listener), width));
  if (t.loadBalancers.length) lines.push(row('load balancers', t.loadBalancers.map(arnName).join(' '), width));
  if (t.targetGroups.length) lines.push(row('target groups', t.targetGroups.map(arnName).join(' '), width));
  return lines;
}

function fault(r: Report, width: number, paint: Paint): string[] {
  const f = r.fault;
  if (!f) return [heading('Fault', paint), row('', 'none injected', width)];
  const sel = f.selection;
  const rule = [sel.count !== undefined ? `count ${sel.count}` : '', sel.percent !== undefined ? `${sel.percent}%` : '', sel.az ? `in ${sel.az}` : ''].filter(Boolean).join(' ');
  const lines = [heading('Fault', paint), row('kind', `${f.kind}${rule ? ` (${rule})` : ''}`, width)];
  lines.push(row('injected at', f.injectedAt ? `${f.injectedAt} (t0)` : 'not injected', width));
  const ids = f.targets.map((t) => `${t.instanceId} (${t.availabilityZone})`);
  const key = f.targets.length === 1 ? 'instance' : `instances (${f.targets.length})`;
  ids.forEach((id, i) => lines.push(row(i === 0 ? key : '', id, width)));
  if (ids.length === 0) lines.push(row(key, '—', width));
  return lines;
}

/** The fault's own section (its module's view): e.g. which subnets were cut off and whether each is back. */
function faultSection(r: Report, width: number, paint: Paint): string[] {
  const tone = (value: string, t: 'good' | 'bad' | undefined) => (t === 'good' ? paint(value, 'green') : t === 'bad' ? paint(value, 'red', 'bold') : value);
  return sectionViews(r).flatMap((v) => [heading(v.heading, paint), ...v.rows.map((x) => row(x.key, tone(x.value, x.tone), width))]);
}

function rollback(r: Report, width: number, paint: Paint): string[] {
  const rb = r.rollback;
  if (!rb || rb.status === 'not-needed') return [];
  if (rb.status === 'complete') return [`${heading('Rollback', paint)}  complete`];
  return [
    `${heading('Rollback', paint)}  ${paint('INCOMPLETE — still injected:', 'red', 'bold')}`,
    ...rb.remaining.map((x) => row('', x, width)),
    ...(rb.recoverCommand ? [row('finish it with', rb.recoverCommand, width)] : []),
  ];
}

function steadyState(r: Report, width: number, paint: Paint): string[] {
  const s = r.steadyState;
  const failed = s.checks.filter((c) => !c.pass);
  const lines = [`${heading('Steady state', paint)}  ${s.pass ? `met (${s.checks.length} checks)` : paint('NOT met', 'red', 'bold')}`];
  for (const c of failed) lines.push(row(`✗ ${c.name}`, c.detail, width));
  return lines;
}

function recovery(r: Report, width: number, paint: Paint): string[] {
  const rec = r.recovery;
  if (!rec) return [heading('Recovery', paint), row('', '— (nothing to recover from)', width)];
  const notYet = (ok: boolean, ms: number | null): string => (ms !== null ? formatDuration(ms) : ok ? '—' : paint('— not recovered before the timeout', 'red'));
  const b = rec.breakdown;
  const lines = [
    `${heading('Recovery', paint)}  ${paint('(time since t0)', 'dim')}`,
    row('time to impact', rec.timeToImpactMs === null ? '— (no request failed)' : formatDuration(rec.timeToImpactMs), width),
    row('service recovered', notYet(rec.serviceRecovered, rec.serviceRecoveredMs), width),
    row('capacity recovered', notYet(rec.capacityRecovered, rec.capacityRecoveredMs), width),
    row('capacity lost', formatDuration(b.capacityLostMs), width, 4),
    row('replacement launched', formatDuration(b.replacementLaunchedMs), width, 4),
    ...(b.lifecycleWaitMs != null ? [row('held in Pending:Wait', formatDuration(b.lifecycleWaitMs), width, 4)] : []),
    row('InService', formatDuration(b.inServiceMs), width, 4),
    row('target healthy', formatDuration(b.targetHealthyMs), width, 4),
    row('failed requests', count(rec.failedRequests), width),
  ];
  if (rec.saturatedSeconds > 0) {
    lines.push(row('probe saturated', `${rec.saturatedSeconds}s (those seconds are not judged)`, width));
  }
  if (rec.failOpenSeen) {
    const warn = wrap(`⚠ WARNING: ${FAIL_OPEN_WARNING}`, width - 2, 2);
    lines.push(...warn.map((l) => `  ${paint(l, 'yellow', 'bold')}`));
  }
  const contaminated = contaminatedLine(r);
  if (contaminated) lines.push(...wrap(`⚠ ${contaminated}`, width - 2, 2).map((l) => `  ${paint(l, 'yellow', 'bold')}`));
  return lines;
}

function probe(r: Report, width: number, paint: Paint): string[] {
  const p = r.probe;
  if (!p) return [heading('Probe', paint), row('', 'no probe data', width)];
  const notes = transportNotes(p).map((n) => row(n.key, n.tone === 'bad' ? paint(`⚠ ${n.value}`, 'red', 'bold') : n.value, width));
  if (p.sent === 0) return [heading('Probe', paint), ...notes, row('', 'no request was sent (the run ended before probing)', width)];
  // availability is ok / sent as a fraction. Floored, not rounded: 99.996 % with failures must not read 100.00 %.
  const availability = `${(Math.floor(p.availability * 10_000) / 100).toFixed(2)}%`;
  const l = p.latencyMs;
  const kinds = Object.entries(p.errorsByKind)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return [
    `${heading('Probe', paint)}  ${paint(`${p.rate} req/s, open model`, 'dim')}`,
    ...notes,
    row('requests', `sent ${count(p.sent)} · ok ${count(p.ok)} · failed ${count(p.failed)} · late ${count(p.late)}`, width),
    row('availability', p.failed > 0 ? paint(availability, 'red') : availability, width),
    row('latency', `p50 ${formatLatency(l.p50)} · p95 ${formatLatency(l.p95)} · p99 ${formatLatency(l.p99)} · max ${formatLatency(l.max)}`, width),
    row('errors', kinds.length ? kinds.map(([k, n]) => `${k} ${count(n)}`).join(' · ') : 'none', width),
  ];
}

/** One row per address probed (a load balancer node) with its AZ: an AZ outage shows as its node alone failing. */
function nodes(r: Report, width: number, paint: Paint): string[] {
  if (!showNodes(r.probe)) return [];
  const rows = nodeRows(r.probe);
  const wAddr = Math.min(Math.max(7, ...rows.map((x) => x.address.length)), Math.max(7, width - 62));
  const wAz = Math.max(2, ...rows.map((x) => x.az.length));
  const line = (cells: string[]): string =>
    `  ${pad(truncate(cells[0] ?? '', wAddr), wAddr)}  ${pad(cells[1] ?? '', wAz)}  ${pad(cells[2] ?? '', 7, true)}  ${pad(cells[3] ?? '', 7, true)}  ${pad(cells[4] ?? '', 6, true)}  ${pad(cells[5] ?? '', 6, true)}  ${pad(cells[6] ?? '', 7, true)}  ${pad(cells[7] ?? '', 8, true)}  ${cells[8] ?? ''}`.trimEnd();
  return [
    `${heading('Nodes', paint)}  ${paint('each address the probe spread requests over; worst = lowest availability of a second', 'dim')}`,
    paint(line(['address', 'AZ', 'sent', 'ok', 'failed', 'avail', 'worst', 'p99', '']), 'dim'),
    ...rows.map((x) => {
      const text = line([x.address, x.az, count(x.sent), count(x.ok), count(x.failed), x.availability, x.worst, x.p99, x.note]);
      return x.failed > 0 ? paint(text, 'red') : text;
    }),
  ];
}

function timeline(entries: TimelineEntry[], width: number, paint: Paint): string[] {
  if (entries.length === 0) return [];
  const at = entries.map((e) => formatOffset(e.atMs));
  const col = Math.max(...at.map((a) => a.length));
  const lines = [heading('Timeline', paint)];
  entries.forEach((e, i) => {
    const where = [e.instanceId, e.availabilityZone ? `(${e.availabilityZone})` : undefined].filter(Boolean).join(' ');
    const text = [e.event, where, e.detail].filter(Boolean).join(' ');
    const indent = 2 + col + 2;
    const [first = '', ...rest] = wrap(text, width - indent, 0);
    lines.push(`  ${paint(pad(at[i] as string, col, true), e.atMs < 0 ? 'dim' : 'cyan')}  ${first}`.trimEnd());
    for (const l of rest) lines.push(' '.repeat(indent) + l);
  });
  return lines;
}

function gates(list: Gate[], width: number, paint: Paint): string[] {
  if (list.length === 0) return [heading('Gates', paint), row('', 'none configured', width)];
  const cells = list.map((g) => [g.name, gateValue(g.name, g.threshold), gateValue(g.name, g.actual)] as const);
  const wThr = Math.max(9, ...cells.map((c) => c[1].length));
  const wAct = Math.max(6, ...cells.map((c) => c[2].length));
  // Row: 2 indent + name + 2 + threshold + 2 + actual + 2 + 'result' (6).
  const wName = Math.max(4, Math.min(width - 14 - wThr - wAct, Math.max(...cells.map((c) => c[0].length))));
  const line = (n: string, t: string, a: string, res: string): string => `  ${pad(truncate(n, wName), wName)}  ${pad(t, wThr, true)}  ${pad(a, wAct, true)}  ${res}`.trimEnd();
  const lines = [heading('Gates', paint), paint(line('gate', 'threshold', 'actual', 'result'), 'dim')];
  list.forEach((g, i) => {
    const [n, t, a] = cells[i] as readonly [string, string, string];
    lines.push(line(n, t, a, g.pass ? paint('PASS', 'green') : paint('FAIL', 'red', 'bold')));
    if (!g.pass && g.detail) lines.push(...wrap(g.detail, width - 4, 0).map((d) => `    ${paint(d, 'dim')}`));
  });
  return lines;
}

/** Gate names carry their unit by convention (`serviceRecoveredMs`): durations read as durations. */
function gateValue(name: string, v: number | string | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (/Ms$/.test(name)) return formatDuration(v);
  return Number.isInteger(v) ? count(v) : String(Number(v.toPrecision(4)));
}

const count = (n: number): string => n.toLocaleString('en-US');
