/**
 * stop-instances end to end: the real binary against a sandbox on port 0, checked against the sandbox's ground
 * truth — which instance was stopped, that Auto Scaling replaced it, that nothing is left stopped — plus the
 * dry run, the pick that leaves out instances EC2 cannot stop, the IAM policy, and a SIGKILL in the hold
 * undone by `recover` from the victims' tags alone.
 */
import type { ChildProcess } from 'node:child_process';
import { type AutoScalingClient, ResumeProcessesCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import type { EmbeddedSandbox, InstanceStateName, SandboxEvent } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv } from '../helpers/cli.js';
import { cliFor, experimentIdOf, fastRunArgs, lastSeq, setKnobs, until, waitForSettled } from '../helpers/e2e.js';
import { waitForWorldEvent } from '../helpers/sandbox.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const ASG = 'demo-asg';
const STOPPED_STATES: InstanceStateName[] = ['stopping', 'stopped'];

describe('chaos-ec2 run --fault stop-instances against the sandbox', () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-stop-');
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let reportDir: string;
  let cli: ReturnType<typeof cliFor>;

  beforeAll(() => {
    ({ emb, clients, dir: reportDir } = t);
    cli = cliFor(emb);
  });
  beforeEach(async () => {
    await waitForSettled(emb, clients);
  });

  const args = (...extra: string[]) => fastRunArgs(reportDir, '--asg', ASG, '--fault', 'stop-instances', '--count', '1', ...extra);
  const stateChanges = (since: number, to?: InstanceStateName) =>
    emb.sandbox.world.events(since).filter((e): e is Extract<SandboxEvent, { type: 'instance-state' }> => e.type === 'instance-state' && (!to || e.to === to));
  const stoppedNow = () => [...emb.sandbox.world.instances.values()].filter((i) => STOPPED_STATES.includes(i.state)).map((i) => i.instanceId);
  /** Instances carrying chaos-ec2's experiment tag that are stopped or stopping, as DescribeInstances sees them. */
  const stoppedVictims = async () => {
    const out = await clients.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag-key', Values: ['chaos-ec2:experiment-id'] },
          { Name: 'instance-state-name', Values: STOPPED_STATES },
        ],
      }),
    );
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
  };
  const members = () => [...emb.sandbox.world.asgInstances.values()].filter((m) => m.asgName === ASG && m.lifecycleState === 'InService');
  /** The group's InService members, sorted. */
  const inService = () =>
    members()
      .map((m) => m.instanceId)
      .sort();

  it('--dry-run checks StopInstances and StartInstances with EC2 DryRun and stops nothing', async () => {
    const seq = lastSeq(emb);
    const r = await cli(args('--dry-run', '--seed', 'dry'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ ec2:StopInstances: allowed \(EC2 DryRun\)/);
    expect(r.stdout).toMatch(/✓ ec2:StartInstances: allowed \(EC2 DryRun\)/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    expect(stateChanges(seq)).toEqual([]);
  });

  it('a pass run: the victim is stopped, Auto Scaling replaces it, nothing is left stopped', async () => {
    const seq = lastSeq(emb);
    const r = await cli(args('--yes', '--json', '--duration', '3s', '--seed', 'stop-pass'));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verdict).toBe('pass');
    expect(report.fault?.kind).toBe('stop-instances');
    expect(report.fault?.targets).toHaveLength(1);
    const victim = report.fault!.targets[0]!.instanceId;

    // Ground truth: the victim (and only it) was stopped by the run ...
    const stops = stateChanges(seq, 'stopping');
    expect(stops.map((e) => [e.instanceId, e.from])).toEqual([[victim, 'running']]);
    expect(stateChanges(seq, 'stopped').map((e) => e.instanceId)).toEqual([victim]);
    // ... then Auto Scaling terminated it and launched a replacement into the group.
    expect(stateChanges(seq, 'shutting-down').map((e) => e.instanceId)).toEqual([victim]);
    const launches = stateChanges(seq).filter((e) => e.from === null && e.asgName === ASG);
    expect(launches).toHaveLength(1);
    expect(launches[0]!.seq).toBeGreaterThan(stops[0]!.seq);
    expect(inService()).toContain(launches[0]!.instanceId);
    expect(inService()).not.toContain(victim);
    // The rollback found nothing to start: the group had replaced the victim.
    expect(report.timeline.find((e) => e.event === 'victim-restarted')?.detail).toMatch(new RegExp(`${victim}: .*replaced by Auto Scaling`));
    expect(report.rollback?.status).toBe('complete');
    expect(stoppedNow()).toEqual([]);
    expect(await stoppedVictims()).toEqual([]);
  });

  it('leaves Spot and instance-store members out of the pick, and the plan names them', async () => {
    // The one eligible member sits in an AZ with two members (4 over 3 AZs), so that taking it keeps the
    // per-AZ floor (1): the only reason left for the pick to avoid a member is that EC2 cannot stop it.
    const all = members();
    const eligible = all.find((m) => all.filter((o) => o.availabilityZone === m.availabilityZone).length >= 2)!.instanceId;
    const [storeBacked, ...spot] = inService().filter((id) => id !== eligible);
    expect(spot.length).toBeGreaterThan(0);
    const patch = async (id: string, body: unknown) => {
      const res = await fetch(`${emb.sandbox.endpoint}/_sandbox/instances/${id}`, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, await res.text()).toBe(200);
    };
    const seq = lastSeq(emb);
    try {
      await patch(storeBacked!, { rootDeviceType: 'instance-store' });
      for (const id of spot) await patch(id, { instanceLifecycle: 'spot' });
      const r = await cli(args('--dry-run', '--seed', 'spot'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // The one victim is the one member EC2 can stop; every other member is named, with why.
      expect(r.stdout).toMatch(new RegExp(`^\\s+${eligible}\\s`, 'm'));
      expect(r.stdout).toContain(`not eligible: ${storeBacked} (instance-store root volume)`);
      for (const id of spot) expect(r.stdout).toContain(`not eligible: ${id} (Spot instance)`);
      expect(r.stdout).toMatch(/left out \(EC2 cannot stop them\)/);
      expect(stateChanges(seq)).toEqual([]);
    } finally {
      await patch(storeBacked!, { rootDeviceType: 'ebs' });
      for (const id of spot) await patch(id, { instanceLifecycle: null });
    }
  });

  it('iam-policy --faults stop-instances: Stop and Start scoped to the group, Start to chaos-ec2 victims, kms:CreateGrant', async () => {
    const r = await runCli(['iam-policy', '--faults', 'stop-instances', '--asg', ASG], { env: sandboxEnv(emb.sandbox.endpoint) });
    expect(r.code, r.stderr).toBe(0);
    const statements = (JSON.parse(r.stdout) as { Statement: { Action: string | string[]; Condition?: Record<string, Record<string, unknown>> }[] }).Statement;
    const forAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    const inGroup = { 'aws:ResourceTag/aws:autoscaling:groupName': ASG };
    expect(forAction('ec2:StopInstances')).toEqual([expect.objectContaining({ Condition: expect.objectContaining({ StringEquals: inGroup }) })]);
    const start = forAction('ec2:StartInstances');
    expect(start).toEqual([expect.objectContaining({ Condition: expect.objectContaining({ StringEquals: inGroup }) })]);
    expect(start[0]!.Condition!.Null).toEqual({ 'aws:ResourceTag/chaos-ec2:experiment-id': 'false' });
    expect(forAction('kms:CreateGrant')).toHaveLength(1);
    // Nothing another fault needs.
    expect(forAction('ec2:TerminateInstances')).toEqual([]);
    expect(forAction('ec2:ReplaceNetworkAclAssociation')).toEqual([]);
  });

  it('SIGKILL in the hold with the victim still stopped: recover --all starts it, and a second recover finds nothing', async () => {
    // In the fast profile Auto Scaling replaces a stopped member within a second, long before the kill. To leave
    // a victim stopped, the group's health checks are suspended while the run is blocked inside its StopInstances
    // call (held by the stallActions knob) — after the run's steady-state checks and recheck, and before the
    // stop takes effect — and the call is then let through.
    const world = emb.sandbox.world;
    const seq = lastSeq(emb);
    await setKnobs(emb, { stallActions: [{ action: 'StopInstances', after: 0 }] });
    let child: ChildProcess | undefined;
    let out = '';
    let victim = '';
    const run = cli(args('--yes', '--duration', '10m', '--seed', 'stop-kill'), { onSpawn: (c) => (child = c), onOutput: (text) => (out = text) });
    try {
      try {
        await waitForWorldEvent(world, (e) => e.seq > seq && e.type === 'api-stalled' && e.action === 'StopInstances', 60_000);
        await clients.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['HealthCheck', 'ReplaceUnhealthy'] }));
        await setKnobs(emb, { stallActions: [] }); // the held StopInstances goes through now
        await waitForWorldEvent(world, (e) => e.seq > seq && e.type === 'instance-state' && e.to === 'stopped', 20_000);
        // The run has the stop's answer and journaled it: it is in its 10-minute hold.
        await until(() => /instances-stopped/.test(out));
      } finally {
        child?.kill('SIGKILL');
      }
      const r = await run;
      expect(r.signal, r.stdout + r.stderr).toBe('SIGKILL');
      const id = experimentIdOf(r.stdout)!;
      expect(id).toBeDefined();
      victim = stateChanges(seq, 'stopped')[0]!.instanceId;
      // The damage is real: the victim is still stopped, found by its tags.
      expect(await stoppedVictims()).toEqual([victim]);

      const rec = await cli(['recover', '--all', '--yes', '--report-dir', reportDir]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(rec.stdout).toContain(id);
      expect(rec.stdout).toContain(`started ${victim}`);
      expect(await stoppedVictims()).toEqual([]);
      expect(stoppedNow()).toEqual([]);
      expect(
        stateChanges(seq)
          .filter((e) => e.instanceId === victim)
          .map((e) => e.to),
      ).toEqual(expect.arrayContaining(['pending']));

      const again = await cli(['recover', '--all', '--yes', '--report-dir', reportDir]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(/nothing to do/);
    } finally {
      await setKnobs(emb, { stallActions: [] });
      await clients.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: ASG, ScalingProcesses: ['HealthCheck', 'ReplaceUnhealthy'] }));
    }
    // The started victim rejoins the group as a member (it was never marked unhealthy).
    await waitForSettled(emb, clients);
    expect(inService()).toHaveLength(4);
    expect(inService()).toContain(victim);
  });
});
