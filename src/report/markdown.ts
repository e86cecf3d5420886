/**
 * GitHub-flavoured Markdown from the one JSON report: a summary table, the gates, the timeline. Written for
 * a CI job summary ($GITHUB_STEP_SUMMARY) and pull-request comments, so it uses only GFM tables and text.
 *
 * Every string from the report goes through `md()`: a report holds text chosen by others (ASG names, probe
 * URLs, error details, AWS messages), and an unescaped `|` breaks a table while `<` could inject HTML.
 */
import { breakdownText, contaminatedLine } from './capacity-notes.js';
import { formatDuration } from '../core/duration.js';
import { sectionViews } from './fault-view.js';
import { routeSummary } from '../experiment/route.js';
import { nodeRows, showNodes, transportNotes } from './nodes-view.js';
import type { Gate, Report, Verdict } from '../experiment/types.js';
import { formatLatency, formatOffset } from './text.js';
import { FAIL_OPEN_WARNING } from './terminal.js';

const VERDICT_ICON: Record<Verdict, string> = { pass: '✅', fail: '❌', aborted: '⚠️', error: '💥' };

/**
 * Escapes text for a Markdown table cell or paragraph: HTML-special characters, and the Markdown punctuation
 * that can start emphasis, code, links, strikethrough or a heading, or end a cell. `(` needs no escape once
 * `[` and `]` are escaped (a link needs both).
 */
export function md(text: string | number | boolean | null | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/\r?\n|\r/g, ' ');
}

/** Gate values for people: `…Ms` names are durations, rates (0-1 thresholds of rate gates) percentages. */
export function formatGateValue(name: string, v: number | string | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  // `…Ms` by convention; the runner's own 'service recovered' / 'capacity recovered' gates hold ms too.
  if (/Ms$|recovered$/i.test(name)) return formatDuration(v);
  if (name === 'availability' || name === 'errorRate') return `${Number((v * 100).toFixed(3))}%`;
  return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(4)));
}

/** The experiment in a few words: `<fault kind> on web-asg`. */
export function experimentTitle(r: Report): string {
  return `${r.fault?.kind ?? (r.settings.fault as string | undefined) ?? 'experiment'} on ${r.target.asg || '?'}`;
}

