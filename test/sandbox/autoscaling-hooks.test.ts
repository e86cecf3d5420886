/**
 * Lifecycle hooks through the real SDK client: the hook API with its validation, a launch held in
 * Pending:Wait (running, not registered) until the operator completes it, the heartbeat timeout applying the
 * default result, a heartbeat extending the wait, and a terminate held in Terminating:Wait after deregistration.
 * The sandbox runs hook seconds at 10 ms (timings.hookSecondMs), so the API minimum of 30 s lasts 300 ms here.
 */
import {
  CompleteLifecycleActionCommand,
  DeleteLifecycleHookCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  PutLifecycleHookCommand,
  RecordLifecycleActionHeartbeatCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { createTestGroup, type TestGroup } from '../helpers/asg-group.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

type Lifecycle = Extract<SandboxEvent, { type: 'asg-lifecycle' }>;
const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const HOOK_SECOND_MS = 10;

describe('sandbox Auto Scaling lifecycle hooks', () => {
  let sb: TestSandbox;
  let g: TestGroup;

  beforeAll(async () => {
    sb = await startTestSandbox({ timings: { hookSecondMs: HOOK_SECOND_MS } });
    g = await createTestGroup(sb, { name: 'hooked', desired: 2, max: 4 });
  });
  afterAll(() => sb.close());

  const putHook = (name: string, transition: string, extra: { HeartbeatTimeout?: number; DefaultResult?: string } = {}) =>
    sb.asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: g.name, LifecycleHookName: name, LifecycleTransition: transition, ...extra }));
  const deleteHook = (name: string) => sb.asg.send(new DeleteLifecycleHookCommand({ AutoScalingGroupName: g.name, LifecycleHookName: name }));
  const inService = () => sb.world.membersOf(g.name).filter((m) => m.lifecycleState === 'InService');
  /** Replaces one InService member (terminate without decrement) and resolves with the replacement's id once it reaches `state`. */
  async function replaceOne(state: Lifecycle['to']): Promise<{ victim: string; replacement: string; from: number }> {
    const from = sb.world.events().at(-1)!.seq;
    const victim = inService()[0]!.instanceId;
    await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
    const e = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.asgName === g.name && e.instanceId !== victim && e.to === state)) as Lifecycle;
    return { victim, replacement: e.instanceId, from };
  }
  const registered = async (instanceId: string) =>
    ((await sb.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.targetGroupArn }))).TargetHealthDescriptions ?? []).some((d) => d.Target?.Id === instanceId);
  const activityOf = async (instanceId: string) =>
    ((await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.name }))).Activities ?? []).find(
      (a) => a.Description?.endsWith(instanceId) && a.Description.startsWith('Launching'),
    );

  it('puts, describes and deletes hooks with AWS defaults, and refuses invalid ones', async () => {
    await putHook('on-launch', LAUNCHING);
    await putHook('on-terminate', TERMINATING, { HeartbeatTimeout: 120, DefaultResult: 'CONTINUE' });
    const all = (await sb.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: g.name }))).LifecycleHooks!;
    expect(all).toEqual([
      { LifecycleHookName: 'on-launch', AutoScalingGroupName: g.name, LifecycleTransition: LAUNCHING, HeartbeatTimeout: 3600, GlobalTimeout: 172800, DefaultResult: 'ABANDON' },
      { LifecycleHookName: 'on-terminate', AutoScalingGroupName: g.name, LifecycleTransition: TERMINATING, HeartbeatTimeout: 120, GlobalTimeout: 12000, DefaultResult: 'CONTINUE' },
    ]);
    const named = await sb.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: g.name, LifecycleHookNames: ['on-terminate', 'nope'] }));
    expect(named.LifecycleHooks!.map((h) => h.LifecycleHookName)).toEqual(['on-terminate']);

    await expectAwsError(putHook('short', LAUNCHING, { HeartbeatTimeout: 10 }), 'ValidationError');
    await expectAwsError(putHook('maybe', LAUNCHING, { DefaultResult: 'MAYBE' }), 'ValidationError');
    await expectAwsError(putHook('sideways', 'autoscaling:EC2_INSTANCE_SIDEWAYS'), 'ValidationError');
    await expectAwsError(putHook('bad name!', LAUNCHING), 'ValidationError');
    await expectAwsError(sb.asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'no-transition' })), 'MissingParameter');
    await expectAwsError(sb.asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'no-such-group', LifecycleHookName: 'x', LifecycleTransition: LAUNCHING })), 'ValidationError');
    const missing = await expectAwsError(
      sb.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'on-launch', LifecycleActionResult: 'CONTINUE', InstanceId: g.members[0] })),
      'ValidationError',
    );
    expect(missing.message).toBe(`No active Lifecycle Action found with instance ID ${g.members[0]}`);

    await deleteHook('on-launch');
    await deleteHook('on-terminate');
    await expectAwsError(deleteHook('on-launch'), 'ValidationError');
    expect((await sb.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: g.name }))).LifecycleHooks).toEqual([]);
  });

  it('a launch hook holds the replacement in Pending:Wait, running but unregistered, until CompleteLifecycleAction(CONTINUE)', async () => {
    await putHook('warm-up', LAUNCHING, { HeartbeatTimeout: 3600 });
    const { replacement, from } = await replaceOne('Pending:Wait');
    expect(sb.world.instances.get(replacement)!.state).toBe('running');
    const described = await sb.asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [replacement] }));
    expect(described.AutoScalingInstances![0]!.LifecycleState).toBe('Pending:Wait');
    expect(await registered(replacement)).toBe(false);
    const waiting = await activityOf(replacement);
    expect(waiting).toMatchObject({ StatusCode: 'MidLifecycleAction' });
    expect(waiting!.StatusMessage).toContain('warm-up');

    await sb.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'warm-up', LifecycleActionResult: 'CONTINUE', InstanceId: replacement }));
    await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'InService');
    const steps = sb.world.events(from).filter((e): e is Lifecycle => e.type === 'asg-lifecycle' && e.instanceId === replacement);
    expect(steps.map((e) => e.to)).toEqual(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);
    // Registered only after the wait: the first target-health event for it comes after Pending:Proceed.
    const registeredAt = sb.world.events(from).find((e) => e.type === 'target-health' && e.targetId === replacement)!;
    expect(registeredAt.seq).toBeGreaterThan(steps[2]!.seq);
    expect(await registered(replacement)).toBe(true);
    expect(await activityOf(replacement)).toMatchObject({ StatusCode: 'Successful' });
    await expectAwsError(
      sb.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'warm-up', LifecycleActionResult: 'CONTINUE', InstanceId: replacement })),
      'ValidationError',
    );
    await deleteHook('warm-up');
  });

  it('the heartbeat timeout applies DefaultResult ABANDON: the instance is terminated and Auto Scaling launches another', async () => {
    await putHook('never-answers', LAUNCHING, { HeartbeatTimeout: 30 });
    const { replacement, from } = await replaceOne('Pending:Wait');
    const waitAt = sb.world.events(from).find((e) => e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'Pending:Wait')!.atMs;
    const abandoned = await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'Terminating');
    expect(abandoned.atMs - waitAt).toBeGreaterThanOrEqual(30 * HOOK_SECOND_MS);
    // Stop the hook before the next launch waits on it too, then see that next launch happen.
    await deleteHook('never-answers');
    const activity = await activityOf(replacement);
    expect(activity).toMatchObject({ StatusCode: 'Cancelled' });
    expect(activity!.StatusMessage).toMatch(/^Instance failed to complete user's Lifecycle Action: Lifecycle Action with token \S+ for hook never-answers: Heartbeat Timeout/);
    await sb.waitForEvent((e) => e.seq > abandoned.seq && e.type === 'asg-lifecycle' && e.asgName === g.name && e.from === null && e.to === 'Pending');
    await sb.waitForEvent((e) => e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'Terminated');
    expect(sb.world.instances.get(replacement)!.state).toBe('terminated');
    expect(sb.world.asgInstances.has(replacement)).toBe(false);
    await sb.waitForEvent(() => inService().length === 2);
  });

  it('RecordLifecycleActionHeartbeat (by the token the state dump shows) restarts the heartbeat timer', async () => {
    await putHook('slow-boot', LAUNCHING, { HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' });
    const { replacement, from } = await replaceOne('Pending:Wait');
    const waitAt = sb.world.events(from).find((e) => e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'Pending:Wait')!.atMs;
    // The token a notification target would get, from the state dump.
    const state = (await (await fetch(`${sb.endpoint}/_sandbox/state`)).json()) as { lifecycleActions: { instanceId: string; lifecycleHookName: string; lifecycleActionToken: string }[] };
    const action = state.lifecycleActions.find((a) => a.instanceId === replacement)!;
    expect(action.lifecycleHookName).toBe('slow-boot');
    const wrong = await expectAwsError(
      sb.asg.send(new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'slow-boot', LifecycleActionToken: 'not-a-token' })),
      'ValidationError',
    );
    expect(wrong.message).toBe('No active Lifecycle Action found with token not-a-token');
    // Half-way through the 600 ms heartbeat, the operator asks for more time.
    await new Promise((r) => setTimeout(r, 300));
    const heartbeatAt = Date.now();
    await sb.asg.send(new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'slow-boot', LifecycleActionToken: action.lifecycleActionToken }));
    const proceed = await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'Pending:Proceed');
    expect(proceed.atMs).toBeGreaterThanOrEqual(heartbeatAt + 60 * HOOK_SECOND_MS);
    expect(proceed.atMs - waitAt).toBeGreaterThan(60 * HOOK_SECOND_MS + 250);
    await sb.waitForEvent((e) => e.seq > proceed.seq && e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'InService');
    await deleteHook('slow-boot');
  });

  it('a terminating hook holds the instance in Terminating:Wait after deregistration until it is completed', async () => {
    await putHook('drain-logs', TERMINATING, { HeartbeatTimeout: 3600 });
    const from = sb.world.events().at(-1)!.seq;
    const victim = inService()[0]!.instanceId;
    await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: true }));
    const wait = await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.instanceId === victim && e.to === 'Terminating:Wait');
    const draining = sb.world.events(from).find((e) => e.type === 'target-health' && e.targetId === victim && e.to === 'draining')!;
    expect(draining.seq).toBeLessThan(wait.seq);
    expect(sb.world.instances.get(victim)!.state).toBe('running');
    const activities = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: g.name }))).Activities!;
    expect(activities.find((a) => a.Description === `Terminating EC2 instance: ${victim}`)).toMatchObject({ StatusCode: 'MidLifecycleAction' });

    await sb.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: g.name, LifecycleHookName: 'drain-logs', LifecycleActionResult: 'CONTINUE', InstanceId: victim }));
    await sb.waitForEvent((e) => e.seq > wait.seq && e.type === 'asg-lifecycle' && e.instanceId === victim && e.to === 'Terminated');
    const steps = sb.world.events(from).filter((e): e is Lifecycle => e.type === 'asg-lifecycle' && e.instanceId === victim);
    expect(steps.map((e) => e.to)).toEqual(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated']);
    expect(sb.world.instances.get(victim)!.state).toBe('terminated');
  });
});
