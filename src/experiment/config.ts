/**
 * RunConfig: everything an experiment needs, validated up front — all problems reported at once, before any
 * AWS call — from raw flag values (strings as typed). The flag table in cli/commands/run-flags.ts and the
 * experiment files (experiment/file.ts) both feed this one validator.
 */
import { parseDuration } from '../core/duration.js';
import { ChaosError, ExitCode } from '../core/errors.js';
import { parseFormats, type ReportFormat } from './formats.js';
import { parseGateOptions, type GateThresholds } from './gates.js';
import { DEFAULT_FAULT, FAULT_KINDS } from '../faults/catalog.js';
import type { FaultKind } from './types.js';

export interface RunConfig {
  asg: string;
  fault: FaultKind;
  count?: number;
  percent?: number;
  az?: string;
  region?: string;
  profile?: string;
  endpoint?: string;
  url?: string;
  path: string;
  baselineMs: number;
  rate: number;
  timeoutMs: number;
  method: string;
  headers: Record<string, string>;
  expectStatus?: number[];
  seed?: string;
  minHealthy?: string;
  minHealthyPerAz?: number;
  yes: boolean;
  dryRun: boolean;
  allowUntagged: boolean;
  pollMs: number;
  recoveryTimeoutMs: number;
  steadyMs: number;
  steadyErrorRate: number;
  steadyP99Ms: number;
  reportDir: string;
  json: boolean;
  /** blackhole-az: how long the AZ stays cut off. */
  durationMs: number;
  /** blackhole-az: also cut off the load balancer's subnets in the AZ (a full-AZ outage). */
  includeLbSubnets: boolean;
  /** blackhole-az: go ahead although network interfaces that are not the group's share the target subnets. */
  allowSharedSubnets: boolean;
  /** Stop condition: error rate above this for `abortAfterMs` rolls back at once (verdict aborted). */
  abortErrorRate?: number;
  abortAfterMs: number;
  /** Resilience gates (--max-service-ttr …); each given threshold becomes a gate in the report. */
  gates: GateThresholds;
  /** Report files to write; json is always written. */
  formats: ReportFormat[];
  /** Pacing: refuse when the last run on this group started less than this ago. */
  minIntervalMs?: number;
}

/** Raw values as commander hands them over (strings, booleans, repeated strings). */
export type RawRunOptions = Record<string, string | boolean | string[] | undefined>;

export const OPT_IN_TAG = { key: 'chaos-ec2:opt-in', value: 'true' } as const;

