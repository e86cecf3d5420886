/**
 * The HTML report: ONE self-contained file (inline CSS, inline SVG, no script, no external URL), so it
 * opens the same from a CI artifact, an email or a laptop offline. A strict Content-Security-Policy meta
 * tag makes the "no fetch" promise enforceable by the browser: even a link someone smuggled into a report
 * string could not load anything. Every report string is escaped with esc().
 */
import { breakdownText, contaminatedLine } from './capacity-notes.js';
import { formatDuration } from '../core/duration.js';
import { sectionViews } from './fault-view.js';
import { routeSummary } from '../experiment/route.js';
import type { Report, Verdict } from '../experiment/types.js';
import { azRequestsChart, capacityChart, columnNote, esc, latencyChart, requestsChart, timeDomain } from './html-charts.js';
import { nodeRows, secondsByAz, showNodes, transportNotes } from './nodes-view.js';
import { experimentTitle, formatAvailability, formatGateValue } from './markdown.js';
import { FAIL_OPEN_WARNING } from './terminal.js';
import { formatLatency, formatOffset } from './text.js';

const VERDICT_COLOR: Record<Verdict, string> = { pass: '#1a7f37', fail: '#cf222e', aborted: '#9a6700', error: '#8250df' };

const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.verdict{display:inline-block;color:#fff;border-radius:4px;padding:2px 10px;font-weight:700;letter-spacing:.04em;margin-right:8px}
.meta{color:var(--muted)}.reason{font-weight:600;margin:8px 0}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}#timeline td:nth-child(-n+3){white-space:nowrap}
.kv th{width:200px;background:none;color:var(--muted);font-weight:500}
.pass{color:#1a7f37;font-weight:700}.fail{color:#cf222e;font-weight:700}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px}.card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:12px}
figure{margin:12px 0 20px}figcaption{font-weight:600;margin-bottom:4px}figcaption small{font-weight:400;color:var(--muted)}
.legend span{display:inline-block;margin-right:14px;font-size:12px;color:var(--muted)}.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
svg.chart{display:block;background:var(--bg)}svg .plot-bg{fill:var(--soft)}svg .grid{stroke:var(--line);stroke-width:1}
svg .tick{fill:var(--muted);font-size:11px}svg .ok{fill:#4ac26b}svg .failed{fill:#cf222e}svg .saturated{fill:#fff8c5}
svg .line{fill:none;stroke-width:2}svg .p50{stroke:#0969da}svg .p99{stroke:#bc4c00}svg .p99-dot{fill:#bc4c00}
svg .healthy{stroke:#1a7f37}svg .inservice{stroke:#0969da;stroke-dasharray:6 3}svg .desired{stroke:#8c959f;stroke-dasharray:2 3}svg .cap-dot{fill:#1a7f37}
svg .marker{stroke-width:1.5;stroke-dasharray:4 3}svg .mk-label{font-size:11px;font-weight:600}
svg .mk-fault{stroke:#cf222e;fill:#cf222e}svg .mk-service{stroke:#0969da;fill:#0969da}svg .mk-capacity{stroke:#1a7f37;fill:#1a7f37}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--soft);padding:1px 4px;border-radius:4px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

const legend = (items: [string, string, string?][]): string =>
  `<div class="legend">${items.map(([label, color, dash]) => `<span><i style="background:${color}${dash ? ';height:0;border-top:3px dashed ' + color : ''}"></i>${esc(label)}</span>`).join('')}</div>`;

export function renderHtml(r: Report): string {
  const d = timeDomain(r);
  const title = `chaos-ec2 ${experimentTitle(r)} — ${r.verdict.toUpperCase()}`;
  const rec = r.recovery;
  const p = r.probe;
  const cards: [string, string][] = [
    ['time to impact', rec ? (rec.timeToImpactMs === null ? 'none' : formatDuration(rec.timeToImpactMs)) : '—'],
    ['service recovered', rec ? (rec.serviceRecoveredMs !== null ? formatDuration(rec.serviceRecoveredMs) : 'not recovered') : '—'],
    ['capacity recovered', rec ? (rec.capacityRecoveredMs !== null ? formatDuration(rec.capacityRecoveredMs) : rec.capacityRecovered ? 'never lost' : 'not recovered') : '—'],
    ['availability', p ? formatAvailability(p.availability) : '—'],
    ['failed requests', p ? String(p.failed) : '—'],
    ['p99 latency', p ? formatLatency(p.latencyMs.p99) : '—'],
  ];
  const f = r.fault;
  const kv: [string, string][] = [
    ['experiment', `<code>${esc(r.id)}</code>`],
    ['target', `${esc(r.target.asg)} · account ${esc(r.target.account)} · ${esc(r.target.region)}${r.target.endpoint ? ` · endpoint ${esc(r.target.endpoint)}` : ''}`],
    ['URL', esc(r.target.url)],
    ...(r.target.listener ? [['route', esc(routeSummary(r.target.listener))] as [string, string]] : []),
    ['fault', f ? `${esc(f.kind)}: ${f.targets.map((t) => `${esc(t.instanceId)} (${esc(t.availabilityZone)})`).join(', ') || '—'}` : 'none injected'],
    ['injected at (t0)', f?.injectedAt ? esc(f.injectedAt) : '—'],
    ['started / ran', `${esc(r.startedAt)} · ${esc(formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)))}`],
    [
      'steady state',
      r.steadyState.pass
        ? `met (${r.steadyState.checks.length} checks)`
        : `<span class="fail">not met</span>: ${r.steadyState.checks
            .filter((c) => !c.pass)
            .map((c) => `${esc(c.name)}: ${esc(c.detail)}`)
            .join('; ')}`,
    ],
    ['exit code', String(r.exitCode)],
    ['seed', `<code>${esc(r.seed)}</code>`],
  ];
  for (const n of p ? transportNotes(p) : []) kv.push([n.key, n.tone === 'bad' ? `<span class="fail">⚠ ${esc(n.value)}</span>` : esc(n.value)]);
  if (p) kv.push(['requests', `${p.sent} sent · ${p.ok} ok · ${p.failed} failed · ${p.late} late · ${esc(p.rate)} req/s`]);
  if (rec) {
    const b = rec.breakdown;
    kv.push(['capacity breakdown', breakdownText(b)]);
  }

  const body: string[] = [];
  body.push(`<h1><span class="verdict" style="background:${VERDICT_COLOR[r.verdict]}">${esc(r.verdict.toUpperCase())}</span>chaos-ec2 ${esc(experimentTitle(r))}</h1>`);
  body.push(`<div class="meta">exit ${r.exitCode} · ${esc(r.startedAt)} · chaos-ec2 ${esc(r.tool.version)}</div>`);
  if (r.reason) body.push(`<p class="reason">${esc(r.reason)}</p>`);
  if (r.hint) body.push(`<p class="hint">→ ${esc(r.hint)}</p>`);
  if (rec?.failOpenSeen) body.push(`<p class="warn">⚠ ${esc(FAIL_OPEN_WARNING)}</p>`);
  for (const n of r.preflight?.notes ?? []) body.push(`<p class="warn">Note: ${esc(n)}</p>`);
  for (const w of r.preflight?.warnings ?? []) body.push(`<p class="warn">⚠ ${esc(w)}</p>`);
  const contaminated = contaminatedLine(r);
  if (contaminated) body.push(`<p class="warn">⚠ ${esc(contaminated)}</p>`);
  body.push(`<div class="cards">${cards.map(([k, v]) => `<div class="card"><span>${esc(k)}</span><b>${esc(v)}</b></div>`).join('')}</div>`);

  body.push('<h2>Charts</h2>');
  if (p && p.perSecond.length) {
    body.push(
      `<figure id="chart-requests"><figcaption>Requests and errors per second <small>(${esc(columnNote(r))}; times since t0)</small></figcaption>${legend([
        ['ok', '#4ac26b'],
        ['failed', '#cf222e'],
        ['probe saturated', '#e6c84f'],
      ])}${requestsChart(r, d)}</figure>`,
    );
    body.push(
      `<figure id="chart-latency"><figcaption>Latency per second <small>(from intended send time)</small></figcaption>${legend([
        ['p50', '#0969da'],
        ['p99', '#bc4c00'],
      ])}${latencyChart(r, d)}</figure>`,
    );
    if (showNodes(p)) {
      for (const g of secondsByAz(p)) {
        const id = `chart-az-${g.label.replace(/[^A-Za-z0-9-]/g, '-')}`;
        body.push(
          `<figure id="${esc(id)}" class="az-chart"><figcaption>${esc(g.label)} <small>(requests to ${esc(g.addresses.join(', '))}; ok and failed per second)</small></figcaption>${azRequestsChart(r, d, g.perSecond)}</figure>`,
        );
      }
    }
  } else body.push('<p class="meta">No probe data.</p>');
  if (r.capacity.samples.length) {
    body.push(
      `<figure id="chart-capacity"><figcaption>Capacity <small>(healthy targets, InService, desired)</small></figcaption>${legend([
        ['healthy targets', '#1a7f37'],
        ['InService', '#0969da', 'dash'],
        ['desired', '#8c959f', 'dash'],
      ])}${capacityChart(r, d)}</figure>`,
    );
  } else body.push('<p class="meta">No capacity samples.</p>');

  body.push('<h2>Summary</h2>', `<table class="kv">${kv.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`);
  if (showNodes(p)) {
    body.push(
      '<h2>Nodes</h2><p class="meta">Each address the probe spread its requests over (a load balancer node); worst = the lowest availability of any second.</p>',
      '<table id="nodes"><thead><tr><th>address</th><th>AZ</th><th>sent</th><th>ok</th><th>failed</th><th>availability</th><th>worst second</th><th>p99</th><th></th></tr></thead><tbody>',
      ...nodeRows(p).map(
        (x) =>
          `<tr${x.failed > 0 ? ' class="fail"' : ''}><td><code>${esc(x.address)}</code></td><td>${esc(x.az)}</td><td>${x.sent}</td><td>${x.ok}</td><td>${x.failed}</td><td>${esc(x.availability)}</td><td>${esc(x.worst)}</td><td>${esc(x.p99)}</td><td>${esc(x.note)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }

  for (const fv of sectionViews(r)) {
    body.push(
      `<h2>${esc(fv.heading)}</h2>`,
      `<table class="kv" id="${fv.heading === 'Engine' ? 'engine-section' : 'fault-section'}">${fv.rows.map((x) => `<tr><th>${esc(x.key)}</th><td${x.tone === 'bad' ? ' class="fail"' : ''}>${esc(x.value)}</td></tr>`).join('')}</table>`,
    );
  }

  body.push('<h2>Gates</h2>');
  if (r.gates.length === 0) body.push('<p class="meta">No gates configured.</p>');
  else {
    body.push('<table id="gates"><thead><tr><th>gate</th><th>threshold</th><th>actual</th><th>result</th><th>detail</th></tr></thead><tbody>');
    for (const g of r.gates) {
      body.push(
        `<tr><td>${esc(g.name)}</td><td class="num">${esc(formatGateValue(g.name, g.threshold))}</td><td class="num">${esc(formatGateValue(g.name, g.actual))}</td><td class="${g.pass ? 'pass' : 'fail'}">${g.pass ? 'PASS' : 'FAIL'}</td><td>${esc(g.detail ?? '')}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }

  if (r.timeline.length) {
    body.push('<h2>Timeline</h2><table id="timeline"><thead><tr><th>t (since t0)</th><th>event</th><th>instance</th><th>detail</th></tr></thead><tbody>');
    for (const e of r.timeline) {
      const where = [e.instanceId, e.availabilityZone ? `(${e.availabilityZone})` : undefined].filter(Boolean).join(' ');
      body.push(`<tr><td class="num">${esc(formatOffset(e.atMs))}</td><td>${esc(e.event)}</td><td>${esc(where)}</td><td>${esc(e.detail ?? '')}</td></tr>`);
    }
    body.push('</tbody></table>');
  }
  body.push(`<footer>Times are relative to t0, the moment the fault's mutating call returned. Report schema v${r.schemaVersion}. Generated by chaos-ec2 ${esc(r.tool.version)}.</footer>`);

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No script, no fetch: only inline styles and data: images may load.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head>`,
    `<body><main>${body.join('\n')}</main></body></html>`,
    '',
  ].join('\n');
}
