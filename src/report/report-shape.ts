/**
 * A light structural check of a report read from disk: the fields the renderers, `history` and pacing read,
 * with their types. A file that is JSON with the right schemaVersion but not a whole report (hand-edited,
 * truncated by a tool that rewrote it, written by something else) must be a one-line usage error naming the
 * first bad field — never a TypeError deep inside a renderer (exit 70, "a bug in chaos-ec2").
 *
 * Optional fields are checked only when present, and fields added to Report after schema 2 was first written
 * (the report grows without a version bump) are optional here, so every report chaos-ec2 ever wrote still
 * reads. The top-level table is typed `Record<keyof Report, …>`: a new Report field breaks the build here
 * until someone decides how strictly to read it.
 */
import type { Report } from '../experiment/types.js';

/** Returns the first problem (`path: what is wrong`), or undefined when the value fits. */
type Check = (v: unknown, path: string) => string | undefined;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)})`;
  return typeof v === 'number' || typeof v === 'boolean' ? `${typeof v} ${v}` : typeof v;
}

const expected = (what: string, v: unknown, path: string): string => (v === undefined ? `${path}: missing (expected ${what})` : `${path}: expected ${what}, got ${describe(v)}`);

const str: Check = (v, p) => (typeof v === 'string' ? undefined : expected('a string', v, p));
const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : expected('a number', v, p));
const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : expected('true or false', v, p));
const date: Check = (v, p) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? undefined : expected('an ISO date', v, p));
const record: Check = (v, p) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : expected('an object', v, p));
const anyOf =
  (what: string, ...checks: Check[]): Check =>
  (v, p) =>
    checks.some((c) => c(v, p) === undefined) ? undefined : expected(what, v, p);
const oneOf =
  (...values: string[]): Check =>
  (v, p) =>
    values.includes(v as string) ? undefined : expected(`one of ${values.join(', ')}`, v, p);
const nullable =
  (c: Check): Check =>
  (v, p) =>
    v === null ? undefined : c(v, p);
const optional =
  (c: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : c(v, p);
const numOrNull = nullable(num);

function obj(fields: Record<string, Check>): Check {
  return (v, p) => {
    const bad = record(v, p);
    if (bad) return bad;
    const o = v as Record<string, unknown>;
    for (const [k, c] of Object.entries(fields)) {
      const e = c(o[k], p ? `${p}.${k}` : k);
      if (e) return e;
    }
    return undefined;
  };
}

function arrayOf(item: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return expected('an array', v, p);
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
}

const REPORT: Record<keyof Report, Check> = {
  schemaVersion: num,
  id: str,
  tool: obj({ name: str, version: str }),
  startedAt: date,
  endedAt: date,
  verdict: oneOf('pass', 'fail', 'aborted', 'error'),
  exitCode: num,
  reason: optional(str),
  hint: optional(str),
  seed: str,
  target: obj({ account: str, region: str, asg: str, url: str, endpoint: optional(str), targetGroups: arrayOf(str), loadBalancers: arrayOf(str) }),
  fault: nullable(
    obj({
      kind: str,
      targets: arrayOf(obj({ instanceId: str, availabilityZone: str })),
      injectedAt: nullable(date),
      t0: numOrNull,
      selection: record,
    }),
  ),
  steadyState: obj({ pass: bool, checks: arrayOf(obj({ name: str, pass: bool, detail: optional(str) })) }),
  timeline: arrayOf(obj({ atMs: num, at: str, event: str })),
  recovery: nullable(
    obj({
      timeToImpactMs: numOrNull,
      serviceRecoveredMs: numOrNull,
      capacityRecoveredMs: numOrNull,
      recovered: bool,
      serviceRecovered: bool,
      capacityRecovered: bool,
      breakdown: obj({ capacityLostMs: numOrNull, replacementLaunchedMs: numOrNull, inServiceMs: numOrNull, targetHealthyMs: numOrNull, lifecycleWaitMs: optional(numOrNull) }),
      failedRequests: num,
      saturatedSeconds: num,
      failOpenSeen: optional(bool),
    }),
  ),
  probe: nullable(
    obj({
      url: str,
      rate: num,
      sent: num,
      ok: num,
      failed: num,
      late: optional(num),
      availability: num,
      latencyMs: obj({ p50: numOrNull, p95: optional(numOrNull), p99: numOrNull, max: numOrNull }),
      errorsByKind: record,
      perSecond: arrayOf(obj({ atMs: num, sent: num, ok: num, failed: num, p99: numOrNull, saturated: bool, errorsByKind: optional(record) })),
    }),
  ),
  capacity: obj({ baselineHealthy: num, desired: num, samples: arrayOf(obj({ atMs: num, desired: num, inService: num, capacity: optional(num), healthy: num })) }),
  gates: arrayOf(
    obj({ name: str, threshold: anyOf('a number or a string', num, str), actual: optional(nullable(anyOf('a number or a string', num, str))), pass: bool, detail: optional(str) }),
  ),
  settings: record,
  rollback: optional(obj({ status: oneOf('not-needed', 'complete', 'incomplete'), remaining: arrayOf(str), recoverCommand: optional(str) })),
  stopCondition: optional(obj({ name: str, threshold: str, firedAtMs: num, detail: str })),
  preflight: optional(obj({ warnings: arrayOf(str), notes: arrayOf(str), expectedRecovery: obj({ ms: num, text: str }) })),
  contaminated: optional(obj({ instanceId: str, atMs: num, cause: str })),
  recoveryBlocked: optional(arrayOf(str)),
  metrics: optional(obj({ namespace: str, published: bool, error: optional(str) })),
  engine: optional(obj({ kind: oneOf('local', 'fis'), t0: str, templateId: optional(str), experimentId: optional(str), consoleUrl: optional(str) })),
};

const checkReport = obj(REPORT);

/** The first field of `data` that does not fit the Report shape (`timeline: expected an array, got number 5`). */
export function reportShapeProblem(data: unknown): string | undefined {
  return checkReport(data, '');
}
