/**
 * RunConfig: everything an experiment needs, validated up front — all problems reported at once, before any
 * AWS call — from raw flag values (strings as typed). Its fields are set from the option table
 * (run-options.ts, plus each fault's options): flags and experiment files (experiment/file.ts) both feed
 * this one validator. A unit test keeps the interface and the table in step.
 */
import { ChaosError, ExitCode } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import type { ReportFormat } from './formats.js';
import type { NotifyFormat } from './notify-options.js';
import { FAULT_OPTIONS, faultsAccepting, metaFor } from '../faults/catalog.js';
import { GATE_FLAGS, type GateThresholds } from './gates.js';
import { GATE_OPTION_SET, RUN_OPTIONS } from './run-options.js';
import { engineProblems, type EngineKind } from './engine-options.js';
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
  /** http: an HTTP exchange per request; tcp: a connect-only probe. */
  probe: 'http' | 'tcp';
  /** Host header and TLS server name of the probe (overrides discovery's). */
  host?: string;
  /** --resolve entries, normalised `HOST:PORT:ADDR,ADDR` (observe/resolve.ts parses them into a map). */
  resolve?: string[];
  /** Path of a PEM file of extra CAs (read and checked at validation). */
  caCert?: string;
  /** No certificate verification. */
  insecure: boolean;
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
  /** Faults that hold (--duration): how long the fault stays injected. */
  durationMs: number;
  /** Network faults: also cut off the load balancer's subnets in the AZ (a full-AZ outage). */
  includeLbSubnets: boolean;
  /** Network faults: go ahead although network interfaces that are not the group's share the target subnets. */
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
  /** Webhooks told the result when the run ends (secrets: never printed or written). */
  notify?: string[];
  notifyFormat?: NotifyFormat;
  /** Launch + boot + application start of a replacement (absent: the group's DefaultInstanceWarmup, else 60 s). */
  bootAllowanceMs?: number;
  /** How long a new NLB target takes to turn healthy (observed, not documented by AWS). */
  nlbRegistrationAllowanceMs: number;
  /** Run although --recovery-timeout is shorter than the expected earliest recovery. */
  allowShortTimeout: boolean;
  /** Run although a process the fault needs is suspended (an experiment on a group that cannot recover). */
  allowSuspendedProcesses: boolean;
  /** CloudWatch alarms (names or ARNs) as stop conditions: all OK before injecting, one in ALARM rolls back. */
  stopAlarms: string[];
  /** An alarm in INSUFFICIENT_DATA does not refuse the run. */
  allowInsufficientData: boolean;
  /** Publish the run's figures to this CloudWatch namespace at the end. */
  metricsNamespace?: string;
  /** Who injects and reverts the fault: chaos-ec2's own calls, or an AWS FIS experiment. */
  engine: EngineKind;
  /** --engine fis: the role FIS assumes (required with fis). */
  fisRoleArn?: string;
  /** --engine fis: keep the experiment template after the run. */
  keepTemplate: boolean;
}

/** Raw values as commander hands them over (strings, booleans, repeated strings). */
export type RawRunOptions = Record<string, string | boolean | string[] | undefined>;

export const OPT_IN_TAG = { key: 'chaos-ec2:opt-in', value: 'true' } as const;

/** Validates raw run options (flags, or an experiment file's values) into a RunConfig; every problem at once. */
export function validateRunOptions(raw: RawRunOptions, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const { values, given, errors } = parseOptions(RUN_OPTIONS, raw);
  const cfg: Record<string, unknown> = { gates: {} };
  for (const def of RUN_OPTIONS) {
    if (values[def.name] === undefined) continue;
    if (GATE_OPTION_SET.has(def)) (cfg.gates as Record<string, unknown>)[def.name] = values[def.name];
    else cfg[def.field ?? def.name] = values[def.name];
  }
  // Gate values are keyed by flag above; RunConfig.gates holds thresholds.
  cfg.gates = gateThresholds(cfg.gates as Record<string, number>);
  cfg.formats = [...new Set<ReportFormat>(['json', ...((cfg.formats as ReportFormat[] | undefined) ?? [])])];
  cfg.reportDir ??= env.CHAOS_EC2_REPORT_DIR || './chaos-reports';
  cfg.asg ??= '';

  // A fault-specific option given with a fault that does not take it would silently do nothing.
  const fault = errors.some((e) => e.startsWith('--fault:')) ? undefined : metaFor(String(values.fault));
  if (fault) {
    for (const def of FAULT_OPTIONS) {
      if (given.has(def.name) && !fault.options.some((o) => o.def === def)) {
        errors.push(`${def.flag}: only with --fault ${faultsAccepting(def).join(' or ')} (not ${fault.kind})`);
      }
    }
  }
  errors.push(...engineProblems(values, given));
  if (given.has('abortAfter') && !given.has('abortErrorRate')) errors.push('--abort-after: needs --abort-error-rate (the stop condition is error rate above R for S seconds)');
  if (given.has('allowInsufficientData') && !given.has('stopAlarm')) errors.push('--allow-insufficient-data: needs --stop-alarm (it is about the stop alarms)');
  if (errors.length) {
    throw new ChaosError(ExitCode.Usage, errors.length === 1 ? errors[0]! : `${errors.length} problems with the options:\n  ${errors.join('\n  ')}`, {
      phase: 'config',
      hint: 'see chaos-ec2 run --help',
    });
  }
  return cfg as unknown as RunConfig;
}

function gateThresholds(byKey: Record<string, number>): GateThresholds {
  const t: GateThresholds = {};
  for (const g of GATE_FLAGS) if (byKey[g.key] !== undefined) t[g.threshold] = byKey[g.key];
  return t;
}
