/**
 * blackhole-az end to end: the real binary against a sandbox on port 0 (three AZs), checked against the
 * sandbox's ground truth — NACL associations before/after, routing events, and the failActions knob.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/embedded.js';
import { waitForSteadyState } from '../../src/sandbox/stack.js';
import { clientConfig } from '../helpers/sandbox.js';
import { associations, blackholeArgs, chaosNacls, cliFor, setKnobs } from './blackhole-helpers.js';

describe('chaos-ec2 run --fault blackhole-az against the sandbox', () => {
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let reportDir: string;
  let before: Record<string, string>;
  let cli: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 6, azs: 3 } });
    const cfg = clientConfig(emb.sandbox.endpoint);
    clients = { ec2: new EC2Client(cfg), asg: new AutoScalingClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg) };
    reportDir = mkdtempSync(join(tmpdir(), 'chaos-bh-'));
    before = await associations(clients.ec2);
    cli = cliFor(emb);
  });
  beforeEach(async () => {
    await waitForSteadyState(clients, emb.stack, 30_000);
  });
  afterAll(async () => {
    for (const c of Object.values(clients ?? {})) c.destroy();
    await emb?.close();
    rmSync(reportDir, { recursive: true, force: true });
  });

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
    const bh = report.blackhole!;
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
    expect(report.recovery?.timeToImpactMs).not.toBeNull();
    expect(report.recovery!.serviceRecoveredMs!).toBeGreaterThan(report.recovery!.timeToImpactMs!);
    expect(bh.asgReaction.instancesLost.every((i) => i.availabilityZone === az)).toBe(true);

    expect(await associations(clients.ec2)).toEqual(before);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
  });
});