/** Availability floored to 2 decimals: 99.996 % with failures must not read 100.00 %. */
export const formatAvailability = (a: number): string => `${(Math.floor(a * 10_000) / 100).toFixed(2)}%`;

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  out.push(`## ${VERDICT_ICON[r.verdict]} ${r.verdict.toUpperCase()} — chaos-ec2 ${md(experimentTitle(r))}`, '');
  if (r.reason) out.push(`> ${md(r.reason)}`, '');
  if (r.hint) out.push(`→ ${md(r.hint)}`, '');
  if (r.recovery?.failOpenSeen) out.push(`> ⚠️ **Warning:** ${md(FAIL_OPEN_WARNING)}`, '');
  for (const n of r.preflight?.notes ?? []) out.push(`> **Note:** ${md(n)}`, '');
  for (const w of r.preflight?.warnings ?? []) out.push(`> ⚠️ ${md(w)}`, '');
  const contaminated = contaminatedLine(r);
  if (contaminated) out.push(`> ⚠️ **${md(contaminated)}**`, '');

  const rows: [string, string][] = [
    ['Experiment', md(r.id)],
    ['Target', `${md(r.target.asg)} · account ${md(r.target.account)} · ${md(r.target.region)}${r.target.endpoint ? ` · endpoint ${md(r.target.endpoint)}` : ''}`],
    ['URL', md(r.target.url)],
    ...(r.target.listener ? [['Route', md(routeSummary(r.target.listener))] as [string, string]] : []),
    ['Fault', faultCell(r)],
    ['Started', `${md(r.startedAt)} (ran ${formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt))})`],
    ['Exit code', String(r.exitCode)],
    [
      'Steady state',
      r.steadyState.pass
        ? `met (${r.steadyState.checks.length} checks)`
        : `**not met**: ${r.steadyState.checks
            .filter((c) => !c.pass)
            .map((c) => `${md(c.name)}: ${md(c.detail)}`)
            .join('; ')}`,
    ],
  ];
  const rec = r.recovery;
  if (rec) {
    rows.push(
      ['Time to impact', rec.timeToImpactMs === null ? '— (no request failed)' : formatDuration(rec.timeToImpactMs)],
      ['Service recovered', rec.serviceRecoveredMs !== null ? formatDuration(rec.serviceRecoveredMs) : rec.serviceRecovered ? '—' : '**not recovered** before the timeout'],
      [
        'Capacity recovered',
        rec.capacityRecoveredMs !== null ? formatDuration(rec.capacityRecoveredMs) : rec.capacityRecovered ? '— (capacity never lost)' : '**not recovered** before the timeout',
      ],
    );
    const b = rec.breakdown;
    rows.push(['Capacity breakdown', breakdownText(b)]);
  }
  const p = r.probe;
  if (p) {
    for (const n of transportNotes(p)) rows.push([md(n.key), n.tone === 'bad' ? `**⚠ ${md(n.value)}**` : md(n.value)]);
    rows.push(
      ['Requests', `${p.sent} sent · ${p.ok} ok · ${p.failed} failed · ${p.late} late (${p.rate} req/s, open model)`],
      ['Availability', formatAvailability(p.availability)],
      ['Latency', `p50 ${formatLatency(p.latencyMs.p50)} · p95 ${formatLatency(p.latencyMs.p95)} · p99 ${formatLatency(p.latencyMs.p99)} · max ${formatLatency(p.latencyMs.max)}`],
    );
    const kinds = Object.entries(p.errorsByKind).filter(([, n]) => n > 0);
    if (kinds.length)
      rows.push([
        'Errors',
        kinds
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${md(k)} ${n}`)
          .join(' · '),
      ]);
  }
  out.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');

  if (showNodes(p)) {
    out.push('### Nodes', '', 'Each address the probe spread its requests over (a load balancer node); worst = the lowest availability of any second.', '');
    out.push('| Address | AZ | Sent | OK | Failed | Availability | Worst second | p99 | |', '|---|---|--:|--:|--:|--:|--:|--:|---|');
    for (const x of nodeRows(p)) out.push(`| ${md(x.address)} | ${md(x.az)} | ${x.sent} | ${x.ok} | ${x.failed} | ${x.availability} | ${x.worst} | ${md(x.p99)} | ${md(x.note)} |`);
    out.push('');
  }

  for (const fv of sectionViews(r))
    out.push(`### ${md(fv.heading)}`, '', '| | |', '|---|---|', ...fv.rows.map((x) => `| ${md(x.key)} | ${x.tone === 'bad' ? `**${md(x.value)}**` : md(x.value)} |`), '');

  out.push('### Gates', '');
  if (r.gates.length === 0) out.push('No gates configured.', '');
  else out.push(...gatesTable(r.gates), '');

  if (r.timeline.length) {
    out.push('### Timeline', '', '| t (since t0) | Event | Detail |', '|--:|---|---|');
    for (const e of r.timeline) {
      const where = [e.instanceId, e.availabilityZone ? `(${e.availabilityZone})` : undefined].filter(Boolean).join(' ');
      out.push(`| ${formatOffset(e.atMs)} | ${md(e.event)} | ${md([where, e.detail].filter(Boolean).join(' '))} |`);
    }
    out.push('');
  }
  out.push(`<sub>chaos-ec2 ${md(r.tool.version)} · seed ${md(r.seed)} · report schema v${r.schemaVersion}</sub>`, '');
  return out.join('\n');
}

export function gatesTable(gates: Gate[]): string[] {
  return [
    '| Gate | Threshold | Actual | Result |',
    '|---|--:|--:|:-:|',
    ...gates.map((g) => {
      const res = g.pass ? '✅ pass' : `❌ **FAIL**${g.detail ? ` — ${md(g.detail)}` : ''}`;
      return `| ${md(g.name)} | ${md(formatGateValue(g.name, g.threshold))} | ${md(formatGateValue(g.name, g.actual))} | ${res} |`;
    }),
  ];
}

function faultCell(r: Report): string {
  const f = r.fault;
  if (!f) return 'none injected';
  const sel = [
    f.selection.count !== undefined ? `count ${f.selection.count}` : '',
    f.selection.percent !== undefined ? `${f.selection.percent}%` : '',
    f.selection.az ? `in ${f.selection.az}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const targets = f.targets.map((t) => `${t.instanceId} (${t.availabilityZone})`).join(', ');
  return `${md(f.kind)}${sel ? ` (${md(sel)})` : ''}${targets ? `: ${md(targets)}` : ''}${f.injectedAt ? ` at ${md(f.injectedAt)}` : ''}`;
}
