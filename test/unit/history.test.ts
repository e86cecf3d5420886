import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHistory, trendOf, trends } from '../../src/cli/commands/history.js';
import { checkMinInterval, readReportHistory } from '../../src/report/pacing.js';
import type { Report } from '../../src/experiment/types.js';
import { loadFixture } from './report-fixtures.js';

const base = loadFixture('pass');
/** A run on `asg` started `minutesAgo` before 2025-03-20T12:00Z, with the given service TTR. */
const NOW = Date.parse('2025-03-20T12:00:00.000Z');
function run(id: string, asg: string, minutesAgo: number, ttr: number | null, injected = true): Report {
  const startedAt = new Date(NOW - minutesAgo * 60_000).toISOString();
  return {
    ...base,
    id,
    startedAt,
    endedAt: startedAt,
    target: { ...base.target, asg },
    fault: injected ? { ...base.fault!, injectedAt: startedAt } : null,
    recovery: { ...base.recovery!, serviceRecoveredMs: ttr, serviceRecovered: ttr !== null },
  };
}

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
async function reportDir(reports: Report[]): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'chaos-history-'));
  for (const r of reports) {
    await mkdir(join(dir, r.id), { recursive: true });
    await writeFile(join(dir, r.id, 'report.json'), JSON.stringify(r));
  }
  return dir;
}

describe('history', () => {
  it('reads every <dir>/*/report.json newest first; skips folders without a readable report', async () => {
    const d = await reportDir([run('a', 'web', 300, 3000), run('b', 'web', 100, 4000), run('c', 'api', 200, 1000)]);
    await mkdir(join(d, 'journal-only'));
    await mkdir(join(d, 'old'));
    await writeFile(join(d, 'old', 'report.json'), JSON.stringify({ ...base, schemaVersion: 0 }));
    const h = await readReportHistory(d);
    expect(h.reports.map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(h.skipped).toBe(2);
    expect((await readReportHistory(join(d, 'missing'))).reports).toEqual([]);
    const table = renderHistory(h.reports, h.skipped).split('\n');
    expect(table[0]).toMatch(/^date \(UTC\)\s+target ASG\s+fault\s+verdict\s+service TTR\s+capacity TTR\s+id$/);
    expect(table[2]).toMatch(/^2025-03-20 10:20\s+web\s+terminate-instances\s+pass \(0\)\s+4\.0s\s+47\.3s\s+b$/);
  });

  it('trend: last N median vs the N before, per ASG and fault', () => {
    expect(trendOf([4000, 4000, 4000, 3000, 3000, 3000])).toBe('slower by 33% (median 3.0s → 4.0s)');
    expect(trendOf([2000, 2100, 1900, 3000, 3100, 2900])).toBe('faster by 33% (median 3.0s → 2.0s)');
    expect(trendOf([3050, 3000, 2950, 3000])).toBe('steady (median 3.0s)');
    expect(trendOf([null, 3000, 3000, 3000])).toBe('worse: 1 of the last 2 did not recover');
    expect(trendOf([3000])).toBe('not enough runs');
    const t = trends([run('1', 'web', 1, 5000), run('2', 'web', 2, 5000), run('3', 'web', 3, 2500), run('4', 'web', 4, 2500), run('5', 'api', 5, 100)], 2);
    expect(t.find((x) => x.asg === 'web')).toMatchObject({ runs: 4, service: 'slower by 100% (median 2.5s → 5.0s)' });
    expect(t.find((x) => x.asg === 'api')).toMatchObject({ runs: 1, service: 'not enough runs' });
  });
});

describe('checkMinInterval', () => {
  it('refuses (exit 3) when the last run that injected into the ASG started too recently', async () => {
    const d = await reportDir([run('recent', 'web', 30, 3000), run('other', 'api', 1, 3000), run('dry', 'web', 1, null, false)]);
    const err = await checkMinInterval(d, 'web', 60 * 60_000, NOW).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 3, target: 'web' });
    expect((err as Error).message).toContain('recent');
    expect((err as Error).message).toContain('started 30m00s ago');
  });
  it('allows a run after the interval, on another ASG, with no history, or with no interval', async () => {
    const d = await reportDir([run('recent', 'web', 30, 3000)]);
    await expect(checkMinInterval(d, 'web', 29 * 60_000, NOW)).resolves.toEqual({ skipped: [] });
    await expect(checkMinInterval(d, 'api', 24 * 3_600_000, NOW)).resolves.toEqual({ skipped: [] });
    await expect(checkMinInterval(join(d, 'none'), 'web', 24 * 3_600_000, NOW)).resolves.toEqual({ skipped: [] });
    await expect(checkMinInterval(d, 'web', 0, NOW)).resolves.toEqual({ skipped: [] });
  });

  it('counts a crashed run that left only its journal (plan + a mutating intent), but not a journal that never acted', async () => {
    const d = await reportDir([]);
    const journal = (id: string, minutesAgo: number, intent: boolean) => {
      const at = new Date(NOW - minutesAgo * 60_000).toISOString();
      const lines = [{ at, experimentId: id, type: 'plan', plan: { asg: 'web' } }, ...(intent ? [{ at, experimentId: id, type: 'intent', action: 'ec2:TerminateInstances' }] : [])];
      mkdirSync(join(d, id), { recursive: true });
      writeFileSync(join(d, id, 'journal.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    };
    journal('planned-only', 5, false);
    await expect(checkMinInterval(d, 'web', 60 * 60_000, NOW)).resolves.toEqual({ skipped: [] });
    journal('crashed', 10, true);
    const err = await checkMinInterval(d, 'web', 60 * 60_000, NOW).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 3 });
    expect((err as Error).message).toContain('crashed');
    await expect(checkMinInterval(d, 'api', 60 * 60_000, NOW)).resolves.toEqual({ skipped: [] });
  });
});

