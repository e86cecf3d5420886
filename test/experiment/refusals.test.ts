/**
 * Every way the runner refuses before injecting, in-process (runner-harness.ts): each ends with its exit code,
 * a report saying why, and NOTHING changed in the sandbox (no NACL created or swapped, no instance stopped or
 * terminated). One sandbox serves the file: none of these runs changes the world.
 */
import {
  CreateOrUpdateTagsCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DeregisterTargetsCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readLeases } from '../../src/experiment/lease.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { ChaosError } from '../../src/core/errors.js';
import type { BlackholePlan } from '../../src/faults/blackhole-az/types.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { associations, chaosNaclIds, mutations, settle, startInProcessSandbox, type InProcessSandbox } from '../helpers/run-harness.js';

describe('runner refusals (in-process, sandbox ground truth)', () => {
  let sb: InProcessSandbox;
  let before: Record<string, string>;
  let seq: number;

  beforeAll(async () => {
    sb = await startInProcessSandbox({ instances: 4, azs: 3 });
    before = await associations(sb.clients.ec2);
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(() => {
    seq = sb.lastSeq();
  });
  afterEach(async () => {
    // The invariant of every refusal: nothing was changed.
    sb.emb.sandbox.ctx.knobs.failActions = [];
    expect(mutations(sb, seq)).toEqual([]);
    expect(await associations(sb.clients.ec2)).toEqual(before);
    expect(await chaosNaclIds(sb.clients.ec2)).toEqual([]);
    // Whatever was refused, the group's lease (if one was taken) is released: the next run may go.
    expect(await readLeases(sb.clients, sb.emb.stack.asgName)).toEqual([]);
  });

  it('a group that is not opted in: exit 3, the reason names the tag; the probe never started', async () => {
    await sb.clients.asg.send(
      new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: sb.emb.stack.asgName, ResourceType: 'auto-scaling-group', Key: 'chaos-ec2:opt-in', Value: 'false', PropagateAtLaunch: false }] }),
    );
    try {
      const r = await sb.runInProcess();
      expect(r.outcome?.exitCode).toBe(3);
      expect(r.report?.verdict).toBe('aborted');
      expect(r.report?.reason).toMatch(/not opted in/);
      // The reason's hint is recorded too, and the probe section is there (the schema promises it), empty.
      expect(r.report?.hint).toBe('tag it chaos-ec2:opt-in=true, or pass --allow-untagged');
      expect(r.report?.probe).toMatchObject({ sent: 0, ok: 0, failed: 0, perSecond: [] });
      expect(r.report?.fault).toBeNull();
      expect(r.probe).toBeUndefined();
      expect(r.phases).toEqual(['discover']);
    } finally {
      await sb.clients.asg.send(
        new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: sb.emb.stack.asgName, ResourceType: 'auto-scaling-group', Key: 'chaos-ec2:opt-in', Value: 'true', PropagateAtLaunch: false }] }),
      );
    }
  });

  it('--allow-untagged is what lets an un-opted group through (the same run, planned and dry-run: exit 0)', async () => {
    const r = await sb.runInProcess({ allowUntagged: true, dryRun: true });
    expect(r.outcome?.exitCode).toBe(0);
  });

  it('the capacity floor: --count 3 of 4 with the default floor is refused at planning (exit 3)', async () => {
    const r = await sb.runInProcess({ count: '3' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/capacity floor/);
    expect(r.probe).toBeUndefined();
  });

  it('--az with no eligible instance: exit 3, the reason names the AZ', async () => {
    const r = await sb.runInProcess({ az: 'us-east-1f' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/no eligible healthy InService instance .* in us-east-1f/);
  });

  it('blackhole-az: the other AZs would hold fewer than --min-healthy: exit 3 at planning', async () => {
    const r = await sb.runInProcess({ fault: 'blackhole-az', minHealthy: '100%' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/capacity floor: with us-east-1[abc] cut off/);
  });

  it('blackhole-az blast radius: a foreign interface in the target subnet refuses after the plan was shown (exit 3)', async () => {
    const { subnetId, availabilityZone: az } = sb.emb.stack.subnets[1]!;
    const res = await fetch(`${sb.emb.sandbox.endpoint}/_sandbox/network-interfaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subnetId, description: 'RDSNetworkInterface', requesterId: 'amazon-rds' }),
    });
    const eni = ((await res.json()) as { networkInterfaceId: string }).networkInterfaceId;
    try {
      const r = await sb.runInProcess({ fault: 'blackhole-az', az });
      expect(r.outcome?.exitCode).toBe(3);
      expect(r.report?.reason).toMatch(new RegExp(`blast radius: 1 network interface\\(s\\).*${eni}.*--allow-shared-subnets`));
      // Refused after the plan was emitted (the operator sees what the radius is about), before any probe.
      const plan = r.events.find((e) => e.type === 'plan');
      expect(plan?.type === 'plan' && (plan.plan.fault.detail as BlackholePlan).sharedInterfaces?.map((n) => n.networkInterfaceId)).toEqual([eni]);
      expect(r.probe).toBeUndefined();
      // --allow-shared-subnets is what lets it through (a dry run: exit 0).
      expect((await sb.runInProcess({ fault: 'blackhole-az', az, allowSharedSubnets: true, dryRun: true })).outcome?.exitCode).toBe(0);
      // The group's own load balancer nodes never count as shared (--include-lb-subnets, another AZ).
      const other = sb.emb.stack.subnets[2]!.availabilityZone;
      const clean = await sb.runInProcess({ fault: 'blackhole-az', az: other, includeLbSubnets: true, minHealthy: '1', dryRun: true });
      expect(clean.outcome?.exitCode).toBe(0);
      expect((clean.outcome!.plan!.fault.detail as BlackholePlan).subnets.map((x) => x.role).sort()).toEqual(['instances', 'load-balancer']);
      expect((clean.outcome!.plan!.fault.detail as BlackholePlan).sharedInterfaces).toEqual([]);
    } finally {
      await fetch(`${sb.emb.sandbox.endpoint}/_sandbox/network-interfaces/${eni}`, { method: 'DELETE' });
    }
  });

  it('not confirmed: exit 3 "not confirmed", the operator was asked once with the plan', async () => {
    const asked: string[] = [];
    const r = await sb.runInProcess({ yes: false }, { confirm: async (p) => (asked.push(p.experimentId), false) });
    expect(asked).toHaveLength(1);
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/not confirmed; nothing was changed/);
    expect(r.probe).toBeUndefined();
  });

  it('baseline not steady (failing seconds): exit 3 "baseline not steady", the journal holds the plan and nothing else', async () => {
    const r = await sb.runInProcess({}, { second: () => 'fail' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/baseline not steady: baseline error rate 100\.00%/);
    expect(r.report?.steadyState.pass).toBe(false);
    expect(r.timeline).not.toContain('fault-injected');
    expect(r.journal.map((j) => j.type)).toEqual(['plan', 'intent']);
  });

  it('baseline saturated throughout: the window gives up after its bound and refuses (judged seconds 0/2)', async () => {
    const r = await sb.runInProcess({}, { second: () => 'saturated' });
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/baseline judged seconds 0\/2/);
    // want 2 judged seconds, at most want + max(5, want) = 7 seconds in all.
    // The refusal report still has its probe section: the baseline's seconds, every one marked saturated.
    expect(r.report?.probe?.perSecond.length).toBe(7);
    expect(r.report?.probe?.perSecond.every((s) => s.saturated)).toBe(true);
    expect(r.probe!.seconds.length).toBeGreaterThanOrEqual(7);
  });

  it("an AWS error after the baseline, right before injecting (the recheck's describe fails): exit 5, verdict error, nothing injected", async () => {
    const r = await sb.runInProcess(
      {},
      {
        on: (e, h) => {
          if (e.type === 'phase' && e.phase === 'baseline') h.setKnobs({ failActions: ['DescribeAutoScalingGroups'] });
        },
      },
    );
    expect(r.outcome?.exitCode).toBe(5);
    expect(r.report?.verdict).toBe('error');
    expect(r.report?.reason).toMatch(/DescribeAutoScalingGroups/);
    expect(r.timeline).not.toContain('fault-injected');
    expect(r.journal.map((j) => j.type)).toEqual(['plan', 'intent']);
  });

  it('an AWS error during discovery: runExperiment rejects with the AWS error (exit 5, for the CLI boundary); no report, no journal', async () => {
    sb.emb.sandbox.ctx.knobs.failActions = ['DescribeAutoScalingGroups'];
    const r = await sb.runInProcess();
    expect(r.outcome).toBeUndefined();
    expect(r.error).toBeInstanceOf(ChaosError);
    expect((r.error as ChaosError).exitCode).toBe(5);
    expect(r.journal).toEqual([]);
  });

  it('--dry-run: DryRun permission checks allowed, exit 0, no journal, nothing changed', async () => {
    const r = await sb.runInProcess({ dryRun: true, fault: 'blackhole-az', minHealthy: '1' });
    expect(r.outcome?.exitCode).toBe(0);
    expect(r.outcome?.permissions?.map((p) => [p.action, p.allowed])).toEqual([
      ['ec2:CreateNetworkAcl', true],
      ['ec2:ReplaceNetworkAclAssociation', true],
    ]);
    expect(r.journal).toEqual([]);
    expect(r.probe).toBeUndefined();
  });

  it('--dry-run, the DryRun check itself fails with an API error: exit 5 with a report naming the call; nothing changed', async () => {
    const r = await sb.runInProcess({ dryRun: true }, { on: (e, h) => e.type === 'plan' && h.setKnobs({ failActions: ['TerminateInstances'] }) });
    expect(r.outcome?.exitCode).toBe(5);
    expect(r.report?.reason).toMatch(/TerminateInstances \(DryRun\): ServiceUnavailable/);
  });

  it('--dry-run against an endpoint that ignores DryRun: the read-only canary catches it, exit 5, no NACL created', async () => {
    // A proxy in front of the sandbox that drops DryRun=true, as a careless mock or emulator would.
    const upstream = new URL(sb.emb.sandbox.endpoint);
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks)
          .toString()
          .replace(/(^|&)DryRun=true/g, '');
        void fetch(new URL(req.url ?? '/', upstream), {
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
          ...(req.method === 'GET' ? {} : { body }),
        })
          .then(async (up) => {
            res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/xml' });
            res.end(await up.text());
          })
          .catch(() => res.destroy());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const clients = await createClients({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
    try {
      const r = await sb.runInProcess({ dryRun: true, fault: 'blackhole-az', minHealthy: '1' }, { clients });
      expect(r.outcome?.exitCode).toBe(5);
      expect(r.report?.reason).toMatch(/ignored DryRun on DescribeAvailabilityZones/);
    } finally {
      clients.destroy();
      await new Promise((r) => proxy.close(r));
    }
  });

  describe('interrupted before injecting: exit 130, "nothing was injected", nothing changed', () => {
    it('aborted while planning: 130 before the plan is confirmed or anything is written (no journal, no lease, no probe)', async () => {
      const r = await sb.runInProcess({}, { on: (e, h) => e.type === 'plan' && h.abort() });
      expect(r.outcome?.exitCode).toBe(130);
      expect(r.report?.verdict).toBe('aborted');
      expect(r.report?.reason).toBe('interrupted while planning; nothing was injected');
      expect(r.probe?.seconds ?? []).toEqual([]);
      expect(r.journal).toEqual([]);
      expect(r.phases).not.toContain('baseline');
    });

    it('aborted during the baseline: 130 at once (the baseline window is not waited out)', async () => {
      const r = await sb.runInProcess({ baseline: '30s' }, { on: (e, h) => e.type === 'phase' && e.phase === 'baseline' && setTimeout(() => h.abort(), 50) });
      expect(r.outcome?.exitCode).toBe(130);
      expect(r.report?.reason).toBe('interrupted during the baseline; nothing was injected');
      expect(r.probe!.seconds.length).toBeLessThan(30);
      expect(r.phases).not.toContain('inject');
    });

    it('aborted while the recheck after the baseline is in flight: the recheck ends, then 130 before any mutation', async () => {
      const r = await sb.runInProcess({ fault: 'blackhole-az' }, { beforeSnapshot: (n, h) => (n === 2 ? h.abort() : undefined) });
      expect(r.outcome?.exitCode).toBe(130);
      expect(r.report?.reason).toBe('interrupted before injecting; nothing was injected');
      expect(r.phases).not.toContain('inject');
      expect(r.journal.map((j) => j.type)).toEqual(['plan', 'intent', 'end']);
    });
  });

  describe('the recheck right before injecting (the group changed during the baseline)', () => {
    // These two change the group themselves (an instance leaves it, desired decremented): the afterEach
    // invariant is checked from after that change, and they run last in the file.
    const leave = async (sbx: InProcessSandbox, instanceId: string) => {
      await sbx.clients.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: true }));
      seq = sbx.lastSeq();
    };

    it('steady state not met at planning (the group one short of desired): exit 3 with the capacity checks in the report; no probe', async () => {
      // Launch suspended and desired raised: the group stays one short, a stable unhealthy state.
      const asg = sb.emb.stack.asgName;
      await sb.clients.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: asg, ScalingProcesses: ['Launch'] }));
      await sb.clients.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: asg, DesiredCapacity: 5 }));
      try {
        const r = await sb.runInProcess();
        expect(r.outcome?.exitCode).toBe(3);
        expect(r.report?.reason).toBe('steady state not met before injecting: 4/5 InService');
        expect(r.report?.steadyState.checks.find((c) => c.name === 'in-service == desired')).toMatchObject({ pass: false, detail: '4/5 InService' });
        expect(r.report?.fault).toBeNull();
        expect(r.probe).toBeUndefined();
      } finally {
        await sb.clients.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: asg, DesiredCapacity: 4 }));
        await sb.clients.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: asg, ScalingProcesses: ['Launch'] }));
      }
    });

    it('a healthy target lost during the baseline: the recheck\'s capacity checks refuse, exit 3 "steady state lost since planning"', async () => {
      const tg = sb.emb.stack.targetGroupArn;
      let other = '';
      try {
        const r = await sb.runInProcess(
          { minHealthy: '3' },
          {
            on: (e, h) => {
              if (e.type !== 'plan') return;
              const victim = e.plan.fault.targets[0]!.instanceId;
              other = sb.emb.sandbox.world.membersOf(sb.emb.stack.asgName).find((m) => m.instanceId !== victim)!.instanceId;
              // Deregistering drains the target: 3 of 4 InService members stay healthy.
              h.pauseWhile(sb.clients.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: other }] })));
            },
          },
        );
        expect(r.outcome?.exitCode).toBe(3);
        expect(r.report?.reason).toBe('steady state lost since planning: 3/4 healthy in every target group');
        expect(r.phases).toContain('baseline');
        expect(r.journal.map((j) => j.type)).toEqual(['plan', 'intent']);
      } finally {
        if (other) await sb.clients.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: other }] }));
        await settle(sb);
        seq = sb.lastSeq();
      }
    });

    it('the planned victim left InService: exit 3 "the group changed since planning", the victim not touched by chaos-ec2', async () => {
      await settle(sb);
      seq = sb.lastSeq();
      let victim = '';
      const r = await sb.runInProcess(
        {},
        {
          on: (e, h) => {
            if (e.type === 'plan') victim = e.plan.fault.targets[0]!.instanceId;
            if (e.type === 'phase' && e.phase === 'baseline') h.pauseWhile(leave(sb, victim));
          },
        },
      );
      expect(r.outcome?.exitCode).toBe(3);
      expect(r.report?.reason).toBe(`the group changed since planning: ${victim} no longer InService`);
      expect(r.report?.fault?.t0).toBeNull();
      expect(r.phases).toContain('baseline');
      expect(r.journal.map((j) => j.type)).toEqual(['plan', 'intent']);
    });

    it('another member left: the floor the plan promised would be broken now, exit 3 "capacity floor"', async () => {
      // Whatever the test before left: steady again, then `healthy` members, one of which leaves mid-baseline.
      await settle(sb);
      seq = sb.lastSeq();
      const healthy = sb.emb.sandbox.world.membersOf(sb.emb.stack.asgName).filter((m) => m.lifecycleState === 'InService').length;
      const r = await sb.runInProcess(
        { minHealthy: String(healthy - 1), minHealthyPerAz: '0' },
        {
          on: (e, h) => {
            if (e.type !== 'plan') return;
            const victim = e.plan.fault.targets[0]!.instanceId;
            const other = [...sb.emb.sandbox.world.membersOf(sb.emb.stack.asgName)].find((m) => m.instanceId !== victim && m.lifecycleState === 'InService')!.instanceId;
            h.pauseWhile(leave(sb, other));
          },
        },
      );
      expect(r.outcome?.exitCode).toBe(3);
      expect(r.report?.reason).toMatch(new RegExp(`capacity floor: taking 1 out now would leave ${healthy - 2} healthy, below --min-healthy ${healthy - 1}`));
      // The plan passed the floor; it was the recheck after the baseline that refused.
      expect(r.phases).toContain('baseline');
      expect(r.journal.map((j) => j.type)).toEqual(['plan', 'intent']);
    });
  });
});
