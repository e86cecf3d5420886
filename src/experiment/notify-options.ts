/**
 * `--notify URL` (repeatable) and `--notify-format`: where the run's result is posted when it ends
 * (report/notify.ts). A webhook URL is its own credential — whoever has a Slack or Teams webhook URL can post to
 * the channel — so the whole URL is noted as a secret the moment it is parsed: no message, plan, journal or
 * report ever shows it (the report's settings keep only how many there were).
 */
import { choice, OptionError, type OptionDef, type Parser } from '../core/options.js';
import { noteSecret } from '../core/redact.js';

export type NotifyFormat = 'slack' | 'teams' | 'json';
export const NOTIFY_FORMATS: readonly NotifyFormat[] = ['slack', 'teams', 'json'];

function webhookUrls(): Parser<string[]> {
  return {
    fileType: 'string',
    schema: {
      oneOf: [
        { type: 'string', pattern: '^https?://' },
        { type: 'array', items: { type: 'string', pattern: '^https?://' } },
      ],
    },
    parse(raw) {
      const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v.trim() : ''));
      for (const v of values) {
        noteSecret(v);
        try {
          const u = new URL(v);
          noteSecret(`${u.pathname}${u.search}`);
          if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OptionError(`webhook ${values.indexOf(v) + 1} must be an http:// or https:// URL`);
        } catch (err) {
          if (err instanceof OptionError) throw err;
          throw new OptionError(`webhook ${values.indexOf(v) + 1} is not a URL (an absolute http:// or https:// URL)`);
        }
      }
      return values;
    },
    show: (v) => `${v.length} webhook${v.length === 1 ? '' : 's'}`,
  };
}

export const NOTIFY: OptionDef<string[]> = {
  name: 'notify',
  flag: '--notify',
  arg: '<url>',
  parser: webhookUrls(),
  repeatable: true,
  help: 'post the verdict, figures and gates here when the run ends (repeatable): a Slack or Teams webhook, or any JSON receiver; never printed',
  // Not an experiment-file key: a webhook URL is a credential, which belongs in the environment (--notify "$SLACK_WEBHOOK").
};

export const NOTIFY_FORMAT: OptionDef<string> = {
  name: 'notifyFormat',
  flag: '--notify-format',
  arg: '<kind>',
  parser: choice(NOTIFY_FORMATS),
  defaultText: "from each webhook's host: hooks.slack.com → slack, Teams workflow hosts → teams, else json",
  help: `body of the notifications: ${NOTIFY_FORMATS.join(' | ')}`,
};
