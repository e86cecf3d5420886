/**
 * End to end: the real binary against a sandbox on port 0, checked against the sandbox's ground truth.
 */
import { type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { type EC2Client } from '@aws-sdk/client-ec2';
import { type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, type Report } from '../../src/experiment/types.js';
import { waitForSteadyState, type EmbeddedSandbox, type SandboxEvent } from '../../src/sandbox/index.js';
import type { CliOptions } from '../helpers/cli.js';
import { cliFor, setKnobs as setSandboxKnobs } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const POLL_MS = 250;

// A test here waits for steady state (30 s bound) and then a CLI run (its own 90 s bound); a pass run took
// 26 s and the throttled one over 30 s on a loaded machine, so vitest's 30 s default is not the limit to keep.
describe('chaos-ec2 run (terminate-instances) against the sandbox', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-e2e-');
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let reportDir: string;

  beforeAll(async () => {
    ({ emb, clients, dir: reportDir } = t);
  });

  const args = (...extra: string[]) => [
    'run',
    '--asg',
    'demo-asg',
    '--baseline',
    '2s',
    '--rate',
    '40',
    '--timeout',
    '1s',
    '--poll',
    `${POLL_MS}ms`,
    '--steady',
    '2s',
    '--recovery-timeout',
    '30s',
    '--report-dir',
    reportDir,
    ...extra,
  ];
  const cli = (a: string[], onOutput?: CliOptions['onOutput']) => cliFor(emb)(a, onOutput ? { onOutput } : {});
  const setKnobs = (body: unknown) => setSandboxKnobs(emb, body);
  const terminations = (sinceSeq = 0) => emb.sandbox.world.events(sinceSeq).filter((e) => e.type === 'instance-state' && e.to === 'shutting-down');
  const lastSeq = () => emb.sandbox.world.events().at(-1)?.seq ?? 0;

  it('--dry-run prints the plan, checks permissions with EC2 DryRun, and terminates nothing', async () => {
    const seq = lastSeq();
    const r = await cli(args('--dry-run', '--seed', 'dry'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan');
    expect(r.stdout).toMatch(/ec2:TerminateInstances: allowed \(EC2 DryRun\)/);
    expect(terminations(seq)).toEqual([]);
  });

  it('without --yes and without a TTY it refuses (exit 3) and terminates nothing', async () => {
    const seq = lastSeq();
    const r = await cli(args());
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toMatch(/--yes/);
    expect(terminations(seq)).toEqual([]);
  });

  it('a pass run: exit 0, recovery figures agree with the sandbox ground truth', async () => {
    await waitForSteadyState(clients, emb.stack, 30_000);
    const seq = lastSeq();
    // 80 req/s: the ~1 s between the terminate and the LB taking the target out of rotation always costs requests.
    const r = await cli(args('--yes', '--json', '--seed', 'e2e-pass', '--rate', '80'));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.schemaVersion).toBe(SCHEMA_VERSION);
    expect(report.verdict).toBe('pass');
    expect(report.seed).toBe('e2e-pass');
    expect(report.recovery?.recovered).toBe(true);
    const probe = report.probe!;
    expect(probe.sent).toBe(probe.ok + probe.failed);
    expect(probe.sent).toBeGreaterThan(100);

    const [victim] = report.fault!.targets;
    const t0 = report.fault!.t0!;
    const events = emb.sandbox.world.events(seq);
    // Ground truth: the victim really was terminated, by the call that t0 marks. Causal lower side: the sandbox
    // stamped the termination while serving TerminateInstances, and t0 is read after the answer came back
    // (one wall clock, Date.now, in both processes). The upper side is that answer's trip back.
    const killed = events.find((e) => e.type === 'instance-state' && e.instanceId === victim!.instanceId && e.to === 'shutting-down');
    expect(killed).toBeDefined();
    expect(t0 - killed!.atMs).toBeGreaterThanOrEqual(0);
    expect(t0 - killed!.atMs).toBeLessThan(1000);

    // capacityRecoveredMs lands within one poll + 1 s of the replacement's target turning healthy, and never
    // before it: a poll's time is taken when it completes, after the sandbox answered "healthy".
    const launched = events.find((e): e is Extract<SandboxEvent, { type: 'instance-state' }> => e.type === 'instance-state' && e.from === null && e.atMs >= t0);
    expect(launched).toBeDefined();
    const healthy = events.find((e) => e.type === 'target-health' && e.targetId === launched!.instanceId && e.to === 'healthy');
    expect(healthy).toBeDefined();
    const measured = t0 + report.recovery!.capacityRecoveredMs!;
    expect(measured - healthy!.atMs).toBeGreaterThanOrEqual(0);
    expect(measured - healthy!.atMs).toBeLessThanOrEqual(POLL_MS + 1000);

    // User side: every 5xx the probe saw is one the load balancer answered, and none came after recovery.
    const lbErrors = events.filter((e) => e.type === 'lb-routing' && e.change === 'error');
    const probe5xx = Object.entries(probe.errorsByKind)
      .filter(([k]) => /^http_5/.test(k))
      .reduce((a, [, n]) => a + n, 0);
    expect(probe5xx).toBe(lbErrors.length);
    // The fault really hurt users (ground truth), and the probe's impact figure agrees with the LB's answers.
    expect(lbErrors.length).toBeGreaterThan(0);
    const tti = report.recovery!.timeToImpactMs;
    if (tti !== null) {
      // The LB answers an error after the request's intended send time (t0 + tti, which can be fractional:
      // the LB's Date.now() stamp is whole ms, hence > - 1), and within the probe timeout (1 s) of its send.
      // A first failure is only taken from a judged second, one whose event-loop lag stayed under the
      // probe's 100 ms saturation threshold, so the send was at most about that late: + 100.
      expect(lbErrors.some((e) => e.atMs > t0 + tti - 1 && e.atMs - (t0 + tti) < 1000 + 100)).toBe(true);
    } else {
      // No failure counts as impact: every error the LB gave answered a request due while the TerminateInstances
      // call was still in flight (before t0, by definition not impact), or one in a second the probe could not
      // judge (saturated: a loaded machine, its figures say nothing). (Recovery judges the second containing
      // t0 as a whole, so its failures may still be counted there.) No LB-clock bound here: how late a request
      // of a saturated second was sent is not bounded.
      expect(probe.perSecond.filter((sec) => sec.atMs > 0 && sec.failed > 0).every((sec) => sec.saturated)).toBe(true);
    }
    // None came after recovery, judged by each request's intended time (the probe's seconds): the LB's stamp
    // is when it answered, which for a request due just before recovery can fall just after it. Every LB error
    // is one of the probe's 5xx (counted above), and every probe failure lies before recovery.
    const recoveredMs = report.recovery!.serviceRecoveredMs!;
    expect(probe.perSecond.filter((sec) => sec.atMs >= recoveredMs).every((sec) => sec.failed === 0)).toBe(true);
    // The report's timeline tells the story in order.
    const order = ['fault-injected', 'capacity-lost', 'replacement-launched', 'instance-inservice', 'capacity-restored'];
    const idx = order.map((ev) => report.timeline.findIndex((t) => t.event === ev));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });

  it('under API throttling (5 req/s per service) and 10% API errors the run still passes; URL secrets never leave the probe', async () => {
    await waitForSteadyState(clients, emb.stack, 30_000);
    const url = new URL(emb.stack.url);
    url.username = 'probe-user';
    url.password = 'pr0be-s3cret';
    url.search = 'token=t0k3n-s3cret';
    await setKnobs({ apiRateLimit: 5, apiErrorRate: 0.1 });
    let r;
    try {
      r = await cli(args('--yes', '--json', '--poll', '500ms', '--url', url.toString()));
    } finally {
      await setKnobs({ apiRateLimit: 0, apiErrorRate: 0 });
    }
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('pass');
    expect(report.target.url).toMatch(/\*\*\*:\*\*\*@.*\?token=\*\*\*/);
    const dir = join(reportDir, report.id);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['journal.jsonl', 'report.json']));
    const written = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    for (const secret of ['pr0be-s3cret', 't0k3n-s3cret', 'probe-user']) {
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
  });
});
