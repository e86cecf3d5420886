/**
 * Preflight's labels and warnings reach every human report: the terminal summary, Markdown and HTML each
 * show the report label (what capacity recovery measures on this group) and the warnings; a report without
 * a preflight section shows neither.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSummary } from '../../src/report/terminal.js';
import { loadFixture } from './report-fixtures.js';

const NOTE = 'capacity-side recovery measures load-balancer health only: HealthCheckType EC2 never replaces instances the load balancer marks unhealthy';
const WARNING = "launch hook 'bootstrap' may hold each replacement in Pending:Wait up to its heartbeat timeout 7200s";

const withPreflight = (): Report => ({
  ...loadFixture('pass'),
  preflight: {
    warnings: [WARNING],
    notes: [NOTE],
    expectedRecovery: { ms: 150_000, from: 'restore', parts: [], path: 'p', text: '~2m30s after the restore', boot: { ms: 60_000, source: 'default' } },
  },
});

describe('preflight in the human reports', () => {
  const renderers: [string, (r: Report) => string][] = [
    ['terminal', (r) => renderSummary(r, { color: false, width: 400 })],
    ['markdown', renderMarkdown],
    ['html', renderHtml],
  ];
  for (const [name, render] of renderers) {
    it(`${name}: the note and the warning are shown; without preflight neither is`, () => {
      const out = render(withPreflight());
      expect(out).toContain(NOTE);
      expect(out).toContain(name === 'html' ? WARNING.replace(/'/g, '&#39;') : WARNING);
      const plain = render(loadFixture('pass'));
      expect(plain).not.toContain('capacity-side recovery');
    });
  }
});
