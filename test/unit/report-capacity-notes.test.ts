/**
 * Every renderer says when a run was contaminated (a member lost that the experiment did not cause) and how
 * long a launch hook held the replacement; a clean, hook-free report reads exactly as before.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSummary } from '../../src/report/terminal.js';
import { loadFixture } from './report-fixtures.js';

const contaminated = (r: Report): Report => ({
  ...r,
  contaminated: { instanceId: 'i-0spot', atMs: 12_300, cause: 'At 2026-11-30T12:00:00Z an instance was taken out of service in response to an EC2 instance interruption notice.' },
  recovery: r.recovery && { ...r.recovery, breakdown: { ...r.recovery.breakdown, lifecycleWaitMs: 4_500 } },
});

const renderers: [string, (r: Report) => string][] = [
  ['terminal', (r) => renderSummary(r, { color: false, width: 200 })],
  ['markdown', renderMarkdown],
  ['junit', (r) => renderJunit([r])],
  ['html', renderHtml],
];

describe('contaminated and the lifecycle wait in every renderer', () => {
  const clean = loadFixture('pass');
  const dirty = contaminated(clean);

  it.each(renderers)('%s: a contaminated run says so, naming the instance, when and the cause', (_name, render) => {
    const out = render(dirty);
    expect(out).toContain('CONTAMINATED: i-0spot was lost at +12.3s, not by this experiment');
    expect(out).toContain('EC2 instance interruption notice');
    expect(render(clean)).not.toContain('CONTAMINATED');
  });

  it.each(renderers.filter(([n]) => n !== 'junit'))('%s: the breakdown shows the time held in Pending:Wait, only when there was one', (_name, render) => {
    expect(render(dirty)).toMatch(/Pending:Wait\s+4\.5s/);
    expect(render(clean)).not.toContain('Pending:Wait');
  });
});
