import {
  DeleteScheduledActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScheduledActionsCommand,
  PutScheduledUpdateGroupActionCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, steadyGroup, twoZoneNetwork, until } from '../helpers/asg-shapes.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Scheduled actions through the real SDK: a one-time action a few seconds ahead lowers desired at its time
 * (desired-changed ground truth, AWS's Cause on the terminations it brings about) and is then gone; a
 * suspended ScheduledActions process skips it; validation and recurrence as AWS does them.
 */
describe('sandbox Auto Scaling: scheduled actions', () => {
  let sb: TestSandbox;
  let subnets: string[];
  const soon = (ms: number) => new Date(Date.now() + ms);
  const listActions = async (name: string) => (await sb.asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: name }))).ScheduledUpdateGroupActions ?? [];
  const desiredOf = async (name: string) => (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!.DesiredCapacity;

  const groupOf = (name: string, desired: number) => steadyGroup(sb, { name, template: 'sched', subnets, desired, maxSize: 6 });

  beforeAll(async () => {
    sb = await startTestSandbox();
    ({ subnets } = await twoZoneNetwork(sb, 'sched'));
  });
  afterAll(() => sb.close());

  it("lowers desired at its time, with a desired-changed event and AWS's Cause, and is then gone", async () => {
    await groupOf('nightly', 3);
    const at = soon(1500);
    await sb.asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'nightly', ScheduledActionName: 'scale-down', StartTime: at, DesiredCapacity: 1 }));
    const [listed] = await listActions('nightly');
    expect(listed).toMatchObject({ AutoScalingGroupName: 'nightly', ScheduledActionName: 'scale-down', DesiredCapacity: 1 });
    expect(listed!.StartTime!.getTime()).toBe(at.getTime());
    expect(listed!.ScheduledActionARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:scheduledUpdateGroupAction:[0-9a-f-]{36}:autoScalingGroupName\/nightly:scheduledActionName\/scale-down$/,
    );
    expect(listed!.MinSize).toBeUndefined();

    const changed = await sb.waitForEvent((e) => e.type === 'desired-changed' && e.asgName === 'nightly');
    expect(changed).toMatchObject({ from: 3, to: 1 });
    expect(changed.atMs).toBeGreaterThanOrEqual(at.getTime());
    expect(await desiredOf('nightly')).toBe(1);
    await until(sb, () => sb.world.membersOf('nightly').length === 1);
    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'nightly' }))).Activities!;
    const shrink = acts.filter((a) => a.Description?.startsWith('Terminating'));
    expect(shrink).toHaveLength(2);
    for (const a of shrink) {
      expect(a.Cause).toMatch(
        /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ a scheduled action update of AutoScalingGroup constraints to min: 0, max: 6, desired: 1 changing the desired capacity from 3 to 1\. {2}At \S+ an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 1\.$/,
      );
    }
    expect(await listActions('nightly')).toEqual([]);
  });

  it('skips an action whose time passes while ScheduledActions is suspended', async () => {
    await groupOf('held', 2);
    await sb.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'held', ScalingProcesses: ['ScheduledActions'] }));
    await sb.asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'held', ScheduledActionName: 'skipped', StartTime: soon(1000), DesiredCapacity: 0 }));
    // Gone from the list once its time has passed: skipped, not kept to run on resume.
    await poll(
      () => listActions('held'),
      (l) => l.length === 0,
    );
    expect(await desiredOf('held')).toBe(2);
    expect(sb.world.events().some((e) => e.type === 'desired-changed' && e.asgName === 'held')).toBe(false);
  });

  it("refuses a start time in the past and an action without sizes; deletes; shows a recurring action's next run", async () => {
    await groupOf('rules', 0);
    await expectAwsError(
      sb.asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'rules', ScheduledActionName: 'late', StartTime: new Date(Date.now() - 60_000), DesiredCapacity: 1 })),
      'ValidationError',
    );
    await expectAwsError(sb.asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'rules', ScheduledActionName: 'empty', StartTime: soon(60_000) })), 'ValidationError');
    await expectAwsError(
      sb.asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'rules', ScheduledActionName: 'cron', Recurrence: 'every day', MinSize: 1 })),
      'ValidationError',
    );
    await sb.asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'rules', ScheduledActionName: 'cron', Recurrence: '30 8 * * 1-5', MinSize: 1, MaxSize: 4 }));
    const [cron] = await listActions('rules');
    const state = (await (await fetch(`${sb.endpoint}/_sandbox/state`)).json()) as { scheduledActions: { name: string; recurrence?: string }[] };
    expect(state.scheduledActions).toContainEqual(expect.objectContaining({ name: 'cron', recurrence: '30 8 * * 1-5' }));
    expect(cron).toMatchObject({ Recurrence: '30 8 * * 1-5', MinSize: 1, MaxSize: 4 });
    const next = cron!.StartTime!;
    expect([next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()]).toEqual([8, 30, 0]);
    expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
    expect(next.getTime()).toBeGreaterThan(Date.now());
    await sb.asg.send(new DeleteScheduledActionCommand({ AutoScalingGroupName: 'rules', ScheduledActionName: 'cron' }));
    expect(await listActions('rules')).toEqual([]);
    await expectAwsError(sb.asg.send(new DeleteScheduledActionCommand({ AutoScalingGroupName: 'rules', ScheduledActionName: 'cron' })), 'ValidationError');
  });
});
