/**
 * CloudWatch options of a run (part of the run option table, run-options.ts):
 * - `--stop-alarm NAME|ARN` (repeatable; experiment file `timings.stopAlarms`, text or a list): every alarm
 *   must be OK before injecting, and any of them in ALARM during the run rolls back at once (stop-alarms.ts).
 * - `--allow-insufficient-data`: an alarm in INSUFFICIENT_DATA does not refuse the run.
 * - `--metrics-namespace NS`: the run's figures go to CloudWatch at the end (report/metrics.ts).
 */
import { boolean, OptionError, type OptionDef, type Parser } from '../core/options.js';
import { MAX_STOP_ALARMS, namespaceProblem } from '../aws/cloudwatch-names.js';

/** Alarm names or ARNs, each once (DescribeAlarms reads at most 100 names in one call). */
function alarmRefs(): Parser<string[]> {
  return {
    fileType: 'strings',
    schema: {
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, maxItems: MAX_STOP_ALARMS, items: { type: 'string', minLength: 1 } },
      ],
    },
    parse(raw) {
      if (typeof raw === 'boolean') throw new OptionError('must be an alarm name or ARN');
      const values = (Array.isArray(raw) ? raw : [raw]).map((v) => v.trim());
      if (values.some((v) => v === '')) throw new OptionError('must not be empty');
      // CloudWatch alarm names are 1-255 characters; an ARN adds its prefix to the name.
      const long = values.find((v) => v.length > 255 + 80);
      if (long !== undefined) throw new OptionError(`'${long.slice(0, 40)}…' is longer than an alarm name or ARN can be`);
      const unique = [...new Set(values)];
      if (unique.length > MAX_STOP_ALARMS) throw new OptionError(`${unique.length} alarms: at most ${MAX_STOP_ALARMS} (what one DescribeAlarms call reads)`);
      return unique;
    },
    show: (v) => v.join(', '),
  };
}

function namespace(): Parser<string> {
  return {
    fileType: 'string',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!AWS/)[0-9A-Za-z._\\-/#: ]+$' },
    parse(raw) {
      if (typeof raw !== 'string') throw new OptionError('must be a CloudWatch namespace');
      const problem = namespaceProblem(raw);
      if (problem) throw new OptionError(`'${raw}' ${problem}`);
      return raw;
    },
  };
}

export const STOP_ALARM: OptionDef<string[]> = {
  name: 'stopAlarm',
  flag: '--stop-alarm',
  arg: '<name|arn>',
  parser: alarmRefs(),
  default: [],
  repeatable: true,
  help: 'CloudWatch alarm as a stop condition (repeatable): every one must be OK before injecting; one in ALARM rolls back at once (verdict aborted, exit 1)',
  file: { section: 'timings', key: 'stopAlarms' },
  field: 'stopAlarms',
};

export const ALLOW_INSUFFICIENT_DATA: OptionDef<boolean> = {
  name: 'allowInsufficientData',
  flag: '--allow-insufficient-data',
  parser: boolean(),
  default: false,
  help: 'inject although a --stop-alarm is INSUFFICIENT_DATA (e.g. a 5XX count with no datapoints while there are no errors)',
  file: { section: 'timings' },
};

export const METRICS_NAMESPACE: OptionDef<string> = {
  name: 'metricsNamespace',
  flag: '--metrics-namespace',
  arg: '<ns>',
  parser: namespace(),
  help: 'publish the run figures (TimeToImpact, ServiceRecovered, CapacityRecovered, Availability, Verdict) to this CloudWatch namespace at the end',
  // Flag only, like --format, --report-dir and --notify: where results go is the caller's, not the experiment's.
};

export const ALARM_OPTIONS: readonly OptionDef[] = [STOP_ALARM, ALLOW_INSUFFICIENT_DATA, METRICS_NAMESPACE];
