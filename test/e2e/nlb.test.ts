/**
 * End to end with a Network Load Balancer in front of the group (`chaos-ec2 sandbox --lb nlb`): the real
 * binary discovers the TCP listener, probes HTTP over it (the target group's health check speaks HTTP) or
 * only connects (--probe tcp), and reports every node with its AZ. Cross-zone load balancing is off on an
 * NLB by default, so terminating the only instance of an AZ darkens that AZ's node alone (and takes it out
 * of DNS) — unlike with cross-zone on, where every node keeps serving from the other zones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElasticLoadBalancingV2Client, ModifyLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeNodeReport, Report } from '../../src/experiment/types.js';
import { startEmbeddedSandbox, waitForSteadyState, type EmbeddedSandbox, type SandboxEvent, type StackInfo } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, type CliResult } from '../helpers/cli.js';
import { cliFor, fastRunArgs, lastSeq } from '../helpers/e2e.js';
import { clientConfig } from '../helpers/sandbox.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

type LbDns = Extract<SandboxEvent, { type: 'lb-dns' }>;

describe('chaos-ec2 run against a group behind a Network Load Balancer', { timeout: 120_000 }, () => {
  // 4 instances over 3 AZs: two AZs hold one instance each, so a terminate there empties a zone.
  const t = useStackSandbox({ instances: 4, azs: 3, lb: 'nlb' }, 'chaos-e2e-nlb-');
  let emb: EmbeddedSandbox;
  let reportDir: string;
  let elb: ElasticLoadBalancingV2Client;
  let info: StackInfo;

  beforeAll(async () => {
    ({ emb, dir: reportDir } = t);
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
    info = (await (await fetch(`${emb.sandbox.endpoint}/_sandbox/stack`)).json()) as StackInfo;
  });
  afterAll(() => elb?.destroy());

  /** An AZ with exactly one InService member: terminating it leaves the zone without a target. */
  const loneAz = (): string => {
    const counts = new Map<string, number>();
    for (const m of emb.sandbox.world.asgInstances.values()) if (m.lifecycleState === 'InService') counts.set(m.availabilityZone, (counts.get(m.availabilityZone) ?? 0) + 1);
    return [...counts]
      .filter(([, n]) => n === 1)
      .map(([az]) => az)
      .sort()[0]!;
  };
  const run = (...extra: string[]) => cliFor(emb)(fastRunArgs(reportDir, '--yes', '--json', '--resolve', info.resolve[0]!, ...extra));
  const setCrossZone = (on: boolean) =>
    elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: emb.stack.loadBalancerArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: String(on) }] }));
  const nodeOf = (report: Report, az: string): ProbeNodeReport => report.probe!.nodes!.find((n) => n.az === az)!;
  const passed = (r: CliResult): Report => {
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('pass');
    return report;
  };

  it('terminate with the HTTP probe: passes through the TCP listener; cross-zone off darkens only the emptied AZ’s node, which leaves DNS', async () => {
    await waitForSteadyState(t.clients, emb.stack, 30_000);
    const az = loneAz();
    const seq = lastSeq(emb);
    const report = passed(await run('--az', az, '--min-healthy-per-az', '0', '--seed', 'nlb-http'));
    expect(report.target.url).toBe(emb.stack.url);
    expect(report.target.listener).toMatchObject({ type: 'network', listener: expect.stringMatching(/^TCP:\d+$/), probeProtocol: 'http' });
    expect(report.probe!.transport ?? 'http').toBe('http');
    expect(report.fault!.targets.map((v) => v.availabilityZone)).toEqual([az]);
    // Every node probed, each with its AZ from its `ELB net/…` interface.
    const nodes = report.probe!.nodes!;
    expect(nodes.map((n) => n.az).sort()).toEqual(emb.stack.subnets.map((s) => s.availabilityZone).sort());
    // Cross-zone off: the emptied AZ's node failed requests, the other nodes (their own zones' targets) none.
    expect(nodeOf(report, az).failed).toBeGreaterThan(0);
    for (const n of nodes.filter((x) => x.az !== az)) expect(n.failed, `${n.address} (${n.az})`).toBe(0);
    // Ground truth: the zone left the load balancer's DNS answer, and came back once its replacement was healthy.
    const dns = emb.sandbox.world.events(seq).filter((e): e is LbDns => e.type === 'lb-dns');
    const out = dns.findIndex((e) => !e.zones.includes(az));
    expect(out).toBeGreaterThanOrEqual(0);
    expect(dns.slice(out).some((e) => e.zones.includes(az) && !e.failOpen)).toBe(true);
  });

  it('the same with cross-zone on: the emptied AZ’s node keeps serving from the other zones and never leaves DNS', async () => {
    await setCrossZone(true);
    try {
      await waitForSteadyState(t.clients, emb.stack, 30_000);
      const az = loneAz();
      const seq = lastSeq(emb);
      const report = passed(await run('--az', az, '--min-healthy-per-az', '0', '--seed', 'nlb-cross-zone'));
      // Only connections open to the victim itself fail (reset), on whichever node carried them.
      const failed = report.probe!.nodes!.reduce((sum, n) => sum + n.failed, 0);
      expect(failed).toBeLessThanOrEqual(report.probe!.nodes!.length * 2);
      expect(nodeOf(report, az).availability).toBeGreaterThan(0.95);
      expect(emb.sandbox.world.events(seq).filter((e): e is LbDns => e.type === 'lb-dns' && e.zones.length < 3)).toEqual([]);
    } finally {
      await setCrossZone(false);
    }
  });

  it('--probe tcp: a connect-only probe over the TCP listener passes', async () => {
    await waitForSteadyState(t.clients, emb.stack, 30_000);
    const report = passed(await run('--probe', 'tcp', '--seed', 'nlb-tcp'));
    expect(report.probe!.transport).toBe('tcp');
    expect(report.probe!.ok).toBeGreaterThan(0);
    expect(report.recovery?.recovered).toBe(true);
  });

  it('`chaos-ec2 sandbox --lb nlb` (the real command) serves a group a terminate run passes against', async () => {
    let runResult: Promise<CliResult> | undefined;
    const sandbox = await runCli(['sandbox', '--port', '0', '--lb', 'nlb', '--instances', '4', '--azs', '3'], {
      timeoutMs: 100_000,
      onOutput: (text, child) => {
        const endpoint = /sandbox ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
        const stack = /^ {2}stack: (\{.*\})/m.exec(text)?.[1];
        if (runResult || !endpoint || !stack || !text.includes('Ctrl-C stops it.')) return;
        const printed = JSON.parse(stack) as StackInfo;
        runResult = runCli(fastRunArgs(reportDir, '--yes', '--json', '--seed', 'nlb-cli', '--resolve', printed.resolve[0]!), { timeoutMs: 90_000, env: sandboxEnv(endpoint) });
        void runResult.finally(() => child.kill('SIGINT'));
      },
    });
    expect(sandbox.code, sandbox.stderr).toBe(0);
    expect(sandbox.stdout).toMatch(/behind Network Load Balancer \(cross-zone off\) http:\/\/\S+:\d+\//);
    const report = passed(await runResult!);
    expect(report.target.listener?.type).toBe('network');
  }, 110_000);
});