describe('pacing: a report directory it cannot read', () => {
  // Listing /proc/1/map_files needs CAP_SYS_ADMIN: a real EACCES from readdir even for root in a container.
  // Where it is listable (a privileged host) the EACCES case is skipped; the ENOTDIR case always runs.
  const EACCES_DIR = '/proc/1/map_files';
  const eacces = (() => {
    try {
      readdirSync(EACCES_DIR);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EACCES';
    }
  })();

  it('only a missing directory means "no history"; a file in its place is exit 2 naming it, not a silent pass', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-pacing-'));
    const file = join(dir, 'reports');
    await writeFile(file, 'not a directory');
    // Each call starts only when it is awaited: a second promise made up front could reject before anything
    // listens, which is an unhandled rejection that fails the whole run.
    for (const call of [() => checkMinInterval(file, 'web', 60_000, NOW), () => readReportHistory(file)]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toMatchObject({ exitCode: 2 });
      expect((err as Error).message).toBe(`cannot read the report directory ${file}: not a directory (ENOTDIR)`);
    }
  });

  it.skipIf(!eacces)('an unreadable directory (EACCES) is exit 2 too', async () => {
    const err = await checkMinInterval(EACCES_DIR, 'web', 60_000, NOW).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2 });
    expect((err as Error).message).toBe(`cannot read the report directory ${EACCES_DIR}: permission denied (EACCES)`);
  });

  it('a damaged report or journal inside is skipped and returned for a warning; the others still count', async () => {
    const d = await reportDir([run('older', 'web', 90, 3000)]);
    await mkdir(join(d, 'half-copied'));
    await writeFile(join(d, 'half-copied', 'report.json'), '{"schemaVersion":1,"id":"half');
    const at = new Date(NOW - 10 * 60_000).toISOString();
    const plan = JSON.stringify({ at, experimentId: 'damaged', type: 'plan', plan: { asg: 'web' } });
    const intent = JSON.stringify({ at, experimentId: 'damaged', type: 'intent', action: 'ec2:TerminateInstances' });
    await mkdir(join(d, 'damaged'));
    await writeFile(join(d, 'damaged', 'journal.jsonl'), `${plan}\n\u0000\u0000garbage\n${intent}\n`);
    const res = await checkMinInterval(d, 'web', 60 * 60_000, NOW);
    expect(res.skipped).toEqual([
      { path: join(d, 'half-copied', 'report.json'), reason: expect.stringMatching(/^not valid JSON: /) },
      { path: join(d, 'damaged', 'journal.jsonl'), reason: 'damaged at line 2 (not valid JSON, and not a torn last line)' },
    ]);
    // The intact report still paces: 90 minutes ago is inside a 2-hour interval.
    await expect(checkMinInterval(d, 'web', 120 * 60_000, NOW)).rejects.toMatchObject({ exitCode: 3 });
  });

  it('a crashed run whose journal ends in a torn line still counts (the torn line is ignored, nothing skipped)', async () => {
    const d = await reportDir([]);
    const at = new Date(NOW - 10 * 60_000).toISOString();
    const lines = [
      JSON.stringify({ at, experimentId: 'torn', type: 'plan', plan: { asg: 'web' } }),
      JSON.stringify({ at, experimentId: 'torn', type: 'intent', action: 'ec2:TerminateInstances' }),
      '{"at":"',
    ];
    await mkdir(join(d, 'torn'));
    await writeFile(join(d, 'torn', 'journal.jsonl'), lines.join('\n'));
    const err = await checkMinInterval(d, 'web', 60 * 60_000, NOW).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 3 });
    expect((err as Error).message).toContain('torn');
  });
});

describe('history and pacing with a partial report', () => {
  it('a report of the right version but the wrong shape is skipped and named, and the others still count', async () => {
    const d = await reportDir([run('good', 'web', 30, 3000)]);
    await mkdir(join(d, 'partial'));
    await writeFile(join(d, 'partial', 'report.json'), JSON.stringify({ ...base, id: 'partial', timeline: 5 }));
    const h = await readReportHistory(d);
    expect(h.reports.map((r) => r.id)).toEqual(['good']);
    const named = { path: join(d, 'partial', 'report.json'), reason: 'not a complete chaos-ec2 report: timeline: expected an array, got number 5' };
    expect(h.unreadable).toEqual([named]);
    const text = renderHistory(h.reports, h.skipped, 3, h.unreadable);
    expect(text).toContain(`1 folder without a readable report.json skipped\n  ${named.path}: ${named.reason}`);
    // Pacing reads past it (and says so) instead of crashing: the intact run still paces.
    await expect(checkMinInterval(d, 'web', 60 * 60_000, NOW)).rejects.toMatchObject({ exitCode: 3 });
    await expect(checkMinInterval(d, 'web', 10 * 60_000, NOW)).resolves.toEqual({ skipped: [named] });
  });

  it('a directory holding only partial reports still names them under "no reports found"', async () => {
    const d = await reportDir([]);
    await mkdir(join(d, 'bare'));
    await writeFile(join(d, 'bare', 'report.json'), '{"schemaVersion":2}');
    const h = await readReportHistory(d);
    expect(renderHistory(h.reports, h.skipped, 3, h.unreadable)).toBe(
      `no reports found (1 unreadable folder skipped)\n  ${join(d, 'bare', 'report.json')}: not a complete chaos-ec2 report: id: missing (expected a string)`,
    );
  });
});
