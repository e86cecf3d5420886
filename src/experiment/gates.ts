/**
 * Resilience gates: thresholds a CI pipeline sets on `run` (flags or an experiment file's `gates:`), checked
 * against the finished Report. Pure: Report in, Gate[] out. One gate per threshold given, none otherwise.
 *
 * Gate names follow the report's convention that a name ending in `Ms` holds a duration in ms (renderers
 * format it as one); the others are plain numbers (rates as fractions 0-1, counts as integers).
 *
 * A missing figure never passes: a TTR of null means "did not recover before the timeout", and no probe data
 * means the service side was not measured, so there is nothing to prove the threshold with.
 */
import { duration, int, parseOptions, rate, type OptionDef, type Parser } from '../core/options.js';
import type { Gate, Report } from './types.js';

export interface GateThresholds {
  /** Highest acceptable serviceRecoveredMs. */
  maxServiceTtrMs?: number;
  /** Highest acceptable capacityRecoveredMs. */
  maxCapacityTtrMs?: number;
  /** Highest acceptable failed / sent over the whole probe (0-1). */
  maxErrorRate?: number;
  /** Lowest acceptable ok / sent over the whole probe (0-1). */
  minAvailability?: number;
  /** Highest acceptable overall p99 latency (from intended send time). */
  maxP99Ms?: number;
  /** Highest acceptable number of failed requests after t0. */
  maxImpact?: number;
}

type Kind = 'duration' | 'rate' | 'count';

export interface GateFlag {
  /** Commander flag spec, e.g. `--max-service-ttr <duration>`. */
  flags: string;
  /** The camelCase key commander (and the experiment file's `gates:` section) uses for the raw value. */
  key: 'maxServiceTtr' | 'maxCapacityTtr' | 'maxErrorRate' | 'minAvailability' | 'maxP99' | 'maxImpact';
  /** The threshold it sets. */
  threshold: keyof GateThresholds;
  kind: Kind;
  description: string;
}

/** The gate flags as data, for run-flags.ts (help text), the experiment file (keys) and the JSON Schema. */
export const GATE_FLAGS: readonly GateFlag[] = [
  {
    flags: '--max-service-ttr <duration>',
    key: 'maxServiceTtr',
    threshold: 'maxServiceTtrMs',
    kind: 'duration',
    description: 'gate: service must recover (serviceRecoveredMs) within this, e.g. 30s',
  },
  {
    flags: '--max-capacity-ttr <duration>',
    key: 'maxCapacityTtr',
    threshold: 'maxCapacityTtrMs',
    kind: 'duration',
    description: 'gate: capacity must recover (capacityRecoveredMs) within this, e.g. 5m',
  },
  {
    flags: '--max-error-rate <rate>',
    key: 'maxErrorRate',
    threshold: 'maxErrorRate',
    kind: 'rate',
    description: 'gate: highest share of failed probe requests over the run, e.g. 0.01 or 1%',
  },
  {
    flags: '--min-availability <rate>',
    key: 'minAvailability',
    threshold: 'minAvailability',
    kind: 'rate',
    description: 'gate: lowest share of successful probe requests over the run, e.g. 99.5%',
  },
  { flags: '--max-p99 <duration>', key: 'maxP99', threshold: 'maxP99Ms', kind: 'duration', description: 'gate: highest p99 latency over the run, e.g. 500ms' },
  { flags: '--max-impact <n>', key: 'maxImpact', threshold: 'maxImpact', kind: 'count', description: 'gate: most failed requests allowed after the fault' },
];

/** The flag's name alone (`--max-p99`), as error messages quote it. */
export const flagName = (f: GateFlag): string => f.flags.split(' ')[0] as string;

// A TTR or p99 gate beyond a day cannot be reached: --recovery-timeout ends the run by 24 h at most.
const GATE_PARSERS: Record<Kind, Parser<number>> = { duration: duration(0, 24 * 3_600_000), rate: rate(), count: int(0, 1_000_000_000) };

/** The gates as option definitions: run flags, the experiment file's `gates:` keys and the schema. */
export const GATE_OPTIONS: readonly OptionDef<number>[] = GATE_FLAGS.map((g) => ({
  name: g.key,
  flag: flagName(g),
  arg: g.flags.split(' ')[1] as string,
  parser: GATE_PARSERS[g.kind],
  help: g.description,
  file: { section: 'gates' },
}));

/**
 * Parses raw gate values (as typed: '30s', '1%', '0.01', '25') keyed by GateFlag.key. Collects every
 * problem instead of throwing, so callers can merge them with the other options' errors (all at once).
 * Each error starts with the flag name, e.g. `--max-error-rate: '2' must be a rate from 0 to 1 (or 0%-100%)`.
 */
