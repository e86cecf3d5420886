/**
 * Preflight against the shapes of real groups, set up through the public API as an operator would: an instance
 * refresh in progress (refused, the world unchanged), a launch hook whose heartbeat outlasts the recovery
 * timeout (a warning naming it, in the plan and in --dry-run), and a warm pool whose instances sit in the
 * subnets a blackhole would cut off (the group's own: not refused as shared subnets). The refresh goes
 * through the real AWS CLI; hooks and warm pools through the SDK (the sandbox's Put/Delete answers for them
 * lack the `…Result` element botocore expects).
 */
import {
  DeleteLifecycleHookCommand,
  DeleteWarmPoolCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribeLifecycleHooksCommand,
  DescribeWarmPoolCommand,
  PutLifecycleHookCommand,
  PutWarmPoolCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import type { EmbeddedSandbox } from '../../src/sandbox/index.js';
import { awsCli, awsCliGate } from '../helpers/aws-cli.js';
import { associations, blackholeArgs, cliFor, fastRunArgs, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const gate = awsCliGate('preflight-groups.test.ts');
const G = ['--auto-scaling-group-name', 'demo-asg'];

/** Polls an AWS read until it answers something truthy (the sandbox has no event for what the API shows). */
async function eventually<T>(read: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!gate.run)('preflight on real group shapes', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-pre-groups-');
  let emb: EmbeddedSandbox;
  let cli: ReturnType<typeof cliFor>;
  const aws = async (...args: string[]) => {
    const r = await awsCli(emb.sandbox.endpoint, args);
    expect(r.code, `aws ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  const inService = async () =>
    ((await t.clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }))).AutoScalingGroups![0]!.Instances ?? [])
      .filter((i) => i.LifecycleState === 'InService')
      .map((i) => i.InstanceId!)
      .sort();

  /**
   * Whether the sandbox implements a read yet (the features these tests use land from other branches): a test
   * whose feature is missing is skipped, never passed; once the sandbox has it, the test runs and can fail.
   */
  const implemented = async (read: () => Promise<unknown>) => {
    try {
      await read();
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'InvalidAction') return false;
      throw err;
    }
  };

  beforeAll(() => {
    if (gate.missing) throw new Error(gate.missing);
    emb = t.emb;
    cli = cliFor(emb);
  });
  beforeEach(async () => {
    await waitForSettled(emb, t.clients);
  }, 45_000);

  describe('an instance refresh in progress', () => {
    let started = false;
    afterEach(async () => {
      if (!started) return;
      started = false;
      await aws('autoscaling', 'cancel-instance-refresh', ...G);
      await aws('autoscaling', 'resume-processes', ...G);
      await eventually(async () => {
        const r = (await t.clients.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: 'demo-asg' }))).InstanceRefreshes ?? [];
        return r.every((x) => x.Status === 'Cancelled' || x.Status === 'Successful');
      }, 20_000);
    });

    it('is refused (exit 3) naming the refresh, the world unchanged', async (ctx) => {
      if (!(await implemented(() => t.clients.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: 'demo-asg' }))))) return ctx.skip();
      started = true;
      // InstanceRefresh suspended holds the refresh Pending, so it replaces nothing while the test looks.
      await aws('autoscaling', 'suspend-processes', ...G, '--scaling-processes', 'InstanceRefresh');
      const { InstanceRefreshId: id } = (await aws('autoscaling', 'start-instance-refresh', ...G)) as { InstanceRefreshId: string };
      const before = { ids: await inService(), nacls: await associations(t.clients.ec2) };
      const r = await cli(fastRunArgs(t.dir, '--yes', '--json'));
      expect(r.code, r.stderr).toBe(3);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.reason).toContain(`instance refresh ${id} is Pending on demo-asg`);
      expect(report.hint).toContain('aws autoscaling cancel-instance-refresh --auto-scaling-group-name demo-asg');
      expect(report.fault?.injectedAt).toBeNull();
      expect({ ids: await inService(), nacls: await associations(t.clients.ec2) }).toEqual(before);
    });
  });

  describe('a launch hook with a 7200 s heartbeat', () => {
    let put = false;
    afterEach(async () => {
      if (!put) return;
      put = false;
      await t.clients.asg.send(new DeleteLifecycleHookCommand({ AutoScalingGroupName: 'demo-asg', LifecycleHookName: 'bootstrap' }));
    });

    it('--recovery-timeout 60s: the plan and --dry-run list the hook and warn, naming it', async (ctx) => {
      if (!(await implemented(() => t.clients.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'demo-asg' }))))) return ctx.skip();
      put = true;
      await t.clients.asg.send(
        new PutLifecycleHookCommand({ AutoScalingGroupName: 'demo-asg', LifecycleHookName: 'bootstrap', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 7200 }),
      );
      const r = await cli(fastRunArgs(t.dir, '--dry-run', '--recovery-timeout', '60s'));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = r.stdout + r.stderr;
      expect(out).toContain('hook      bootstrap  EC2_INSTANCE_LAUNCHING  heartbeat 7200s, default result ABANDON');
      expect(out).toContain(
        "warning   launch hook 'bootstrap' may hold each replacement in Pending:Wait up to its heartbeat timeout 7200s (then ABANDON), longer than --recovery-timeout 1m",
      );
    });
  });

  describe('a warm pool', () => {
    let put = false;
    afterEach(async () => {
      if (!put) return;
      put = false;
      await t.clients.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: 'demo-asg', ForceDelete: true }));
    });

    it("blackhole dry run in an AZ holding warmed instances: they are the group's own, not refused as shared subnets", async (ctx) => {
      if (!(await implemented(() => t.clients.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: 'demo-asg' }))))) return ctx.skip();
      put = true;
      await t.clients.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: 'demo-asg', MinSize: 2 }));
      // Warmed instances in the pool, each with its network interface in one of the group's subnets: exactly
      // what the blast-radius check would count as someone else's if it did not know the pool.
      const warm = await eventually(async () => {
        const p = await t.clients.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: 'demo-asg' }));
        // Every pool instance warmed (none still Warmed:Pending): the fill's launch activities have ended, and
        // the dry run would rightly be refused while any is in progress.
        const states = (p.Instances ?? []).map((i) => i.LifecycleState ?? '');
        if (states.length === 0 || !states.every((st) => /^Warmed:(Stopped|Running|Hibernated)$/.test(st))) return undefined;
        const ids = (p.Instances ?? []).map((i) => i.InstanceId!);
        const enis = (await t.clients.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ids }] }))).NetworkInterfaces ?? [];
        return enis[0];
      }, 20_000);
      const az = warm.AvailabilityZone!;
      const r = await cli(blackholeArgs(t.dir, '--dry-run', '--az', az));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/shared|blast radius/);
    });
  });
});
