/**
 * The probe's transport and per-node figures in the three human renderers: the node table (terminal,
 * Markdown, HTML), one chart per AZ in HTML, and --insecure flagged loudly everywhere.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeNodeReport, Report } from '../../src/experiment/types.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { nodeRows, secondsByAz } from '../../src/report/nodes-view.js';
import { renderSummary } from '../../src/report/terminal.js';
import { loadFixture, stripAnsi } from './report-fixtures.js';

/** The pass fixture's seconds split over three nodes; the one in us-east-1c fails from t0 for three seconds. */
function withNodes(extra: Partial<NonNullable<Report['probe']>> = {}): Report {
  const r = loadFixture('pass');
  const p = r.probe!;
  const azs = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const nodes: ProbeNodeReport[] = azs.map((az, i) => {
    const seconds = p.perSecond.map((s) => {
      const sent = Math.floor(s.sent / 3) + (i < s.sent % 3 ? 1 : 0);
      const dark = az === 'us-east-1c' && s.atMs >= 0 && s.atMs < 3000;
      return { t: s.t, atMs: s.atMs, sent, ok: dark ? 0 : sent, failed: dark ? sent : 0, p99: dark ? 1000 : 3 };
    });
    const sum = (k: 'sent' | 'ok' | 'failed') => seconds.reduce((a, s) => a + s[k], 0);
    const errorsByKind: Record<string, number> = {};
    if (az === 'us-east-1c') errorsByKind.connect_timeout = sum('failed');
    return {
      address: `127.0.${i + 1}.1`,
      az,
      sent: sum('sent'),
      ok: sum('ok'),
      failed: sum('failed'),
      availability: sum('sent') ? sum('ok') / sum('sent') : null,
      p99Ms: az === 'us-east-1c' ? 1000 : 3,
      errorsByKind,
      inDns: true,
      seconds,
    };
  });
  return { ...r, probe: { ...p, host: 'shop.example.test', transport: 'http', insecure: false, nodes, ...extra } };
}

describe('per-node figures in the reports', () => {
  it('rows in AZ order with availability and the worst second; AZ charts add up the nodes of each AZ', () => {
    const r = withNodes();
    const rows = nodeRows(r.probe!);
    expect(rows.map((x) => [x.address, x.az])).toEqual([
      ['127.0.1.1', 'us-east-1a'],
      ['127.0.2.1', 'us-east-1b'],
      ['127.0.3.1', 'us-east-1c'],
    ]);
    expect(rows[0]).toMatchObject({ availability: '100.0%', worst: '100.0%' });
    expect(rows[2]?.worst).toBe('0.0%');
    expect(rows[2]?.failed).toBeGreaterThan(0);
    const groups = secondsByAz(r.probe!);
    expect(groups.map((g) => g.label)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(groups.reduce((a, g) => a + g.perSecond.reduce((b, s) => b + s.sent, 0), 0)).toBe(r.probe!.sent);
  });

  it('terminal: a Nodes table, the Host/TLS name, and no table for a single address of unknown AZ', () => {
    const text = stripAnsi(renderSummary(withNodes(), { color: false, width: 100 }));
    expect(text).toMatch(/^Nodes {2}each address the probe spread requests over/m);
    expect(text).toMatch(/^ {2}127\.0\.3\.1 +us-east-1c +[\d,]+ +[\d,]+ +\d+ +[\d.]+% +0\.0% +1\.0s$/m);
    expect(text).toContain('Host / TLS name');
    expect(text).toContain('shop.example.test');
    const single = withNodes();
    const { az: _az, ...first } = single.probe!.nodes![0]!;
    single.probe!.nodes = [first];
    expect(stripAnsi(renderSummary(single, { color: false }))).not.toMatch(/^Nodes/m);
  });

  it('--insecure is flagged in the terminal, Markdown and HTML', () => {
    const r = withNodes({ insecure: true });
    expect(stripAnsi(renderSummary(r, { color: false }))).toContain('⚠ NOT VERIFIED (--insecure)');
    expect(renderMarkdown(r)).toContain('**⚠ NOT VERIFIED (--insecure): any certificate was accepted**');
    expect(renderHtml(r)).toContain('<span class="fail">⚠ NOT VERIFIED (--insecure): any certificate was accepted</span>');
    expect(renderMarkdown(withNodes())).not.toContain('--insecure');
  });

  it('Markdown: a Nodes table; HTML: a nodes table and one chart per AZ', () => {
    const r = withNodes();
    const md = renderMarkdown(r);
    expect(md).toContain('### Nodes');
    expect(md).toMatch(/^\| 127\.0\.3\.1 \| us-east-1c \| \d+ \| \d+ \| \d+ \| [\d.]+% \| 0\.0% \| /m);
    const html = renderHtml(r);
    for (const az of ['us-east-1a', 'us-east-1b', 'us-east-1c']) expect(html).toContain(`<figure id="chart-az-${az}" class="az-chart">`);
    expect(html).toContain('<table id="nodes">');
    // The dark AZ's chart has failed bars; the healthy ones have none.
    const chart = (az: string) => html.slice(html.indexOf(`chart-az-${az}`), html.indexOf('</figure>', html.indexOf(`chart-az-${az}`)));
    expect(chart('us-east-1c')).toContain('class="failed"');
    expect(chart('us-east-1a')).not.toContain('class="failed"');
  });
});
