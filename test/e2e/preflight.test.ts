/**
 * Preflight end to end: the real binary against the sandbox, the group set up with the real AWS CLI as an
 * operator would. Each refusal exits 3 before anything is touched: the same InService members and the same
 * NACL associations afterwards, and no experiment tag on any instance.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import type { EmbeddedSandbox } from '../../src/sandbox/index.js';
import { awsCli, awsCliGate } from '../helpers/aws-cli.js';
import { associations, blackholeArgs, cliFor, fastRunArgs, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const gate = awsCliGate('preflight.test.ts');

describe('preflight refusals against the sandbox', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-pre-');
  let emb: EmbeddedSandbox;
  let cli: ReturnType<typeof cliFor>;

  /** What must not change: InService members, every subnet's NACL, and who was tagged by an experiment. */
  const world = async () => {
    const g = (await t.clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }))).AutoScalingGroups![0]!;
    return {
      inService: (g.Instances ?? [])
        .filter((i) => i.LifecycleState === 'InService')
        .map((i) => i.InstanceId!)
        .sort(),
      nacls: await associations(t.clients.ec2),
      tagged: [...emb.sandbox.world.instances.keys()].filter((id) => [...emb.sandbox.world.tagsOf(id).keys()].some((k) => k.startsWith('chaos-ec2:'))),
    };
  };

  /** The stack's health-check interval as DescribeTargetGroups reports it (whole seconds). */
  let interval = 0;
  beforeAll(async () => {
    emb = t.emb;
    cli = cliFor(emb);
    interval = (await t.clients.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups![0]!.HealthCheckIntervalSeconds!;
  });
  beforeEach(async () => {
    await waitForSettled(emb, t.clients);
  }, 45_000);

  describe.skipIf(!gate.run)('suspended processes', () => {
    afterEach(async () => {
      expect((await awsCli(emb.sandbox.endpoint, ['autoscaling', 'resume-processes', '--auto-scaling-group-name', 'demo-asg'])).code).toBe(0);
    });

    it('Launch suspended (aws autoscaling suspend-processes): exit 3, the reason names it, the hint resumes it, the world unchanged', async () => {
      if (gate.missing) throw new Error(gate.missing);
      const s = await awsCli(emb.sandbox.endpoint, ['autoscaling', 'suspend-processes', '--auto-scaling-group-name', 'demo-asg', '--scaling-processes', 'Launch']);
      expect(s.code, s.stderr).toBe(0);
      const before = await world();
      for (const args of [fastRunArgs(t.dir, '--yes', '--json'), blackholeArgs(t.dir, '--yes', '--json', '--duration', '2s')]) {
        const r = await cli(args);
        expect(r.code, r.stderr).toBe(3);
        const report = JSON.parse(r.stdout) as Report;
        expect(report.verdict).toBe('aborted');
        expect(report.reason).toMatch(/suspended on demo-asg: Launch\b/);
        expect(report.hint).toContain('aws autoscaling resume-processes --auto-scaling-group-name demo-asg --scaling-processes Launch');
        expect(report.fault?.injectedAt).toBeNull();
        expect(r.stderr).toContain('REFUSED');
        expect(await world()).toEqual(before);
      }
    });

    it('AZRebalance suspended: a warning in the plan, not a refusal', async () => {
      if (gate.missing) throw new Error(gate.missing);
      const s = await awsCli(emb.sandbox.endpoint, ['autoscaling', 'suspend-processes', '--auto-scaling-group-name', 'demo-asg', '--scaling-processes', 'AZRebalance']);
      expect(s.code, s.stderr).toBe(0);
      const r = await cli(fastRunArgs(t.dir, '--dry-run'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/warning +process AZRebalance is suspended on demo-asg/);
    });
  });

  it('--recovery-timeout below the expected earliest recovery: exit 3 with the estimate in the hint, the world unchanged', async () => {
    const before = await world();
    // 20 s to boot + one passing check (the stack's interval as the API reports it) > 10 s.
    const r = await cli(fastRunArgs(t.dir, '--yes', '--json', '--recovery-timeout', '10s', '--boot-allowance', '20s'));
    expect(r.code, r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.reason).toContain(`--recovery-timeout 10s is shorter than the expected earliest recovery ~${20 + interval}s after the fault: boot 20s + first check ${interval}s`);
    expect(report.hint).toContain(`--recovery-timeout ${20 + interval}s or more`);
    expect(report.hint).toContain('--allow-short-timeout');
    expect(report.preflight?.expectedRecovery.ms).toBe((20 + interval) * 1000);
    expect(await world()).toEqual(before);
  });

  it('--allow-short-timeout: the same run goes ahead (dry run), the plan warns instead', async () => {
    const r = await cli(fastRunArgs(t.dir, '--dry-run', '--recovery-timeout', '10s', '--boot-allowance', '20s', '--allow-short-timeout'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain(`recovery  expected earliest ~${20 + interval}s after the fault: boot 20s + first check ${interval}s`);
    expect(out).toMatch(/warning +--recovery-timeout 10s is shorter .*going on \(--allow-short-timeout\)/);
  });
});
