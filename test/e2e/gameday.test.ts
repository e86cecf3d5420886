/**
 * The unattended uses: a game day from an experiment file (terminate, then blackhole, back to back, all four
 * formats, Markdown appended to the GitHub step summary), and a CI gate failing the run with exit 1.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkAclsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import type { EmbeddedSandbox } from '../../src/sandbox/embedded.js';
import { waitForSteadyState } from '../../src/sandbox/stack.js';
import { runCli, sandboxEnv } from '../helpers/cli.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const EXAMPLE = new URL('../../examples/gameday.yaml', import.meta.url).pathname;

describe('game day from an experiment file, and CI gates', () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-gameday-');
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let dir: string;

  beforeAll(async () => {
    ({ emb, clients, dir: dir } = t);
  });

  const associations = async () =>
    ((await clients.ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls ?? []).flatMap((n) => (n.Associations ?? []).map((a) => `${a.SubnetId}=${a.NetworkAclId}`)).sort();

  it('runs examples/gameday.yaml: terminate then blackhole back to back, all four formats, step summary appended', async () => {
    const before = await associations();
    const reportDir = join(dir, 'gameday');
    const summary = join(dir, 'step-summary.md');
    // Timing flags override the file's (sandbox speed); everything else comes from the file.
    const r = await runCli(
      [
        'run',
        '-f',
        EXAMPLE,
        '--endpoint-url',
        emb.sandbox.endpoint,
        '--yes',
        '--format',
        'json,md,junit,html',
        '--report-dir',
        reportDir,
        '--baseline',
        '2s',
        '--poll',
        '250ms',
        '--duration',
        '4s',
        '--recovery-timeout',
        '40s',
      ],
      // The endpoint comes from the flag alone, as a user would give it.
      { env: { ...sandboxEnv(emb.sandbox.endpoint), AWS_ENDPOINT_URL: undefined, CHAOS_ASG: emb.stack.asgName, GITHUB_STEP_SUMMARY: summary }, timeoutMs: 150_000 },
    );
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    expect(r.stdout).toContain('experiment 1/2: lose one instance');
    expect(r.stdout).toContain('experiment 2/2: lose an Availability Zone for 2 minutes');

    const runs = readdirSync(reportDir).filter((d) => existsSync(join(reportDir, d, 'report.json')));
    expect(runs).toHaveLength(2);
    const reports = runs.map((d) => JSON.parse(readFileSync(join(reportDir, d, 'report.json'), 'utf8')) as Report);
    expect(reports.map((x) => x.fault?.kind).sort()).toEqual(['blackhole-az', 'terminate-instances']);
    for (const [i, d] of runs.entries()) {
      for (const f of ['report.md', 'report.junit.xml', 'report.html']) expect(existsSync(join(reportDir, d, f)), f).toBe(true);
      const rep = reports[i]!;
      expect(rep.verdict).toBe('pass');
      // The file's gates became report gates, on top of the built-in recovery gates.
      expect(rep.gates.map((g) => g.name)).toEqual(expect.arrayContaining(['service recovered', 'capacity recovered', 'serviceRecoveredMs', 'availability']));
    }
    // Both experiments appended their section to the step summary.
    const md = readFileSync(summary, 'utf8');
    for (const rep of reports) expect(md).toContain(rep.id);
    // The blackhole left nothing behind.
    expect(await associations()).toEqual(before);
    // The test's own limit covers the child's (150 s) that it waits on: vitest's 30 s default killed a game
    // day (two experiments, ~25 s unloaded) on a loaded machine before the child's own bound applied.
  }, 160_000);

  it('a failed gate fails the run: exit 1, verdict fail, the reason names the gate, JUnit carries the failure', async () => {
    await waitForSteadyState(clients, emb.stack, 30_000);
    const reportDir = join(dir, 'gate');
    const r = await runCli(
      [
        'run',
        '--asg',
        emb.stack.asgName,
        '--yes',
        '--json',
        '--baseline',
        '2s',
        '--poll',
        '250ms',
        '--steady',
        '2s',
        '--rate',
        '40',
        '--max-capacity-ttr',
        '100ms',
        '--format',
        'junit',
        '--report-dir',
        reportDir,
      ],
      { env: sandboxEnv(emb.sandbox.endpoint), timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('fail');
    expect(report.exitCode).toBe(1);
    expect(report.recovery?.recovered).toBe(true);
    const gate = report.gates.find((g) => g.name === 'capacityRecoveredMs')!;
    expect(gate).toMatchObject({ threshold: 100, pass: false });
    expect(report.reason).toContain('capacityRecoveredMs');
    const xml = readFileSync(join(reportDir, report.id, 'report.junit.xml'), 'utf8');
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: { testsuite: { '@_failures': string } } };
    expect(Number(doc.testsuites.testsuite['@_failures'])).toBeGreaterThanOrEqual(1);
    expect(xml).toContain('capacityRecoveredMs');
    // Covers what it waits on: steady state (30 s bound) and the child (90 s bound).
  }, 130_000);
});
