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
