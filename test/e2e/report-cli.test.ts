/**
 * `report` and `history` given what they cannot use — a partial or wrongly typed report, a file where a
 * directory belongs, a directory that is not there — answer in one line with exit 2, never a stack or a
 * crash inside a renderer. And what a real run writes still reads back through the same checks.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliFor, experimentIdOf, fastRunArgs } from '../helpers/e2e.js';
import { runCli } from '../helpers/cli.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/report-pass.json', import.meta.url));
const env = { NO_COLOR: '1', GITHUB_STEP_SUMMARY: undefined, CHAOS_EC2_REPORT_DIR: undefined };

/** Exit 2, the expected line as the whole first line of stderr, and no stack. */
function expectUsage(r: { code: number | null; stderr: string; stdout: string }, line: string): void {
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe(`chaos-ec2: ${line}`);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

describe('chaos-ec2 report / history misuse', () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-report-cli-');
  let base: Record<string, unknown>;
  beforeAll(async () => {
    base = JSON.parse(await readFile(FIXTURE, 'utf8')) as Record<string, unknown>;
  });

  it('report on JSON that is not a whole report names the first bad field (exit 2)', async () => {
    const bare = join(t.dir, 'bare.json');
    await writeFile(bare, '{"schemaVersion":2}');
    expectUsage(await runCli(['report', bare], { env }), `report ${bare} is not a complete chaos-ec2 report: id: missing (expected a string)`);
    const typed = join(t.dir, 'typed.json');
    await writeFile(typed, JSON.stringify({ ...base, timeline: 5 }));
    for (const extra of [[], ['--format', 'md', '--out', '-'], ['--format', 'html', '--out', join(t.dir, 'never')]]) {
      expectUsage(await runCli(['report', typed, ...extra], { env }), `report ${typed} is not a complete chaos-ec2 report: timeline: expected an array, got number 5`);
    }
  });

  it('report --out naming an existing file (exit 2, nothing written)', async () => {
    const file = join(t.dir, 'out-file');
    await writeFile(file, 'keep me');
    expectUsage(await runCli(['report', FIXTURE, '--format', 'md', '--out', file], { env }), `--out: ${file} is a file, not a directory`);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('history on a file, or on a directory that does not exist, says which (exit 2)', async () => {
    const file = join(t.dir, 'not-a-dir');
    await writeFile(file, '');
    expectUsage(await runCli(['history', file], { env }), `history: ${file} is a file, not a report directory`);
    const missing = join(t.dir, 'no-such-dir');
    const r = await runCli(['history', missing], { env });
    expectUsage(r, `history: no report directory at ${missing} (it does not exist)`);
    expect(r.stdout).not.toContain('no reports found');
  });

  it("history skips a partial report and names it; a real run's report reads back through every renderer", async () => {
    const reports = join(t.dir, 'reports');
    const run = await cliFor(t.emb)(fastRunArgs(reports, '--rate', '20', '--yes'));
    expect(run.code).toBe(0);
    const id = experimentIdOf(run.stdout)!;
    const real = join(reports, id, 'report.json');
    const rendered = await runCli(['report', real, '--format', 'json,md,junit,html', '--out', join(t.dir, 'rendered')], { env });
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(0);
    expect((await runCli(['report', real], { env })).code).toBe(0);

    await mkdir(join(reports, 'partial'));
    const partial = join(reports, 'partial', 'report.json');
    await writeFile(partial, JSON.stringify({ ...base, id: 'partial', recovery: 'soon' }));
    const h = await runCli(['history', reports], { env });
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(new RegExp(`demo-asg\\s+terminate-instances\\s+pass \\(0\\).*${id}`));
    expect(h.stdout).toContain(`1 folder without a readable report.json skipped\n  ${partial}: not a complete chaos-ec2 report: recovery: expected an object, got a string ("soon")`);
    const j = JSON.parse((await runCli(['history', reports, '--json'], { env })).stdout) as { runs: { id: string }[]; unreadable: { path: string }[] };
    expect(j.runs.map((x) => x.id)).toEqual([id]);
    expect(j.unreadable.map((u) => u.path)).toEqual([partial]);
  });
});