export function parseGateOptions(raw: Record<string, string | undefined>): { thresholds: GateThresholds; errors: string[] } {
  const { values, errors } = parseOptions(GATE_OPTIONS, raw);
  const thresholds: GateThresholds = {};
  for (const f of GATE_FLAGS) if (values[f.key] !== undefined) thresholds[f.threshold] = values[f.key] as number;
  return { thresholds, errors };
}

/** `0.01` or `1%` → 0.01; null when not a rate in [0, 1]. */
export function parseRate(text: string): number | null {
  try {
    return GATE_PARSERS.rate.parse(text);
  } catch {
    return null;
  }
}

const ms = (v: number): string => (v < 1000 ? `${Math.round(v)}ms` : `${Number((v / 1000).toFixed(1))}s`);
const pct = (v: number): string => `${Number((v * 100).toFixed(3))}%`;

/** One gate per threshold present, in the fixed order of GATE_FLAGS. */
export function computeGates(report: Pick<Report, 'recovery' | 'probe'>, t: GateThresholds): Gate[] {
  const gates: Gate[] = [];
  const rec = report.recovery;
  const probe = report.probe;
  const atMost = (name: string, threshold: number, actual: number | null, fmt: (v: number) => string, missing: string): Gate =>
    actual === null
      ? { name, threshold, actual: null, pass: false, detail: missing }
      : { name, threshold, actual, pass: actual <= threshold, detail: `${fmt(actual)} ${actual <= threshold ? '≤' : '>'} ${fmt(threshold)}` };

  const none = 'no fault was injected, nothing recovered';
  if (t.maxServiceTtrMs !== undefined) {
    // recovery.ts gives 0 when no second failed: the users never noticed.
    gates.push(atMost('serviceRecoveredMs', t.maxServiceTtrMs, rec?.serviceRecoveredMs ?? null, ms, rec ? 'service did not recover before the timeout' : none));
  }
  if (t.maxCapacityTtrMs !== undefined) {
    // Capacity never lost counts as recovered with a null figure (recovery.ts): that is 0 for a gate.
    const actual = rec ? (rec.capacityRecoveredMs ?? (rec.capacityRecovered ? 0 : null)) : null;
    gates.push(atMost('capacityRecoveredMs', t.maxCapacityTtrMs, actual, ms, rec ? 'capacity did not recover before the timeout' : none));
  }
  const noProbe = 'no probe data: the service side was not measured';
  if (t.maxErrorRate !== undefined) {
    const actual = probe && probe.sent > 0 ? probe.failed / probe.sent : null;
    gates.push(atMost('errorRate', t.maxErrorRate, actual, pct, noProbe));
  }
  if (t.minAvailability !== undefined) {
    const actual = probe && probe.sent > 0 ? probe.availability : null;
    const g: Gate =
      actual === null
        ? { name: 'availability', threshold: t.minAvailability, actual: null, pass: false, detail: noProbe }
        : {
            name: 'availability',
            threshold: t.minAvailability,
            actual,
            pass: actual >= t.minAvailability,
            detail: `${pct(actual)} ${actual >= t.minAvailability ? '≥' : '<'} ${pct(t.minAvailability)}`,
          };
    gates.push(g);
  }
  if (t.maxP99Ms !== undefined) {
    gates.push(atMost('p99Ms', t.maxP99Ms, probe?.latencyMs.p99 ?? null, ms, noProbe));
  }
  if (t.maxImpact !== undefined) {
    // Failures after t0 are the fault's impact; without a fault, every failure counts.
    const actual = rec ? rec.failedRequests : (probe?.failed ?? null);
    gates.push(atMost('failedRequests', t.maxImpact, actual, (v) => `${v} failed`, noProbe));
  }
  return gates;
}

/**
 * Adds the threshold gates to a finished report and fails it when one fails: a passing run becomes
 * verdict 'fail', exit 1, with a reason naming the gates. Verdicts other than 'pass' (error, aborted, a
 * run that already failed) keep their verdict and exit code — they already say something worse or equal.
 */
export function applyGates(report: Report, thresholds: GateThresholds): Report {
  const added = computeGates(report, thresholds);
  if (added.length === 0) return report;
  const gates = [...report.gates, ...added];
  const failed = added.filter((g) => !g.pass);
  if (failed.length === 0 || report.verdict !== 'pass') return { ...report, gates };
  // A passing run's reason is a note worth keeping (e.g. that the run was contaminated): it follows the gates'.
  const note = report.reason ? `; ${report.reason}` : '';
  return { ...report, gates, verdict: 'fail', exitCode: 1, reason: `gate failed: ${failed.map((g) => `${g.name} (${g.detail ?? 'failed'})`).join('; ')}${note}` };
}