describe('chaos-ec2 run against a group behind an NLB TLS listener', { timeout: 120_000 }, () => {
  let emb: EmbeddedSandbox;
  let info: StackInfo;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chaos-e2e-nlb-tls-'));
    // `sandbox --lb nlb --https`: a TLS:443 listener on the sandbox CA's certificate for shop.example.test.
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', https: true, stack: { instances: 4, azs: 3, lb: 'nlb' } });
    info = (await (await fetch(`${emb.sandbox.endpoint}/_sandbox/stack`)).json()) as StackInfo;
  });
  afterAll(async () => {
    await emb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the node terminates TLS: an HTTPS probe with the service name and the CA passes, as does a connect-only one', async () => {
    const pins = info.resolve.flatMap((r) => ['--resolve', r]);
    const common = ['--yes', '--json', '--host', info.host!, '--ca-cert', info.caCertFile!, ...pins];
    for (const probe of ['http', 'tcp']) {
      const r = await cliFor(emb)(fastRunArgs(dir, ...common, '--probe', probe, '--seed', `nlb-tls-${probe}`));
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.verdict).toBe('pass');
      expect(report.target.listener).toMatchObject({ type: 'network', listener: expect.stringMatching(/^TLS:\d+$/) });
      expect(report.probe!.host).toBe('shop.example.test');
      expect(report.probe!.transport ?? 'http').toBe(probe);
      expect(report.probe!.nodes!.map((n) => n.az).filter(Boolean)).toHaveLength(3);
    }
  });
});
