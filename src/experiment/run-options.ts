/**
 * The run options as one table: `run` and `demo` flags, the experiment file's keys (file-keys.ts), the JSON
 * schema (schema.ts) and validateRunOptions (config.ts) all come from it. Fault-specific options are not
 * here: each fault declares the ones it takes in its meta.ts, and they are spliced in after `--fault`.
 *
 * Limits: one set per option, used everywhere (`probe` shares --rate, --timeout, --method, --header and
 * --expect-status). Every duration has a maximum a Node timer can hold (2^31-1 ms ≈ 24.8 days).
 */
import { boolean, choice, duration, headers, int, list, number, statusCodes, text, url, type OptionDef } from '../core/options.js';
import { DEFAULT_FAULT, FAULT_KINDS, FAULT_OPTIONS } from '../faults/catalog.js';
import { REPORT_FORMATS } from './formats.js';
import { ALARM_OPTIONS } from './alarm-options.js';
import { GATE_OPTIONS } from './gates.js';
import { NOTIFY, NOTIFY_FORMAT } from './notify-options.js';
import { TRANSPORT_OPTIONS } from './transport-options.js';
import { ENGINE_OPTIONS } from './engine-options.js';

export { CA_CERT, HOST, INSECURE, PROBE_MODE, RESOLVE, TRANSPORT_OPTIONS } from './transport-options.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

export const ASG: OptionDef<string> = {
  name: 'asg',
  flag: '--asg',
  arg: '<name>',
  parser: text(),
  required: 'the Auto Scaling group to test',
  help: 'Auto Scaling group to test (required without --file)',
  file: { section: 'target' },
};

export const FAULT: OptionDef<string> = {
  name: 'fault',
  flag: '--fault',
  arg: '<kind>',
  parser: choice(FAULT_KINDS),
  default: DEFAULT_FAULT,
  help: `fault to inject: ${FAULT_KINDS.join(' | ')}`,
  file: { section: 'fault', key: 'kind' },
};

// Above ~50 000 req/s one Node process cannot keep the open model's schedule (the closed loop peaks at
// 52-60k req/s on a 2-vCPU machine, README "Performance"): a higher rate would only measure the probe.
export const RATE: OptionDef<number> = {
  name: 'rate',
  flag: '--rate',
  arg: '<n>',
  parser: number(0.1, 50_000),
  default: 20,
  help: 'probe requests per second (open model, constant arrival rate)',
  file: { section: 'probe' },
};

// A request still unanswered after a minute is a failure whatever comes next; 10 ms is below any real RTT.
export const TIMEOUT: OptionDef<number> = {
  name: 'timeout',
  flag: '--timeout',
  arg: '<duration>',
  parser: duration(10, M),
  default: 2 * S,
  help: 'per-request timeout of the probe (10ms-60s)',
  file: { section: 'probe' },
  field: 'timeoutMs',
};
export const METHOD: OptionDef<string> = {
  name: 'method',
  flag: '--method',
  arg: '<method>',
  parser: text({ pattern: /^[A-Za-z]+$/, expect: 'an HTTP method such as GET or HEAD', upper: true }),
  default: 'GET',
  help: 'probe HTTP method',
  file: { section: 'probe' },
};
export const HEADER: OptionDef<Record<string, string>> = {
  name: 'header',
  flag: '--header',
  arg: '<header>',
  parser: headers(),
  default: {},
  repeatable: true,
  help: "probe request header 'Name: value' (repeatable)",
  file: { section: 'probe', key: 'headers' },
  field: 'headers',
};
export const EXPECT_STATUS: OptionDef<number[]> = {
  name: 'expectStatus',
  flag: '--expect-status',
  arg: '<codes>',
  parser: statusCodes(),
  defaultText: '2xx and 3xx',
  help: 'status codes that count as success, e.g. 200,204',
  file: { section: 'probe' },
};

