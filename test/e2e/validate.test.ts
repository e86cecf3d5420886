/** `chaos-ec2 validate`, `report`, `history` and `iam-policy` through the real binary (npm test builds first). */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/gameday.yaml', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/report-fail.json', import.meta.url));
// Nothing may be contacted: an endpoint nobody listens on would turn any AWS call into exit 5.
const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', NO_COLOR: '1', GITHUB_STEP_SUMMARY: undefined };

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('chaos-ec2 validate', () => {
  it('the example is valid: exit 0, one line per experiment', async () => {
    const r = await runCli(['validate', '-f', EXAMPLE], { env: { ...env, PROBE_TOKEN: 't' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid, 2 experiments');
    expect(r.stdout).toMatch(/1\. lose one instance \(line \d+\): terminate-instances on demo-asg/);
    expect(r.stdout).toMatch(/2\. lose an Availability Zone for 2 minutes \(line \d+\): blackhole-az on demo-asg/);
  });

  it('a malformed file: exit 2 and every error with file:line', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      [
        'experiments:',
        '  - target: { asg: web }',
        '    fault: { percent: 150, colour: red }',
        '    probe: { headers: { X-Token: "${NOPE_TOKEN}" } }',
        '  - fault: { kind: terminate-instances }',
      ].join('\n'),
    );
    const r = await runCli(['validate', '-f', file], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('chaos-ec2: broken.yaml: 4 problems:');
    expect(lines).toEqual(
      expect.arrayContaining([
        "broken.yaml:3 experiments[0].fault.percent: '150' must be a number from 1 to 100",
        expect.stringMatching(/^broken\.yaml:3 experiments\[0\]\.fault\.colour: unknown key/),
        'broken.yaml:4 experiments[0].probe.headers.X-Token: environment variable NOPE_TOKEN is not set',
        'broken.yaml:5 experiments[1].target.asg: required (the Auto Scaling group to test)',
      ]),
    );
  });
});

describe('chaos-ec2 report / history / iam-policy', () => {
  it('report re-renders a saved report in every format; --out - prints one', async () => {
    const r = await runCli(['report', FIXTURE, '--format', 'json,md,junit,html', '--out', join(dir, 'out')], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = 'exp-20250314-110000-fail';
    expect(JSON.parse(await readFile(join(dir, 'out', id, 'report.json'), 'utf8')).id).toBe(id);
    expect(await readFile(join(dir, 'out', id, 'report.md'), 'utf8')).toMatch(/^## ❌ FAIL/);
    expect(await readFile(join(dir, 'out', id, 'report.junit.xml'), 'utf8')).toContain('failures="3"');
    expect(await readFile(join(dir, 'out', id, 'report.html'), 'utf8')).toContain('<svg class="chart"');
    const md = await runCli(['report', FIXTURE, '--format', 'md', '--out', '-'], { env });
    expect(md.stdout).toMatch(/^## ❌ FAIL — chaos-ec2 blackhole-az on web-asg/);
    const summary = await runCli(['report', FIXTURE], { env });
    expect(summary.stdout).toContain('FAIL');
    const bad = await runCli(['report', FIXTURE, '--format', 'pdf'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown format pdf');
  });

  it('history lists saved reports with a trend; --json', async () => {
    const reports = join(dir, 'history');
    const base = JSON.parse(await readFile(FIXTURE, 'utf8'));
    for (const [i, ttr] of [5000, 5000, 2000, 2000].entries()) {
      const id = `run-${i}`;
      await mkdir(join(reports, id), { recursive: true });
      const startedAt = new Date(Date.parse('2025-03-20T10:00:00Z') - i * 86_400_000).toISOString();
      await writeFile(join(reports, id, 'report.json'), JSON.stringify({ ...base, id, startedAt, recovery: { ...base.recovery, serviceRecoveredMs: ttr } }));
    }
    const r = await runCli(['history', reports, '--last', '2'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[2]).toMatch(/^2025-03-20 10:00\s+web-asg\s+blackhole-az/);
    expect(r.stdout).toContain('service slower by 150%');
    const j = JSON.parse((await runCli(['history', reports, '--json'], { env })).stdout);
    expect(j.runs.map((x: { id: string }) => x.id)).toEqual(['run-0', 'run-1', 'run-2', 'run-3']);
  });

  it('iam-policy prints valid JSON for the chosen faults', async () => {
    const r = await runCli(['iam-policy', '--faults', 'blackhole-az'], { env });
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { Statement: { Action: string | string[] }[] };
    const actions = p.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions).toContain('ec2:ReplaceNetworkAclAssociation');
    expect(actions).not.toContain('ec2:TerminateInstances');
    expect((await runCli(['iam-policy', '--faults', 'nope'], { env })).code).toBe(2);
  });
});
