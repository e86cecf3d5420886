/**
 * CloudWatch names and their limits, without the SDK: the option table (--help, validation) needs them and
 * must stay quick to load. Sources: CloudWatch API Reference (DescribeAlarms, PutMetricData) and the
 * CloudWatch concepts page on namespaces.
 */

/** DescribeAlarms' limit of AlarmNames per call: more stop alarms could not be read in one call. */
export const MAX_STOP_ALARMS = 100;

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:(.+)$/;

/** The alarm name a `--stop-alarm` value refers to (an ARN's last part, or the value itself). */
export function alarmNameOf(nameOrArn: string): string {
  return ALARM_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}

export const isAlarmArn = (v: string): boolean => ALARM_ARN.test(v);

/** Why a metrics namespace is not one CloudWatch accepts, or undefined when it is. */
export function namespaceProblem(ns: string): string | undefined {
  if (ns.length > 255) return 'is longer than 255 characters';
  if (!/^[0-9A-Za-z._\-/#: ]+$/.test(ns)) return 'may contain only letters, digits, spaces and . - _ / # :';
  if (ns.trim() === '') return 'must contain a character other than a space';
  if (ns.startsWith(':')) return 'must not begin with a colon';
  if (ns.startsWith('AWS/')) return "must not begin with 'AWS/' (reserved for AWS services)";
  return undefined;
}
