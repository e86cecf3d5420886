/**
 * End to end, real Auto Scaling group shapes (issue 11 acceptance), the real binary against a sandbox on port 0,
 * each shape set up through the public API as a user would:
 * - a weighted group (weights 2,2,1,1, desired 6 units) passes terminate and blackhole runs, plan and report
 *   in units;
 * - a scheduled action lowering desired mid-run: desired-changed in the timeline, and the run recovers;
 * - a Spot interruption of a member that is not a victim: the run is contaminated, with the cause, and the
 *   verdict says so.
 */
import { DescribeAutoScalingGroupsCommand, PutScheduledUpdateGroupActionCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { waitForSteadyState } from '../../src/sandbox/index.js';
import { DEMO_WEIGHTS } from '../../src/sandbox/weighted-stack.js';
import { blackholeArgs, cliFor, fastRunArgs, runWithHook, settleBeforeEachTest, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox, type StackSandbox } from '../helpers/stack-sandbox.js';

const members = async (t: StackSandbox) =>
  (await t.clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [t.emb.stack.asgName] }))).AutoScalingGroups![0]!.Instances!.filter(
    (i) => i.LifecycleState === 'InService',
  );

/** The run's report: stdout with --json. */
const reportOf = (stdout: string): Report => JSON.parse(stdout) as Report;

describe('a weighted group (weights 2,2,1,1, desired 6 units)', { timeout: 180_000 }, () => {
  const t = useStackSandbox({ instances: 6, azs: 3, weights: DEMO_WEIGHTS }, 'chaos-e2e-weighted-');

  /** Desired one unit at a time (4 → 5 → 6): each missing unit is filled with a weight-1 type, so 2,2,1,1. */
  async function shapeTwoTwoOneOne(): Promise<void> {
    const weights = async () => (await members(t)).map((i) => Number(i.WeightedCapacity)).sort((a, b) => b - a);
    if ((await weights()).join(',') === '2,2,1,1') return;
    for (const desired of [4, 5, 6]) {
      await t.clients.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: t.emb.stack.asgName, DesiredCapacity: desired }));
      await waitForSettled(t.emb, t.clients);
    }
    expect(await weights()).toEqual([2, 2, 1, 1]);
  }

  beforeAll(async () => {
    await waitForSteadyState(t.clients, t.emb.stack, 30_000);
  });
  beforeEach(async () => {
    await waitForSettled(t.emb, t.clients);
    await shapeTwoTwoOneOne();
  }, 90_000);

  it('terminate: passes; the plan and the report speak in units', async () => {
    const r = await cliFor(t.emb)(fastRunArgs(t.dir, '--yes', '--json', '--seed', 'weighted-terminate'));
    expect(r.code, r.stderr).toBe(0);
    // The plan (on stderr with --json): desired and InService in units, with the instance count beside them.
    expect(r.stderr).toMatch(/desired 6 units, InService 6 units \(4 instances\), healthy 6 units/);
    const report = reportOf(r.stdout);
    expect(report.verdict).toBe('pass');
    const capacityChecks = report.steadyState.checks.filter((c) => c.name === 'in-service == desired' || c.name === 'all targets healthy');
    expect(capacityChecks.map((c) => c.detail)).toEqual(['6/6 units InService (4 instances)', '6/6 units healthy in every target group']);
    // Samples carry the units InService; the lost victim shows as units short in the timeline.
    expect(report.capacity.samples.every((s) => typeof s.capacity === 'number')).toBe(true);
    expect(report.timeline.find((e) => e.event === 'capacity-lost')?.detail).toMatch(/units/);
    expect(report.recovery?.capacityRecoveredMs).toEqual(expect.any(Number));
    expect(report.contaminated).toBeUndefined();
  });

  it('blackhole-az: passes; floors are kept in units', async () => {
    const r = await cliFor(t.emb)(blackholeArgs(t.dir, '--yes', '--json', '--duration', '3s', '--seed', 'weighted-blackhole'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/desired 6 units, InService 6 units \(4 instances\)/);
    const report = reportOf(r.stdout);
    expect(report.verdict).toBe('pass');
    expect(report.rollback?.status).toBe('complete');
    // Members churned in the dark AZ are the experiment's own doing: not a contamination.
    expect(report.contaminated).toBeUndefined();
  });
});

describe('scheduled actions and Spot interruptions on a plain group', { timeout: 180_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-e2e-groups-');
  const group = () => t.emb.stack.asgName;

  settleBeforeEachTest(t);

  it('a scheduled action lowers desired mid-run: desired-changed in the timeline, and the run recovers against the new desired', async () => {
    try {
      const r = await runWithHook(
        cliFor(t.emb),
        fastRunArgs(t.dir, '--yes', '--json', '--seed', 'scheduled'),
        async () => {
          await t.clients.asg.send(
            new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: group(), ScheduledActionName: 'lower', StartTime: new Date(Date.now() + 1000), DesiredCapacity: 3 }),
          );
        },
        /fault-injected/,
      );
      expect(r.code, r.stderr).toBe(0);
      const report = reportOf(r.stdout);
      expect(report.timeline.find((e) => e.event === 'desired-changed')).toMatchObject({ from: 4, to: 3, detail: 'desired 4 → 3' });
      expect(report.recovery?.capacityRecovered).toBe(true);
    } finally {
      await t.clients.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group(), DesiredCapacity: 4 }));
    }
  });

  it('a Spot interruption of a member that is not a victim: contaminated, with the cause, and the verdict says so', async () => {
    let spot: string | undefined;
    const r = await runWithHook(
      cliFor(t.emb),
      fastRunArgs(t.dir, '--yes', '--json', '--seed', 'spot'),
      async (_child, text) => {
        const victims = /fault-injected {2}terminate-instances: (.*)/.exec(text())?.[1] ?? '';
        spot = (await members(t)).map((i) => i.InstanceId!).find((id) => !victims.includes(id));
        const base = `${t.emb.sandbox.endpoint}/_sandbox/instances/${spot}`;
        await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instanceLifecycle: 'spot' }) });
        const res = await fetch(`${base}/spot-interruption`, { method: 'POST' });
        expect(res.status).toBe(200);
      },
      /fault-injected {2}terminate-instances: /,
    );
    expect(spot).toMatch(/^i-/);
    const report = reportOf(r.stdout);
    // The gates decide the exit code (the group recovered): the contamination is in the reason and the report.
    expect(r.code, r.stderr).toBe(0);
    expect(report.contaminated).toMatchObject({ instanceId: spot, cause: expect.stringMatching(/EC2 health check indicating it has been terminated or stopped/) });
    expect(report.reason).toMatch(new RegExp(`the run was contaminated: ${spot} was lost`));
    expect(report.timeline.some((e) => e.event === 'scaling-activity' && e.instanceId === spot)).toBe(true);
    expect(r.stderr).toMatch(/contaminated/);
  });
});
