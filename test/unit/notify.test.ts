/**
 * The notification bodies: Slack (text + Block Kit), Teams (an Adaptive Card in a message), json (the summary),
 * and the format a webhook's host implies.
 */
import { describe, expect, it } from 'vitest';
import { guessNotifyFormat, notifyPayload, notifySummary, webhookLabel } from '../../src/report/notify.js';
import { loadFixture } from './report-fixtures.js';

const passReport = () => loadFixture('pass');
const failReport = () => loadFixture('fail');

describe('notifications', () => {
  it('guesses the format from the host', () => {
    expect(guessNotifyFormat('https://hooks.slack.com/services/T/B/x')).toBe('slack');
    expect(guessNotifyFormat('https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x')).toBe('teams');
    expect(guessNotifyFormat('https://default1234.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/x')).toBe('teams');
    expect(guessNotifyFormat('https://example.webhook.office.com/webhookb2/x')).toBe('teams');
    expect(guessNotifyFormat('http://127.0.0.1:9000/hook')).toBe('json');
  });

  it('Slack: text for the notification, a header and sections of at most 10 fields, markup escaped', () => {
    const r = { ...failReport(), reason: 'capacity <not> recovered & more' };
    const body = notifyPayload('slack', notifySummary(r, '/tmp/r/report.json')) as { text: string; blocks: { type: string; fields?: unknown[] }[] };
    expect(body.text).toContain('FAIL');
    expect(body.text).toContain('capacity &lt;not&gt; recovered &amp; more');
    expect(body.blocks[0]!.type).toBe('header');
    for (const b of body.blocks) expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(body)).toContain('/tmp/r/report.json');
  });

  it('Teams: a message whose attachment is an Adaptive Card with the facts', () => {
    const body = notifyPayload('teams', notifySummary(passReport(), 'report.json')) as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: { type: string; facts?: { title: string }[] }[] } }[];
    };
    expect(body.type).toBe('message');
    expect(body.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    const facts = card.body.find((b) => b.type === 'FactSet')!.facts!.map((f) => f.title);
    expect(facts).toEqual(expect.arrayContaining(['Verdict', 'Time to impact', 'Service recovered', 'Capacity recovered', 'Report']));
  });

  it('json: the summary itself, gates included', () => {
    const r = passReport();
    const s = notifyPayload('json', notifySummary(r, 'x')) as { verdict: string; gates: unknown[] };
    expect(s.verdict).toBe('pass');
    expect(s.gates).toHaveLength(r.gates.length);
  });

  it('names a webhook by position and host, never its path or query', () => {
    expect(webhookLabel('https://hooks.slack.com/services/T/B/secret?x=1', 0)).toBe('webhook 1 (hooks.slack.com)');
  });
});