export const SEED: OptionDef<string> = {
  name: 'seed',
  flag: '--seed',
  arg: '<seed>',
  parser: text(),
  defaultText: 'random',
  help: 'seed for the random selection (recorded in the report)',
  file: { section: 'fault' },
};
export const FORMAT: OptionDef<string[]> = {
  name: 'format',
  flag: '--format',
  arg: '<list>',
  parser: list(REPORT_FORMATS),
  default: ['json'],
  help: `report files to write besides report.json: ${REPORT_FORMATS.filter((f) => f !== 'json').join(',')} (json is always written)`,
  field: 'formats',
};
export const REPORT_DIR: OptionDef<string> = {
  name: 'reportDir',
  flag: '--report-dir',
  arg: '<dir>',
  parser: text(),
  defaultText: './chaos-reports, or CHAOS_EC2_REPORT_DIR',
  help: 'where reports and journals go; created and checked writable before any AWS call (exit 2 if it cannot be)',
};
export const JSON_OUT: OptionDef<boolean> = { name: 'json', flag: '--json', parser: boolean(), default: false, help: 'print the JSON report alone on stdout (human output goes to stderr)' };

/** The common run options, in --help order; the fault's options follow --fault (RUN_OPTIONS). */
const COMMON: readonly OptionDef[] = [
  ASG,
  FAULT,
  {
    name: 'abortErrorRate',
    flag: '--abort-error-rate',
    arg: '<r>',
    parser: number(0, 1),
    help: 'stop condition: roll back at once (verdict aborted, exit 1) if the error rate (0-1) stays above this for --abort-after',
    file: { section: 'timings' },
  },
  // At least 1 s: the probe judges whole seconds. At most an hour: longer is not a stop condition.
  {
    name: 'abortAfter',
    flag: '--abort-after',
    arg: '<duration>',
    parser: duration(S, H),
    default: 5 * S,
    help: 'how long the error rate must stay above --abort-error-rate (1s-1h)',
    file: { section: 'timings' },
    field: 'abortAfterMs',
  },
  ...ALARM_OPTIONS,
  { name: 'region', flag: '--region', arg: '<region>', parser: text(), defaultText: 'AWS_REGION or the profile', help: 'AWS region', file: { section: 'target' } },
  { name: 'profile', flag: '--profile', arg: '<name>', parser: text(), defaultText: 'AWS_PROFILE', help: 'AWS profile', file: { section: 'target' } },
  {
    name: 'endpointUrl',
    flag: '--endpoint-url',
    arg: '<url>',
    parser: url(),
    defaultText: 'AWS_ENDPOINT_URL',
    help: 'AWS endpoint, e.g. a chaos-ec2 sandbox',
    file: { section: 'target' },
    field: 'endpoint',
  },
  {
    name: 'url',
    flag: '--url',
    arg: '<url>',
    parser: url(),
    defaultText: 'from the listener',
    help: 'probe this URL instead of the one built from the load balancer listener',
    file: { section: 'target' },
  },
  { name: 'path', flag: '--path', arg: '<path>', parser: text(), default: '/', help: 'path appended to the listener URL', file: { section: 'target' } },
  // At least 1 s (the probe judges whole seconds); an hour of steady traffic proves what a minute does.
  {
    name: 'baseline',
    flag: '--baseline',
    arg: '<duration>',
    parser: duration(S, H),
    default: 10 * S,
    help: 'probe window before the fault that must meet the steady thresholds (1s-1h)',
    file: { section: 'probe' },
    field: 'baselineMs',
  },
  RATE,
  TIMEOUT,
  METHOD,
  HEADER,
  EXPECT_STATUS,
  ...TRANSPORT_OPTIONS,
  SEED,
  {
    name: 'minHealthy',
    flag: '--min-healthy',
    arg: '<n|p%>',
    parser: text({ pattern: /^\d+(\.\d+)?%$|^\d+$/, expect: 'a count (3) or a percentage (50%)' }),
    defaultText: '50% of desired',
    help: 'healthy targets that must remain (count or % of desired; a fault that cuts off an AZ: in the other AZs)',
    file: { section: 'fault' },
  },
  {
    name: 'minHealthyPerAz',
    flag: '--min-healthy-per-az',
    arg: '<n>',
    parser: int(0, 1000),
    defaultText: '1',
    help: 'healthy targets that must remain in each AZ',
    file: { section: 'fault' },
  },
  // Faster than 100 ms only loads the API (and its throttling); slower than 5 min misses the recovery.
  {
    name: 'poll',
    flag: '--poll',
    arg: '<duration>',
    parser: duration(100, 5 * M),
    default: 5 * S,
    help: 'capacity polling interval (100ms-5m)',
    file: { section: 'timings' },
    field: 'pollMs',
  },
  // 24 h: no recovery worth waiting for takes longer, and it stays far below the timer ceiling.
  {
    name: 'recoveryTimeout',
    flag: '--recovery-timeout',
    arg: '<duration>',
    parser: duration(S, 24 * H),
    default: 10 * M,
    help: 'give up waiting for recovery after this, a failed run (exit 1) (1s-24h)',
    file: { section: 'timings' },
    field: 'recoveryTimeoutMs',
  },
  // Preflight's expected earliest recovery (faults/recovery-estimate.ts): what no AWS API reports.
  {
    name: 'bootAllowance',
    flag: '--boot-allowance',
    arg: '<duration>',
    parser: duration(0, H),
    defaultText: "the group's DefaultInstanceWarmup, else 60s",
    help: 'launch + boot + application start of a replacement, for the expected earliest recovery (0-1h)',
    file: { section: 'timings' },
    field: 'bootAllowanceMs',
  },
  {
    name: 'nlbRegistrationAllowance',
    flag: '--nlb-registration-allowance',
    arg: '<duration>',
    parser: duration(0, H),
    default: 3 * M,
    help: 'how long a new Network Load Balancer target takes to turn healthy (observed, not documented by AWS) (0-1h)',
    file: { section: 'timings' },
    field: 'nlbRegistrationAllowanceMs',
  },
  {
    name: 'allowSuspendedProcesses',
    flag: '--allow-suspended-processes',
    parser: boolean(),
    default: false,
    help: 'run although a process the fault needs is suspended (Launch, Terminate, HealthCheck, ReplaceUnhealthy, AddToLoadBalancer): the group may never recover',
    file: { section: 'fault' },
  },
  {
    name: 'allowShortTimeout',
    flag: '--allow-short-timeout',
    parser: boolean(),
    default: false,
    help: 'run although --recovery-timeout is shorter than the expected earliest recovery',
    file: { section: 'timings' },
  },
  {
    name: 'steady',
    flag: '--steady',
    arg: '<duration>',
    parser: duration(S, H),
    default: 5 * S,
    help: 'consecutive good seconds that count as recovered (1s-1h)',
    file: { section: 'timings' },
    field: 'steadyMs',
  },
  { name: 'steadyErrorRate', flag: '--steady-error-rate', arg: '<r>', parser: number(0, 1), default: 0.01, help: 'highest error rate (0-1) of a good second', file: { section: 'timings' } },
  // Latencies are measured against --timeout, which is at most 60 s.
  {
    name: 'steadyP99',
    flag: '--steady-p99',
    arg: '<duration>',
    parser: duration(1, M),
    default: S,
    help: 'highest p99 latency of a good second (1ms-60s)',
    file: { section: 'timings' },
    field: 'steadyP99Ms',
  },
  ...GATE_OPTIONS,
  FORMAT,
  // Compared with report timestamps, never a timer: 30 days covers a monthly schedule.
  {
    name: 'minInterval',
    flag: '--min-interval',
    arg: '<duration>',
    parser: duration(0, 720 * H),
    help: 'refuse if the last run on this group started less than this ago (pacing for scheduled runs; up to 720h)',
    field: 'minIntervalMs',
  },
  REPORT_DIR,
  NOTIFY,
  NOTIFY_FORMAT,
  // The engine block (issue 12): who injects and reverts the fault.
  ...ENGINE_OPTIONS,
  { name: 'allowUntagged', flag: '--allow-untagged', parser: boolean(), default: false, help: 'allow a group without the chaos-ec2:opt-in=true tag' },
  { name: 'dryRun', flag: '--dry-run', parser: boolean(), default: false, help: 'print the plan and check permissions with EC2 DryRun; change nothing' },
  { name: 'yes', flag: '--yes', short: '-y', parser: boolean(), default: false, help: 'do not ask for confirmation (required when stdin is not a TTY)' },
  JSON_OUT,
];

const at = COMMON.indexOf(FAULT) + 1;

/** Every run option: the common ones with the faults' own after --fault. */
export const RUN_OPTIONS: readonly OptionDef[] = [...COMMON.slice(0, at), ...FAULT_OPTIONS, ...COMMON.slice(at)];

/** The gate options (they set RunConfig.gates, not a field of their own). */
export const GATE_OPTION_SET: ReadonlySet<OptionDef> = new Set(GATE_OPTIONS);
