/**
 * blackhole-az end to end: the real binary against a sandbox on port 0 (three AZs), checked against the
 * sandbox's ground truth — NACL associations before/after, routing events, and the failActions knob.
 */
import { type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { type EC2Client } from '@aws-sdk/client-ec2';
import { type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import type { BlackholeReport } from '../../src/faults/blackhole-az/types.js';
import type { EmbeddedSandbox } from '../../src/sandbox/index.js';
import { associations, blackholeArgs, chaosNacls, cliFor, runWithHook as hook, until, waitForSettled, setKnobs } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

// Each test runs the CLI end to end (baseline, hold, rollback): ~20 s on a loaded machine, too close to
// vitest's 30 s default. The limit covers what a test waits on: the child's own 90 s bound, plus margin.
describe('chaos-ec2 run --fault blackhole-az against the sandbox', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 6, azs: 3 }, 'chaos-bh-');
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let reportDir: string;
  let before: Record<string, string>;
  let cli: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    ({ emb, clients, dir: reportDir } = t);
    before = await associations(clients.ec2);
    cli = cliFor(emb);
  });
  // waitForSettled bounds itself at 40 s; the hook's limit must not be the tighter one (vitest's default is 30 s).
  beforeEach(async () => {
    await waitForSettled(emb, clients);
  }, 45_000);

  it('cuts off one AZ for --duration: impact and recovery measured, every subnet restored, no chaos NACL left', async () => {
    const az = emb.stack.subnets[0]!.availabilityZone;
    const dark = emb.stack.subnets[0]!.subnetId;
    const seq = emb.sandbox.world.events().at(-1)?.seq ?? 0;
    const r = await cli(blackholeArgs(reportDir, '--yes', '--json', '--az', az, '--duration', '4s', '--seed', 'bh'));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('pass');
    expect(report.fault?.kind).toBe('blackhole-az');
    expect(report.rollback?.status).toBe('complete');
    const bh = report.fault!.detail as BlackholeReport;
    expect(bh.az).toBe(az);
    expect(bh.subnets.map((s) => s.subnetId)).toEqual([dark]);
    expect(bh.subnets[0]!.originalNaclId).toBe(before[dark]);
    expect(bh.chaosNacls).toHaveLength(1);
    expect(bh.associationChanges.map((c) => c.purpose)).toEqual(['inject', 'restore']);
    expect(bh.restoreVerification?.verified).toBe(true);

    // Ground truth: the sandbox saw the NACL created, the subnet swapped to it and back, and the NACL deleted.
    const events = emb.sandbox.world.events(seq);
    const chaosId = bh.chaosNacls[0]!.networkAclId;
    expect(events.some((e) => e.type === 'nacl-created' && e.networkAclId === chaosId)).toBe(true);
    expect(events.some((e) => e.type === 'nacl-deleted' && e.networkAclId === chaosId)).toBe(true);
    // The load balancer stopped routing to the dark AZ's targets during the hold.
    const darkIds = report.fault!.targets.map((t) => t.instanceId);
    expect(darkIds.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'lb-routing' && e.change === 'targets' && darkIds.every((id) => !e.routable!.includes(id)))).toBe(true);
    // Impact then recovery, as the probe saw it; nothing dropped from accounting.
    expect(report.probe!.sent).toBe(report.probe!.ok + report.probe!.failed);
    expect(report.recovery?.recovered).toBe(true);
    // Users were hurt after t0 (the second containing t0 counts: the swap is its last step).
    const hurt = report.probe!.perSecond.filter((sec) => sec.atMs + 1000 > 0 && sec.failed > 0);
    expect(hurt.length).toBeGreaterThan(0);
    const tti = report.recovery!.timeToImpactMs;
    if (tti !== null) {
      expect(report.recovery!.serviceRecoveredMs!).toBeGreaterThan(tti);
    } else {
      // No impact figure is honest only if the probe could not judge the seconds that failed: on a loaded
      // machine (event-loop lag over 100 ms) they are saturated, and a saturated second's figures say nothing.
      // Seen with the machine at load 13 on 2 cores. (The t0 second may also hold pre-t0 failures: not checked.)
      const after = hurt.filter((sec) => sec.atMs > 0);
      expect(
        after.every((sec) => sec.saturated),
        JSON.stringify(report.probe!.perSecond),
      ).toBe(true);
    }
    expect(bh.asgReaction.instancesLost.every((i) => i.availabilityZone === az)).toBe(true);

    expect(await associations(clients.ec2)).toEqual(before);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
  });

  /** Runs the CLI and calls `act` once, as soon as the first subnet has been swapped (the hold has begun). */
  const runWithHook = (args: string[], act: (child: import('node:child_process').ChildProcess, text: () => string) => Promise<void>) => hook(cli, args, act);

  it('a second SIGINT exits at once, naming the experiment and the recover command, which then works', async () => {
    const r = await runWithHook(blackholeArgs(reportDir, '--yes', '--duration', '30s'), async (child, text) => {
      // Slow the API so the rollback the first SIGINT starts is still running when the second arrives.
      await setKnobs(emb, { apiLatencyMs: 1500 });
      child.kill('SIGINT');
      await until(() => /SIGINT received/.test(text()));
      child.kill('SIGINT');
    });
    await setKnobs(emb, { apiLatencyMs: 0 });
    expect(r.code).toBe(4);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/exiting immediately/);
    const id = /Experiment (exp-[\w-]+) may still be injected/.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(out).toMatch(/chaos NACL acl-/);
    const cmd = new RegExp(`chaos-ec2 (recover --experiment-id ${id}[^\\n]*--yes)`).exec(out)?.[1];
    expect(cmd).toBeDefined();
    const rec = await cli(cmd!.split(' '));
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    expect(await associations(clients.ec2)).toEqual(before);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
  });

  it('--dry-run prints the AZ, subnets and original NACLs, checks the NACL permissions with EC2 DryRun, and changes nothing', async () => {
    const seq = emb.sandbox.world.events().at(-1)?.seq ?? 0;
    const r = await cli(blackholeArgs(reportDir, '--dry-run', '--include-lb-subnets', '--seed', 'dry', '--min-healthy', '1'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/blackhole-az: us-east-1[abc] \(picked with seed dry\)/);
    expect(r.stdout).toMatch(/subnet-\w+\s+instances\s+vpc-\w+\s+original NACL acl-\w+/);
    expect(r.stdout).toMatch(/subnet-\w+\s+load-balancer\s+vpc-\w+\s+original NACL acl-\w+/);
    expect(r.stdout).toMatch(/ec2:CreateNetworkAcl: allowed \(EC2 DryRun\)/);
    expect(r.stdout).toMatch(/ec2:ReplaceNetworkAclAssociation: allowed \(EC2 DryRun\)/);
    expect(emb.sandbox.world.events(seq).filter((e) => e.type.startsWith('nacl'))).toEqual([]);
  });

  it("blast radius: an interface that is not the group's in the target subnet is shown in the plan and refuses the run (exit 3); --allow-shared-subnets lets a dry run through", async () => {
    const { subnetId, availabilityZone: az } = emb.stack.subnets[1]!;
    const res = await fetch(`${emb.sandbox.endpoint}/_sandbox/network-interfaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subnetId, description: 'RDSNetworkInterface', requesterId: 'amazon-rds' }),
    });
    expect(res.status).toBe(201);
    const eni = ((await res.json()) as { networkInterfaceId: string }).networkInterfaceId;
    try {
      const seq = emb.sandbox.world.events().at(-1)?.seq ?? 0;
      const r = await cli(blackholeArgs(reportDir, '--yes', '--az', az));
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toMatch(new RegExp(`shared\\s+1 network interface\\(s\\)[^\\n]*\\n\\s+${eni}\\s+${subnetId}\\s+interface, managed by amazon-rds, "RDSNetworkInterface"`));
      expect(r.stdout + r.stderr).toMatch(/blast radius: 1 network interface\(s\) that are not the group's/);
      expect(r.stdout + r.stderr).toMatch(/--allow-shared-subnets/);
      expect(emb.sandbox.world.events(seq).filter((e) => e.type.startsWith('nacl'))).toEqual([]);
      // The group's own instances and (with --include-lb-subnets) its load balancer's nodes never count.
      const other = emb.stack.subnets[2]!.availabilityZone;
      const clean = await cli(blackholeArgs(reportDir, '--dry-run', '--include-lb-subnets', '--az', other, '--min-healthy', '1'));
      expect(clean.code, clean.stdout + clean.stderr).toBe(0);
      expect(clean.stdout).not.toMatch(/shared\s+\d/);
      const allowed = await cli(blackholeArgs(reportDir, '--dry-run', '--az', az, '--allow-shared-subnets'));
      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
      expect(allowed.stdout).toContain(eni);
      expect(emb.sandbox.world.events(seq).filter((e) => e.type.startsWith('nacl'))).toEqual([]);
    } finally {
      await fetch(`${emb.sandbox.endpoint}/_sandbox/network-interfaces/${eni}`, { method: 'DELETE' });
    }
  });
});
