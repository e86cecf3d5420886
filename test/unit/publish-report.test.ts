/**
 * After a finished run (`publishReport`, the tail of `chaos-ec2 run`): the report files are written and
 * `--json` printed. A report that cannot be written never changes the run's outcome: one line on stderr
 * saying where it would have gone and why, the JSON still on stdout, and no throw (so the exit code stays
 * the run's). Failures are real ones: a file or a directory standing where the report must go.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishReport } from '../../src/cli/commands/run.js';
import type { ReportFormat } from '../../src/experiment/formats.js';
import { loadFixture } from './report-fixtures.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

function sink() {
  let text = '';
  const stream = { isTTY: false, columns: 100, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

async function publish(formats: ReportFormat[], json: boolean, env: NodeJS.ProcessEnv = {}) {
  const report = loadFixture('fail');
  const out = sink();
  const err = sink();
  await publishReport(report, { reportDir: dir, formats, json }, { stdout: out.stream, stderr: err.stream }, { NO_COLOR: '1', ...env });
  return { report, stdout: out.text(), stderr: err.text() };
}

const failureLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('chaos-ec2: the report could not be written'));

describe('publishReport', () => {
  it('writes the files and says where; nothing on stderr', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-publish-'));
    const r = await publish(['json', 'md'], false);
    expect(r.stdout).toContain(`report (json): ${join(dir, r.report.id, 'report.json')}`);
    expect(r.stdout).toContain(`report (md): ${join(dir, r.report.id, 'report.md')}`);
    expect(r.stderr).toBe('');
  });

  it('the report folder cannot be created (a file has its name): one line on stderr, --json still printed whole', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-publish-'));
    const report = loadFixture('fail');
    await writeFile(join(dir, report.id), 'a file where the folder goes');
    const r = await publish(['json', 'md'], true);
    expect(JSON.parse(r.stdout)).toEqual(report);
    const lines = failureLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^chaos-ec2: the report could not be written to ${join(dir, report.id, 'report.json')}: .+ \\([A-Z]+\\) \\(the run's result and exit code stand\\)$`),
    );
    expect(r.stderr).not.toMatch(/report \(json\):/);
  });

  it('a later format fails (a directory stands where report.md goes): json is written and listed, the md failure named', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-publish-'));
    const report = loadFixture('fail');
    await mkdir(join(dir, report.id, 'report.md'), { recursive: true });
    const r = await publish(['json', 'md', 'html'], false);
    expect(r.stdout).toContain(`report (json): ${join(dir, report.id, 'report.json')}`);
    expect(r.stdout).not.toContain('report (md)');
    const lines = failureLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`written to ${join(dir, report.id, 'report.md')}: `);
    // No half files left behind by the failed write.
    expect((await readdir(join(dir, report.id))).sort()).toEqual(['report.json', 'report.md']);
  });

  it('an unwritable GITHUB_STEP_SUMMARY is one line too; the report files are still written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-publish-'));
    const summary = join(dir, 'summary-is-a-dir');
    await mkdir(summary);
    const r = await publish(['json'], true, { GITHUB_STEP_SUMMARY: summary });
    expect(JSON.parse(r.stdout)).toMatchObject({ id: r.report.id });
    expect(r.stderr).toContain(`report (json): ${join(dir, r.report.id, 'report.json')}`);
    const lines = failureLines(r.stderr);
    expect(lines).toEqual([
      `chaos-ec2: the report could not be written to ${summary} (GITHUB_STEP_SUMMARY): illegal operation on a directory (EISDIR) (the run's result and exit code stand)`,
    ]);
  });
});
