import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { md, renderMarkdown } from '../../src/report/markdown.js';
import { parseFormats, writeReports } from '../../src/report/write.js';
import { loadFixture } from './report-fixtures.js';

const pass = loadFixture('pass');
const fail = loadFixture('fail');
/** Rows of the GFM table that follows `heading` (cells split on unescaped pipes). */
function table(doc: string, heading: string): string[][] {
  const lines = doc.split('\n');
  let i = lines.indexOf(heading);
  expect(i, heading).toBeGreaterThanOrEqual(0);
  while (!lines[i]!.startsWith('|')) i++;
  const rows: string[][] = [];
  for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(
      lines[i]!.slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows.slice(2); // header + delimiter
}

describe('renderMarkdown', () => {
  it('summary table, gates table, timeline of a passing run', () => {
    const doc = renderMarkdown(pass);
    expect(doc.split('\n')[0]).toBe('## ✅ PASS — chaos-ec2 terminate-instances on web-asg');
    const summary = Object.fromEntries(table(doc, '## ✅ PASS — chaos-ec2 terminate-instances on web-asg').map(([k, v]) => [k, v]));
    expect(summary['Service recovered']).toBe('3.0s');
    expect(summary['Capacity recovered']).toBe('47.3s');
    expect(summary['Time to impact']).toBe('210ms');
    expect(summary.Availability).toBe('99.62%');
    const gates = table(doc, '### Gates');
    expect(gates.map((r) => r[0])).toEqual(['serviceRecoveredMs', 'capacityRecoveredMs', 'availability']);
    expect(gates[1]).toEqual(['capacityRecoveredMs', '5m00s', '47.3s', '✅ pass']);
    const timeline = table(doc, '### Timeline');
    expect(timeline).toHaveLength(pass.timeline.length);
    expect(timeline[0]![0]).toBe('-10.4s');
  });

  it('a failed run: verdict, reason, failing gates marked', () => {
    const doc = renderMarkdown(fail);
    expect(doc).toMatch(/^## ❌ FAIL/);
    expect(doc).toContain(`> ${fail.reason}`);
    const gates = table(doc, '### Gates');
    expect(gates.find((g) => g[0] === 'serviceRecoveredMs')).toEqual(['serviceRecoveredMs', '1m00s', '—', '❌ **FAIL** — not recovered']);
  });

  it('report strings cannot break a table or inject HTML', () => {
    const evil = {
      ...pass,
      target: { ...pass.target, asg: 'a|b<script>x</script>*y*' },
      timeline: [{ atMs: 0, at: pass.startedAt, event: 'x|y', detail: 'line1\nline2 `code` [l](http://e)' }],
    } as Report;
    const doc = renderMarkdown(evil);
    expect(doc).not.toContain('<script>');
    expect(doc).toContain('a\\|b&lt;script&gt;x&lt;/script&gt;\\*y\\*');
    const timeline = table(doc, '### Timeline');
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toHaveLength(3);
    expect(timeline[0]![2]).toBe('line1 line2 \\`code\\` \\[l\\](http://e)');
    expect(md('#1 ~x~ _y_ \\')).toBe('\\#1 \\~x\\~ \\_y\\_ \\\\');
  });
});

describe('writeReports', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes each chosen format beside report.json and appends the Markdown to GITHUB_STEP_SUMMARY', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-write-'));
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const env = { GITHUB_STEP_SUMMARY: summary };
    const paths = await writeReports(pass, join(dir, 'reports'), ['json', 'md', 'junit', 'html'], env);
    expect(paths).toEqual({
      json: join(dir, 'reports', pass.id, 'report.json'),
      md: join(dir, 'reports', pass.id, 'report.md'),
      junit: join(dir, 'reports', pass.id, 'report.junit.xml'),
      html: join(dir, 'reports', pass.id, 'report.html'),
    });
    expect(JSON.parse(await readFile(paths.json!, 'utf8'))).toEqual(pass);
    expect(await readFile(paths.md!, 'utf8')).toBe(renderMarkdown(pass));
    expect(await readFile(paths.junit!, 'utf8')).toMatch(/^<\?xml/);
    expect(await readFile(paths.html!, 'utf8')).toMatch(/^<!doctype html>/);
    // A second experiment in the same job appends its own section after the first.
    await writeReports(fail, join(dir, 'reports'), ['md'], env);
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text.indexOf('## ✅ PASS')).toBeLessThan(text.indexOf('## ❌ FAIL'));
  });

  it('writes nothing to a step summary when the variable is unset; rejects unsafe ids', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-write-'));
    const paths = await writeReports(pass, dir, ['md'], {});
    expect(Object.keys(paths)).toEqual(['md']);
    await expect(writeReports({ ...pass, id: '../x' }, dir, ['md'], {})).rejects.toMatchObject({ exitCode: 2 });
  });

  it('parseFormats', () => {
    expect(parseFormats('json, md,html,md')).toEqual(['json', 'md', 'html']);
    expect(() => parseFormats('json,pdf')).toThrow(/unknown format pdf/);
    expect(() => parseFormats('')).toThrow(/empty/);
  });
});
