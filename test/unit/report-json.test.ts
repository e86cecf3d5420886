import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChaosError, ExitCode } from '../../src/core/errors.js';
import { readJsonReport, writeJsonReport } from '../../src/report/json.js';
import { loadFixture } from './report-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<ChaosError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChaosError);
  return err as ChaosError;
}

describe('writeJsonReport', () => {
  it('writes <dir>/<id>/report.json, creating missing folders, and leaves no temp file', async () => {
    const report = loadFixture('fail');
    const nested = join(dir, 'reports', 'ci');
    const path = await writeJsonReport(report, nested);
    expect(path).toBe(join(nested, report.id, 'report.json'));
    expect(await readdir(join(nested, report.id))).toEqual(['report.json']);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('{\n  "schemaVersion": 2,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('round-trips through readJsonReport unchanged', async () => {
    for (const name of ['pass', 'fail', 'failopen'] as const) {
      const report = loadFixture(name);
      const back = await readJsonReport(await writeJsonReport(report, dir));
      expect(back).toEqual(report);
    }
  });

  it('replaces an existing report whole', async () => {
    const report = loadFixture('pass');
    await writeJsonReport({ ...report, verdict: 'error', reason: 'first write' }, dir);
    const path = await writeJsonReport(report, dir);
    const back = await readJsonReport(path);
    expect(back.verdict).toBe('pass');
    expect(back.reason).toBeUndefined();
    expect(await readdir(join(dir, report.id))).toEqual(['report.json']);
  });

  it('cleans up its temp file when the final rename fails', async () => {
    const report = loadFixture('pass');
    // A directory where the file should go makes rename fail after the temp file was fully written.
    await mkdir(join(dir, report.id, 'report.json'), { recursive: true });
    const err = await rejection(writeJsonReport(report, dir));
    expect(err.message).toContain(join(dir, report.id, 'report.json'));
    expect(await readdir(join(dir, report.id))).toEqual(['report.json']);
  });

  it('refuses an id that would escape the report directory', async () => {
    const report = { ...loadFixture('pass'), id: '../escape' };
    const err = await rejection(writeJsonReport(report, dir));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('readJsonReport', () => {
  it('reports a missing file as a one-line usage error', async () => {
    const path = join(dir, 'nope', 'report.json');
    const err = await rejection(readJsonReport(path));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(`cannot read report ${path}: no such file`);
  });

  it('reports bad JSON', async () => {
    const path = join(dir, 'report.json');
    await writeFile(path, '{"schemaVersion": 1, "id": ');
    const err = await rejection(readJsonReport(path));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(/^report .*report\.json is not valid JSON: /);
    expect(err.message).not.toContain('\n');
  });

  it('rejects an unknown or missing schemaVersion', async () => {
    const path = join(dir, 'report.json');
    await writeFile(path, JSON.stringify({ ...loadFixture('pass'), schemaVersion: 3 }));
    const future = await rejection(readJsonReport(path));
    expect(future.exitCode).toBe(ExitCode.Usage);
    expect(future.message).toBe(`report ${path} has schemaVersion 3; this chaos-ec2 reads schemaVersion 1 and 2`);

    await writeFile(path, JSON.stringify({ id: 'x' }));
    expect((await rejection(readJsonReport(path))).message).toContain('has no schemaVersion');

    await writeFile(path, '[1, 2]');
    expect((await rejection(readJsonReport(path))).message).toContain('not a chaos-ec2 report');
  });

  it('upgrades a schema 1 report: its top-level fault section moves under fault.detail', async () => {
    const path = join(dir, 'report.json');
    const section = { az: 'eu-west-1b', subnets: [] };
    const v2 = loadFixture('pass');
    await writeFile(path, JSON.stringify({ ...v2, schemaVersion: 1, blackhole: section }));
    const read = await readJsonReport(path);
    expect(read.schemaVersion).toBe(2);
    expect(read.fault?.detail).toEqual(section);
    expect('blackhole' in read).toBe(false);
    expect(read.fault?.targets).toEqual(v2.fault?.targets);
  });
});

describe('readJsonReport: a report with the right version but not the whole shape', () => {
  /** Writes `data` as report.json and returns the one-line error reading it gives. */
  async function problemWith(data: unknown): Promise<string> {
    const path = join(dir, 'report.json');
    await writeFile(path, JSON.stringify(data));
    const err = await rejection(readJsonReport(path));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).not.toContain('\n');
    expect(err.message.startsWith(`report ${path} is not a complete chaos-ec2 report: `)).toBe(true);
    return err.message.slice(`report ${path} is not a complete chaos-ec2 report: `.length);
  }
  const pass = () => loadFixture('pass');

  it('names the first missing field of a bare {"schemaVersion":2}', async () => {
    expect(await problemWith({ schemaVersion: 2 })).toBe('id: missing (expected a string)');
  });

  it('names a top-level field of the wrong type', async () => {
    expect(await problemWith({ ...pass(), timeline: 5 })).toBe('timeline: expected an array, got number 5');
    expect(await problemWith({ ...pass(), verdict: 'great' })).toBe('verdict: expected one of pass, fail, aborted, error, got a string ("great")');
    expect(await problemWith({ ...pass(), startedAt: 'yesterday' })).toBe('startedAt: expected an ISO date, got a string ("yesterday")');
  });

  it('names nested fields by their path, array items by index', async () => {
    const r = pass();
    expect(await problemWith({ ...r, target: { ...r.target, asg: 7 } })).toBe('target.asg: expected a string, got number 7');
    expect(await problemWith({ ...r, gates: [r.gates[0], { ...r.gates[0], pass: 'yes' }] })).toBe('gates[1].pass: expected true or false, got a string ("yes")');
    expect(await problemWith({ ...r, recovery: { ...r.recovery, breakdown: null } })).toBe('recovery.breakdown: expected an object, got null');
    expect(await problemWith({ ...r, probe: { ...r.probe, perSecond: [{}] } })).toBe('probe.perSecond[0].atMs: missing (expected a number)');
    expect(await problemWith({ ...r, capacity: { ...r.capacity, samples: 'many' } })).toBe('capacity.samples: expected an array, got a string ("many")');
  });

  it('checks a schema 1 report after its upgrade', async () => {
    expect(await problemWith({ ...pass(), schemaVersion: 1, blackhole: {}, steadyState: { pass: true } })).toBe('steadyState.checks: missing (expected an array)');
  });

  it('accepts what a run can legitimately write: null sections, absent optional fields', async () => {
    const r = pass();
    const refused = { ...r, verdict: 'aborted', exitCode: 3, reason: 'steady state not met', fault: null, recovery: null, probe: null, timeline: [], gates: [] };
    const path = join(dir, 'report.json');
    await writeFile(path, JSON.stringify(refused));
    expect((await readJsonReport(path)).fault).toBeNull();
    const gate = { name: 'availability', threshold: 0.99, pass: false, detail: 'no probe' }; // actual absent
    const rollback = { status: 'complete', remaining: [] };
    await writeFile(path, JSON.stringify({ ...r, gates: [gate], rollback }));
    expect((await readJsonReport(path)).rollback).toEqual(rollback);
  });
});
