import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/sandbox/api/errors.js';
import type { Reconciler } from '../../src/sandbox/reconciler.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

describe('Auto Scaling reconciler', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  beforeAll(async () => {
    sb = await startTestSandbox();
    fx = await buildWorld(sb.ctx, { desired: 6 });
    await waitForSteadyState(sb.ctx, fx, 6);
  });
  afterAll(() => sb.close());

  const members = () => sb.world.membersOf(fx.asgName);
  const live = () => members().filter((m) => m.lifecycleState === 'InService');
  /** Resolves once the reconciler has completed `n` more passes over the groups. */
  const reconcilePasses = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const reconciler = sb.ctx.autoscaling as Reconciler;
      const original = reconciler.pass.bind(reconciler);
      let done = 0;
      const spy = vi.spyOn(reconciler, 'pass').mockImplementation(() => {
        original();
        if (++done < n) return;
        spy.mockRestore();
        resolve();
      });
    });

  it('launched the group evenly over its AZs, tagged, with capacity-increase activities that succeeded', () => {
    const perAz = new Map<string, number>();
    for (const m of members()) perAz.set(m.availabilityZone, (perAz.get(m.availabilityZone) ?? 0) + 1);
    expect([...perAz.values()]).toEqual([2, 2, 2]);
    const launches = sb.world.activities.filter((a) => a.description.startsWith('Launching a new EC2 instance: i-'));
    expect(launches).toHaveLength(6);
    expect(launches.every((a) => a.statusCode === 'Successful' && a.progress === 100 && a.endTime)).toBe(true);
    expect(launches[0]!.cause).toMatch(/difference between desired and actual capacity, increasing the capacity from 0 to 6\.$/);
    const id = members()[0]!.instanceId;
    expect(sb.world.tagsOf(id).get('aws:autoscaling:groupName')).toBe(fx.asgName);
    expect(sb.world.tagsOf(id).get('chaos-ec2:allowed')).toBe('true');
  });

  it('terminateInGroup refuses an instance that is not a member', () => {
    let err: unknown;
    try {
      sb.ctx.autoscaling.terminateInGroup('i-0000000000000000f', false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('ValidationError');
    expect((err as ApiError).message).toMatch(/No managed instance found for instance ID: i-0000000000000000f/);
  });

  it('terminateInGroup with decrement lowers desired capacity and launches no replacement', async () => {
    const victim = live().at(-1)!.instanceId;
    const from = sb.world.events().at(-1)!.seq;
    const activity = sb.ctx.autoscaling.terminateInGroup(victim, true);
    expect(activity.description).toBe(`Terminating EC2 instance: ${victim}`);
    expect(activity.cause).toMatch(new RegExp(`instance ${victim} was taken out of service in response to a user request, shrinking the capacity from 6 to 5\\.$`));
    expect(fx.asg.desiredCapacity).toBe(5);
    expect(members().find((m) => m.instanceId === victim)!.lifecycleState).toBe('Terminating');
    // Deregistered first: its target drains before EC2 terminates the instance.
    await sb.waitForEvent((e) => e.seq > from && e.type === 'target-health' && e.targetId === victim && e.to === 'draining');
    await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.instanceId === victim && e.to === 'Terminated');
    expect(activity.statusCode).toBe('Successful');
    expect(sb.world.events(from).some((e) => e.type === 'activity' && e.statusCode === 'WaitingForELBConnectionDraining')).toBe(true);
    await waitForSteadyState(sb.ctx, fx, 5);
    expect(sb.world.events(from).some((e) => e.type === 'activity' && e.description.startsWith('Launching'))).toBe(false);
  });

  it('terminateInGroup refuses to decrement below the minimum size', () => {
    fx.asg.minSize = 5;
    expect(() => sb.ctx.autoscaling.terminateInGroup(live()[0]!.instanceId, true)).toThrow(/violate group's min size constraint/);
    expect(fx.asg.desiredCapacity).toBe(5);
    fx.asg.minSize = 1;
  });

  it('without decrement a replacement is launched; a failing launch is recorded Failed and retried', async () => {
    sb.ctx.knobs.replacementLaunchFails = true;
    const from = sb.world.events().at(-1)!.seq;
    sb.ctx.autoscaling.terminateInGroup(live()[0]!.instanceId, false);
    const failed = await sb.waitForEvent((e) => e.seq > from && e.type === 'activity' && e.statusCode === 'Failed');
    const act = sb.world.activities.find((a) => a.activityId === (failed.type === 'activity' && failed.activityId))!;
    expect(act.statusMessage).toMatch(/We currently do not have sufficient t3.micro capacity/);
    expect(act.description).toMatch(/^Launching a new EC2 instance\. {2}Status Reason:/);
    sb.ctx.knobs.replacementLaunchFails = false;
    await sb.waitForEvent((e) => e.seq > failed.seq && e.type === 'activity' && e.statusCode === 'Successful' && e.description.startsWith('Launching'));
    await waitForSteadyState(sb.ctx, fx, 5);
  });

  it('a suspended Launch process stops launches until resumed; scale-in terminates the newest', async () => {
    fx.asg.suspendedProcesses.set('Launch', 'User suspended at 2024-01-01T00:00:00Z');
    fx.asg.desiredCapacity = 6;
    sb.ctx.autoscaling.nudge();
    const from = sb.world.events().at(-1)!.seq;
    // Proving an absence: let four reconcile passes run (there is no event to await for "nothing happened").
    // Counted, not assumed from elapsed time: on a loaded machine four tick lengths may hold fewer passes.
    await reconcilePasses(4);
    expect(sb.world.events(from).some((e) => e.type === 'activity')).toBe(false);
    fx.asg.suspendedProcesses.delete('Launch');
    sb.ctx.autoscaling.nudge();
    await waitForSteadyState(sb.ctx, fx, 6);

    const newest = [...live()].sort((a, b) => b.launchedAt - a.launchedAt)[0]!.instanceId;
    fx.asg.desiredCapacity = 5;
    sb.ctx.autoscaling.nudge();
    const term = await sb.waitForEvent((e) => e.type === 'activity' && e.description.startsWith('Terminating') && e.seq > from && e.cause.includes('shrinking the capacity from 6 to 5'));
    expect(term.type === 'activity' && term.description).toBe(`Terminating EC2 instance: ${newest}`);
    await waitForSteadyState(sb.ctx, fx, 5);
  });
});
