/**
 * `--notify URL`: after a run, one POST per webhook with the verdict, the recovery figures, the gates and where
 * the report is — where the team talks (Slack, Microsoft Teams) or to any JSON receiver.
 *
 * - Slack incoming webhooks take `text` (the notification and fallback) plus Block Kit `blocks`
 *   (api.slack.com/messaging/webhooks).
 * - Teams: Workflows ("Post to a channel when a webhook request is received") take a message whose attachment is
 *   an Adaptive Card (`application/vnd.microsoft.card.adaptive`); the old Office 365 connectors are being retired.
 * - json: the plain report summary (below), for anything else.
 *
 * A notification is a courtesy, never part of the result: a receiver that is down, slow or answers 500 costs at
 * most three attempts and a bounded time, then one warning line — the verdict and the exit code stand. The URL
 * carries its own credential (a Slack or Teams webhook URL is the secret), so it is never printed: messages name
 * a webhook by its position and host.
 */
import { request } from 'undici';
import { formatDuration } from '../core/duration.js';
import type { NotifyFormat } from '../experiment/notify-options.js';
import type { Report } from '../experiment/types.js';
import { experimentTitle, formatAvailability, formatGateValue } from './markdown.js';

/** The format a webhook's host implies; `json` for anything that is not Slack's or a Teams workflow's. */
export function guessNotifyFormat(url: string): NotifyFormat {
  const host = new URL(url).hostname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  // Teams workflows are Power Automate HTTP triggers (*.logic.azure.com, *.powerplatform.com); the retiring
  // connectors lived on *.webhook.office.com.
  if (/(^|\.)(logic\.azure\.com|powerplatform\.com|webhook\.office\.com)$/.test(host)) return 'teams';
  return 'json';
}

/** What every format says, computed once from the report. */
export interface NotifySummary {
  title: string;
  verdict: Report['verdict'];
  exitCode: number;
  reason?: string;
  asg: string;
  account: string;
  region: string;
  fault: string | null;
  experimentId: string;
  figures: { timeToImpactMs: number | null; serviceRecoveredMs: number | null; capacityRecoveredMs: number | null; availability: number | null };
  gates: { name: string; pass: boolean; threshold: string; actual: string }[];
  /** Where the report is: a path on the machine that ran, or a URL. */
  report: string;
}

export function notifySummary(r: Report, reportLocation: string): NotifySummary {
  return {
    title: `chaos-ec2: ${experimentTitle(r)} — ${r.verdict.toUpperCase()}`,
    verdict: r.verdict,
    exitCode: r.exitCode,
    ...(r.reason ? { reason: r.reason } : {}),
    asg: r.target.asg,
    account: r.target.account,
    region: r.target.region,
    fault: r.fault?.kind ?? null,
    experimentId: r.id,
    figures: {
      timeToImpactMs: r.recovery?.timeToImpactMs ?? null,
      serviceRecoveredMs: r.recovery?.serviceRecoveredMs ?? null,
      capacityRecoveredMs: r.recovery?.capacityRecoveredMs ?? null,
      availability: r.probe?.availability ?? null,
    },
    gates: r.gates.map((g) => ({ name: g.name, pass: g.pass, threshold: formatGateValue(g.name, g.threshold), actual: formatGateValue(g.name, g.actual) })),
    report: reportLocation,
  };
}

const ms = (v: number | null): string => (v === null ? '—' : formatDuration(v));

/** The facts every human format shows, as label/value pairs. */
function facts(s: NotifySummary): [string, string][] {
  return [
    ['Group', `${s.asg} (${s.account}, ${s.region})`],
    ['Verdict', `${s.verdict} (exit ${s.exitCode})`],
    ['Time to impact', ms(s.figures.timeToImpactMs)],
    ['Service recovered', ms(s.figures.serviceRecoveredMs)],
    ['Capacity recovered', ms(s.figures.capacityRecoveredMs)],
    ['Availability', s.figures.availability === null ? '—' : formatAvailability(s.figures.availability)],
    ...s.gates.map((g): [string, string] => [`Gate ${g.name}`, `${g.pass ? 'pass' : 'FAIL'}: ${g.actual} (limit ${g.threshold})`]),
    ['Report', s.report],
  ];
}

/** The JSON body for one format. Slack mrkdwn and Adaptive Card text treat `<`, `>`, `&` specially: escaped. */
export function notifyPayload(format: NotifyFormat, s: NotifySummary): unknown {
  if (format === 'json') return s;
  const list = facts(s);
  if (format === 'slack') {
    const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return {
      text: esc(`${s.title}${s.reason ? `: ${s.reason}` : ''}`),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: s.title.slice(0, 150) } },
        ...(s.reason ? [{ type: 'section', text: { type: 'mrkdwn', text: esc(s.reason).slice(0, 3000) } }] : []),
        // A section holds at most 10 fields.
        ...chunks(list, 10).map((part) => ({ type: 'section', fields: part.map(([k, v]) => ({ type: 'mrkdwn', text: `*${esc(k)}*\n${esc(v)}`.slice(0, 2000) })) })),
      ],
    };
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: s.title, color: s.verdict === 'pass' ? 'Good' : 'Attention' },
            ...(s.reason ? [{ type: 'TextBlock', wrap: true, text: s.reason }] : []),
            { type: 'FactSet', facts: list.map(([title, value]) => ({ title, value })) },
          ],
        },
      },
    ],
  };
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export interface NotifyTarget {
  url: string;
  format?: NotifyFormat;
}

export interface NotifyOptions {
  /** Attempts per webhook (first included). */
  attempts?: number;
  /** Per attempt: connect + headers + body. */
  timeoutMs?: number;
  /** Wait before attempt n+1 is backoffMs × n. */
  backoffMs?: number;
}

/** How one webhook is named in messages: never its URL (the secret), only its position and host. */
export function webhookLabel(url: string, index: number): string {
  let host = '?';
  try {
    host = new URL(url).host;
  } catch {
    // Validated at parse time; a label must never throw.
  }
  return `webhook ${index + 1} (${host})`;
}

/**
 * Posts to every webhook, in parallel; resolves with one warning per webhook that did not take it. Never
 * rejects. Retried: network errors, timeouts, 429 and 5xx; a 4xx other than 429 is the receiver refusing the
 * message and is not retried.
 */
export async function sendNotifications(targets: readonly NotifyTarget[], s: NotifySummary, o: NotifyOptions = {}): Promise<string[]> {
  const attempts = o.attempts ?? 3;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const backoffMs = o.backoffMs ?? 500;
  const results = await Promise.all(
    targets.map(async (t, i) => {
      const format = t.format ?? guessNotifyFormat(t.url);
      const body = JSON.stringify(notifyPayload(format, s));
      let last = '';
      for (let n = 1; n <= attempts; n++) {
        try {
          const res = await request(t.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.body.dump();
          if (res.statusCode < 300) return undefined;
          last = `HTTP ${res.statusCode}`;
          if (res.statusCode < 500 && res.statusCode !== 429) break;
        } catch (err) {
          // The error text can quote the URL: keep only its code or kind.
          last = (err as { code?: string; name?: string })?.code ?? (err as Error)?.name ?? 'error';
        }
        if (n < attempts) await new Promise((r) => setTimeout(r, backoffMs * n));
      }
      return `${webhookLabel(t.url, i)} did not take the ${format} notification (${last}); the run's result and exit code stand`;
    }),
  );
  return results.filter((w): w is string => w !== undefined);
}