export function validateRunOptions(raw: RawRunOptions, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const errors: string[] = [];
  const str = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const duration = (k: string, flag: string, def: string): number => {
    try {
      return parseDuration(str(k) ?? def, flag);
    } catch (e) {
      errors.push(`${flag}: '${str(k)}' is not a duration (use e.g. 500ms, 30s, 5m)`);
      return 0;
    }
  };
  const num = (k: string, flag: string, def: number | undefined, min: number, max: number, int = false): number | undefined => {
    const v = str(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) {
      errors.push(`${flag}: '${v}' must be ${int ? 'a whole number' : 'a number'} from ${min} to ${max}`);
      return def;
    }
    return n;
  };

  const asg = str('asg');
  if (!asg) errors.push('--asg: required (the Auto Scaling group to test)');
  const fault: FaultKind = str('fault') ?? DEFAULT_FAULT;
  if (!FAULT_KINDS.includes(fault)) errors.push(`--fault: '${fault}' is not one of ${FAULT_KINDS.join(', ')}`);
  const count = num('count', '--count', undefined, 1, 10_000, true);
  const percent = num('percent', '--percent', undefined, 1, 100);
  if (count !== undefined && percent !== undefined) errors.push('--count and --percent: give one or the other');
  const headers: Record<string, string> = {};
  const rawHeaders = raw.header;
  for (const h of Array.isArray(rawHeaders) ? rawHeaders : typeof rawHeaders === 'string' ? [rawHeaders] : []) {
    const i = h.indexOf(':');
    if (i <= 0) errors.push(`--header: '${h}' must look like 'Name: value'`);
    else headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  let expectStatus: number[] | undefined;
  const es = str('expectStatus');
  if (es !== undefined) {
    expectStatus = es.split(',').map((s) => Number(s.trim()));
    if (expectStatus.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) errors.push(`--expect-status: '${es}' must be HTTP status codes, e.g. 200,204`);
  }
  const url = str('url');
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`--url: '${url}' must be http:// or https://`);
    } catch {
      errors.push(`--url: '${url}' is not a URL`);
    }
  }
  const minHealthy = str('minHealthy');
  if (minHealthy !== undefined && !/^\d+(\.\d+)?%$|^\d+$/.test(minHealthy.trim())) errors.push(`--min-healthy: '${minHealthy}' must be a count (3) or a percentage (50%)`);

  const cfg: RunConfig = {
    asg: asg ?? '',
    fault,
    ...(count !== undefined ? { count } : {}),
    ...(percent !== undefined ? { percent } : {}),
    ...(str('az') ? { az: str('az')! } : {}),
    ...(str('region') ? { region: str('region')! } : {}),
    ...(str('profile') ? { profile: str('profile')! } : {}),
    ...(str('endpointUrl') ? { endpoint: str('endpointUrl')! } : {}),
    ...(url ? { url } : {}),
    path: str('path') ?? '/',
    baselineMs: duration('baseline', '--baseline', '10s'),
    rate: num('rate', '--rate', 20, 0.1, 10_000)!,
    timeoutMs: duration('timeout', '--timeout', '2s'),
    method: (str('method') ?? 'GET').toUpperCase(),
    headers,
    ...(expectStatus ? { expectStatus } : {}),
    ...(str('seed') ? { seed: str('seed')! } : {}),
    ...(minHealthy ? { minHealthy } : {}),
    ...(str('minHealthyPerAz') !== undefined ? { minHealthyPerAz: num('minHealthyPerAz', '--min-healthy-per-az', 1, 0, 1000, true)! } : {}),
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    allowUntagged: raw.allowUntagged === true,
    pollMs: duration('poll', '--poll', '5s'),
    recoveryTimeoutMs: duration('recoveryTimeout', '--recovery-timeout', '10m'),
    steadyMs: duration('steady', '--steady', '5s'),
    steadyErrorRate: num('steadyErrorRate', '--steady-error-rate', 0.01, 0, 1)!,
    steadyP99Ms: duration('steadyP99', '--steady-p99', '1s'),
    reportDir: str('reportDir') ?? env.CHAOS_EC2_REPORT_DIR ?? './chaos-reports',
    json: raw.json === true,
    durationMs: duration('duration', '--duration', '60s'),
    includeLbSubnets: raw.includeLbSubnets === true,
    allowSharedSubnets: raw.allowSharedSubnets === true,
    ...(str('abortErrorRate') !== undefined ? { abortErrorRate: num('abortErrorRate', '--abort-error-rate', 1, 0, 1)! } : {}),
    abortAfterMs: duration('abortAfter', '--abort-after', '5s'),
    gates: {},
    formats: ['json'],
  };
  const gates = parseGateOptions(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])));
  errors.push(...gates.errors);
  cfg.gates = gates.thresholds;
  if (str('format') !== undefined) {
    try {
      cfg.formats = [...new Set<ReportFormat>(['json', ...parseFormats(str('format')!)])];
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (str('minInterval') !== undefined) cfg.minIntervalMs = duration('minInterval', '--min-interval', '0s');
  if (fault !== 'blackhole-az' && cfg.includeLbSubnets) errors.push('--include-lb-subnets: only with --fault blackhole-az');
  if (fault !== 'blackhole-az' && cfg.allowSharedSubnets) errors.push('--allow-shared-subnets: only with --fault blackhole-az');
  if (fault === 'blackhole-az' && (count !== undefined || percent !== undefined)) errors.push('--count/--percent: only with --fault terminate-instances (blackhole-az cuts off a whole AZ; choose it with --az)');
  if (fault === 'blackhole-az' && cfg.durationMs < 1000 && !errors.some((e) => e.startsWith('--duration'))) errors.push('--duration: must be at least 1s');
  if (str('abortAfter') !== undefined && cfg.abortErrorRate === undefined) errors.push('--abort-after: needs --abort-error-rate (the stop condition is error rate above R for S seconds)');
  if (cfg.abortAfterMs < 1000 && !errors.some((e) => e.startsWith('--abort-after'))) errors.push('--abort-after: must be at least 1s (the probe judges whole seconds)');
  if (cfg.timeoutMs <= 0 && !errors.some((e) => e.startsWith('--timeout'))) errors.push('--timeout: must be more than 0');
  if (cfg.pollMs < 100 && !errors.some((e) => e.startsWith('--poll'))) errors.push('--poll: must be at least 100ms');
  if (cfg.steadyMs < 1000 && !errors.some((e) => e.startsWith('--steady:'))) errors.push('--steady: must be at least 1s');
  if (cfg.baselineMs < 1000 && !errors.some((e) => e.startsWith('--baseline'))) errors.push('--baseline: must be at least 1s');
  if (errors.length) {
    throw new ChaosError(ExitCode.Usage, errors.length === 1 ? errors[0]! : `${errors.length} problems with the options:\n  ${errors.join('\n  ')}`, {
      phase: 'config',
      hint: 'see chaos-ec2 run --help',
    });
  }
  return cfg;
}
