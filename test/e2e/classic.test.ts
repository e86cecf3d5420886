/**
 * End to end with a Classic Load Balancer in front of the group (`chaos-ec2 sandbox --lb classic`): the real
 * binary discovers it from the group's LoadBalancerNames, probes the URL built from its DNS name and HTTP
 * listener, and measures capacity recovery from DescribeInstanceHealth — checked against the sandbox's
 * ground truth (classic-instance-health events).
 */
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { waitForSteadyState, type EmbeddedSandbox, type SandboxEvent } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, type CliResult } from '../helpers/cli.js';
import { blackholeArgs, cliFor, fastRunArgs, lastSeq } from '../helpers/e2e.js';
import { clientConfig } from '../helpers/sandbox.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const POLL_MS = 250;

type ClassicHealth = Extract<SandboxEvent, { type: 'classic-instance-health' }>;

describe('chaos-ec2 run against a group behind a Classic Load Balancer', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3, lb: 'classic' }, 'chaos-e2e-classic-');
  let emb: EmbeddedSandbox;
  let reportDir: string;
  let classic: ElasticLoadBalancingClient;

  beforeAll(() => {
    ({ emb, dir: reportDir } = t);
    classic = new ElasticLoadBalancingClient(clientConfig(emb.sandbox.endpoint));
  });
  afterAll(() => classic?.destroy());

  it('terminate: passes, probes the Classic DNS name and listener, and measures capacity recovery from DescribeInstanceHealth', async () => {
    const name = emb.stack.classicLoadBalancerName!;
    expect(name).toBe('demo-asg-elb');
    await waitForSteadyState({ ...t.clients, classic }, emb.stack, 30_000);
    const seq = lastSeq(emb);
    const r = await cliFor(emb)(fastRunArgs(reportDir, '--yes', '--json', '--seed', 'classic-pass', '--rate', '80'));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('pass');
    expect(report.recovery?.recovered).toBe(true);
    // Discovery: the URL a client builds from DescribeLoadBalancers (Classic), and the load balancer by ARN.
    expect(report.target.url).toBe(emb.stack.url);
    expect(report.target.targetGroups).toEqual([]);
    expect(report.target.loadBalancers).toEqual([`arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${name}`]);
    expect(report.probe!.sent).toBe(report.probe!.ok + report.probe!.failed);

    const [victim] = report.fault!.targets;
    const t0 = report.fault!.t0!;
    const events = emb.sandbox.world.events(seq);
    // Ground truth: Auto Scaling took the victim out of the load balancer before terminating it ...
    const out = events.find((e): e is ClassicHealth => e.type === 'classic-instance-health' && e.instanceId === victim!.instanceId && e.to === null);
    expect(out).toBeDefined();
    // ... and the replacement turned InService in DescribeInstanceHealth. capacityRecoveredMs lands within one
    // poll + 1 s of that, never before it: a poll's time is taken when it completes, after the sandbox answered.
    const launched = events.find((e): e is Extract<SandboxEvent, { type: 'instance-state' }> => e.type === 'instance-state' && e.from === null && e.atMs >= t0);
    expect(launched).toBeDefined();
    const inService = events.find((e): e is ClassicHealth => e.type === 'classic-instance-health' && e.instanceId === launched!.instanceId && e.to === 'InService');
    expect(inService).toBeDefined();
    const measured = t0 + report.recovery!.capacityRecoveredMs!;
    expect(measured - inService!.atMs).toBeGreaterThanOrEqual(0);
    expect(measured - inService!.atMs).toBeLessThanOrEqual(POLL_MS + 1000);
    // The report's timeline says where health came from: the Classic Load Balancer's InService.
    const healthy = report.timeline.find((e) => e.event === 'target-healthy' && e.instanceId === launched!.instanceId);
    expect(healthy?.targetGroupArn).toBe(report.target.loadBalancers[0]);
    expect(healthy?.detail).toMatch(/→ InService$/);
    // No fail-open warning: a Classic Load Balancer answers 503 instead of routing to unhealthy instances.
    expect(report.recovery?.failOpenSeen).toBe(false);
  });

  it('blackhole-az --include-lb-subnets --dry-run plans the Classic Load Balancer subnet of the AZ beside the instance subnet', async () => {
    const seq = lastSeq(emb);
    const { availabilityZone: az } = emb.stack.subnets[0]!;
    const r = await cliFor(emb)(blackholeArgs(reportDir, '--dry-run', '--include-lb-subnets', '--az', az, '--min-healthy', '1'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lbSubnet = emb.stack.lbSubnets.find((s) => s.availabilityZone === az)!.subnetId;
    expect(r.stdout).toMatch(new RegExp(`${emb.stack.subnets[0]!.subnetId}\\s+instances\\s+`));
    expect(r.stdout).toMatch(new RegExp(`${lbSubnet}\\s+load-balancer\\s+`));
    expect(r.stdout).not.toMatch(/shared\s+\d+ network interface/);
    // Only the AZ's own load balancer subnet: the other zones' stay lit.
    for (const other of emb.stack.lbSubnets.filter((s) => s.availabilityZone !== az)) expect(r.stdout).not.toContain(other.subnetId);
    expect(emb.sandbox.world.events(seq).filter((e) => e.type.startsWith('nacl'))).toEqual([]);
  });

  it('iam-policy grants elasticloadbalancing:DescribeInstanceHealth (Classic shares the elasticloadbalancing prefix)', async () => {
    const r = await runCli(['iam-policy']);
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout) as { Statement: { Action: string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    const grants = (action: string) => actions.some((a) => new RegExp(`^${a.replace(/\*/g, '.*')}$`).test(action));
    expect(grants('elasticloadbalancing:DescribeInstanceHealth')).toBe(true);
    expect(grants('elasticloadbalancing:DescribeLoadBalancers')).toBe(true);
  });

  it('`chaos-ec2 sandbox --lb classic` (the real command) serves a group a terminate run passes against', async () => {
    let run: Promise<CliResult> | undefined;
    const sandbox = await runCli(['sandbox', '--port', '0', '--lb', 'classic', '--instances', '4', '--azs', '3'], {
      timeoutMs: 100_000,
      onOutput: (text, child) => {
        const endpoint = /sandbox ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
        if (run || !endpoint || !text.includes('Ctrl-C stops it.')) return;
        run = runCli(fastRunArgs(reportDir, '--yes', '--json', '--seed', 'classic-cli'), { timeoutMs: 90_000, env: sandboxEnv(endpoint) });
        void run.finally(() => child.kill('SIGINT'));
      },
    });
    expect(sandbox.code, sandbox.stderr).toBe(0);
    expect(sandbox.stdout).toMatch(/behind Classic Load Balancer demo-asg-elb at http:\/\/127\.0\.0\.1:\d+\//);
    const r = await run!;
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('pass');
    expect(report.target.loadBalancers).toEqual(['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/demo-asg-elb']);
    // Capacity came back when the replacement was InService in DescribeInstanceHealth.
    const restored = report.timeline.find((e) => e.event === 'capacity-restored')!;
    const healthy = report.timeline.filter((e) => e.event === 'target-healthy' && e.atMs >= 0);
    expect(healthy.length).toBeGreaterThan(0);
    expect(healthy.every((e) => e.targetGroupArn === report.target.loadBalancers[0] && /→ InService$/.test(e.detail ?? ''))).toBe(true);
    expect(report.recovery!.capacityRecoveredMs).toBe(restored.atMs);
  }, 110_000);
});
