/**
 * Loads the report fixtures and checks them against the Report contract at runtime. JSON imports widen
 * literal types ('pass' becomes string), so `satisfies` cannot check a fixture file; this helper does, and
 * its key table is typed `Record<keyof Report, …>`, so adding a field to Report breaks the build here until
 * the fixtures are reviewed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { SCHEMA_VERSION, type Report } from '../../src/experiment/types.js';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'nullable-object' | 'optional-string' | 'optional-object' | 'optional-array';
const REPORT_KEYS: Record<keyof Report, Kind> = {
  schemaVersion: 'number',
  id: 'string',
  tool: 'object',
  startedAt: 'string',
  endedAt: 'string',
  verdict: 'string',
  exitCode: 'number',
  reason: 'optional-string',
  hint: 'optional-string',
  seed: 'string',
  target: 'object',
  fault: 'nullable-object',
  steadyState: 'object',
  timeline: 'array',
  recovery: 'nullable-object',
  probe: 'nullable-object',
  capacity: 'object',
  gates: 'array',
  settings: 'object',
  rollback: 'optional-object',
  stopCondition: 'optional-object',
  preflight: 'optional-object',
  contaminated: 'optional-object',
  recoveryBlocked: 'optional-array',
  metrics: 'optional-object',
  engine: 'optional-object',
};

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Throws (via expect) unless `data` has the shape of a Report; returns it typed. */
export function asReport(data: unknown): Report {
  const r = data as Record<string, unknown>;
  expect(kindOf(r)).toBe('object');
  for (const [key, kind] of Object.entries(REPORT_KEYS)) {
    const k = kindOf(r[key]);
    if (kind === 'nullable-object') expect(['object', 'null'], key).toContain(k);
    else if (kind === 'optional-string') expect(['string', 'undefined'], key).toContain(k);
    else if (kind === 'optional-object') expect(['object', 'undefined'], key).toContain(k);
    else if (kind === 'optional-array') expect(['array', 'undefined'], key).toContain(k);
    else expect(k, key).toBe(kind);
  }
  const report = r as unknown as Report;
  expect(report.schemaVersion).toBe(SCHEMA_VERSION);
  expect(['pass', 'fail', 'aborted', 'error']).toContain(report.verdict);
  expect(Number.isNaN(Date.parse(report.startedAt))).toBe(false);
  if (report.fault) {
    expect(['terminate-instances', 'blackhole-az']).toContain(report.fault.kind);
    for (const t of report.fault.targets) expect(t.instanceId).toMatch(/^i-[0-9a-f]{8,17}$/);
  }
  for (const e of report.timeline) expect(typeof e.atMs === 'number' && typeof e.event === 'string').toBe(true);
  for (const g of report.gates) expect(typeof g.name === 'string' && typeof g.pass === 'boolean').toBe(true);
  if (report.recovery) expect(typeof report.recovery.failOpenSeen).toBe('boolean');
  if (report.probe) {
    const p = report.probe;
    // The accounting invariant the whole tool rests on: nothing dropped.
    expect(p.sent).toBe(p.ok + p.failed);
    expect(p.sent).toBe(p.perSecond.reduce((a, s) => a + s.sent, 0));
    expect(p.availability).toBeGreaterThanOrEqual(0);
    expect(p.availability).toBeLessThanOrEqual(1);
    for (const s of p.perSecond) {
      expect(s.sent).toBe(s.ok + s.failed);
      expect(typeof s.saturated).toBe('boolean');
    }
  }
  return report;
}

export type FixtureName = 'pass' | 'fail' | 'failopen';

export function loadFixture(name: FixtureName): Report {
  const path = fileURLToPath(new URL(`../fixtures/report-${name}.json`, import.meta.url));
  return asReport(JSON.parse(readFileSync(path, 'utf8')));
}

/** Removes CSI escape sequences (colors, cursor show/hide, synchronized output). */
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\u001b\[[?0-9;]*[A-Za-z]/g, '');
