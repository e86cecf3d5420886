/**
 * Causes, in-process against the sandbox: a member lost that the experiment did not cause contaminates the run
 * (with Auto Scaling's own cause), and a recovery timeout names what blocked it — asserted from what the
 * runner did (exit code, verdict reason, report, timeline), the sandbox doing what AWS would.
 */
import { ResumeProcessesCommand, SuspendProcessesCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { useInProcessSuite } from '../helpers/run-harness.js';

describe('causes: contaminated runs and what blocked a recovery (in-process)', () => {
  const suite = useInProcessSuite({ instances: 4, azs: 3 });
  const asgName = () => suite.sb.emb.stack.asgName;

  it('another operator terminates a member mid-run: contaminated with the activity cause; the gates still decide the exit code', async () => {
    let other: string | undefined;
    const r = await suite.sb.runInProcess(
      { recoveryTimeout: '60s' },
      {
        on: (e, h) => {
          if (e.type !== 'timeline' || e.entry.event !== 'fault-injected' || other) return;
          const victim = h.sb.emb.sandbox.world.membersOf(asgName()).find((m) => !String(e.entry.detail).includes(m.instanceId));
          other = victim!.instanceId;
          h.pauseWhile(h.sb.clients.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: other, ShouldDecrementDesiredCapacity: false })));
        },
      },
    );
    expect(other).toMatch(/^i-/);
    expect(r.report!.fault!.targets.map((t) => t.instanceId)).not.toContain(other);
    // Recovered and every gate passed: exit 0 — but the verdict's reason says the run was contaminated.
    expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    expect(r.report?.verdict).toBe('pass');
    expect(r.report?.contaminated).toMatchObject({ instanceId: other, cause: expect.stringMatching(/was taken out of service in response to a user request/) });
    expect(r.report?.contaminated?.atMs).toBeGreaterThanOrEqual(0);
    expect(r.report?.reason).toMatch(new RegExp(`the run was contaminated: ${other} was lost at \\+.*, not by this experiment \\(At .* user request`));
    // The timeline carries Auto Scaling's account (once per activity) and the contamination itself.
    const activities = r.report!.timeline.filter((t) => t.event === 'scaling-activity');
    expect(activities.some((a) => a.instanceId === other && /user request/.test(String(a.cause)))).toBe(true);
    expect(new Set(activities.map((a) => a.activityId)).size).toBe(activities.length);
    expect(r.timeline).toContain('contaminated');
    // The victim's own loss is the experiment's: it is not what contaminated the run.
    expect(r.report!.timeline.filter((t) => t.event === 'contaminated').map((t) => t.instanceId)).toEqual([other]);
  });

  it('launches fail (insufficient capacity): the timeout names the failed launches and their message, in the timeline and the reason', async () => {
    suite.sb.emb.sandbox.ctx.knobs.replacementLaunchFails = true;
    try {
      const r = await suite.sb.runInProcess({ recoveryTimeout: '20s' });
      expect(r.outcome?.exitCode).toBe(1);
      expect(r.report?.verdict).toBe('fail');
      expect(r.report?.reason).toMatch(/^not recovered within --recovery-timeout 20s; blocked by: \d+ launch\(es\) failed: We currently do not have sufficient .* capacity/);
      expect(r.report?.recoveryBlocked?.[0]).toMatch(/launch\(es\) failed/);
      const timeout = r.report!.timeline.find((t) => t.event === 'recovery-timeout')!;
      expect(timeout.detail).toMatch(/blocked by: .*launch\(es\) failed/);
      expect(r.report!.timeline.some((t) => t.event === 'scaling-activity' && t.statusCode === 'Failed')).toBe(true);
      expect(r.report?.contaminated).toBeUndefined();
    } finally {
      suite.sb.emb.sandbox.ctx.knobs.replacementLaunchFails = false;
    }
  });

  it('Launch suspended mid-run: the timeout names the suspended process', async () => {
    const group = asgName();
    try {
      const r = await suite.sb.runInProcess(
        { recoveryTimeout: '20s' },
        {
          on: (e, h) => {
            if (e.type === 'timeline' && e.entry.event === 'fault-injected')
              h.pauseWhile(h.sb.clients.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: group, ScalingProcesses: ['Launch'] })));
          },
        },
      );
      expect(r.outcome?.exitCode).toBe(1);
      expect(r.report?.reason).toMatch(/^not recovered within --recovery-timeout 20s; blocked by: .*suspended processes: Launch/);
      expect(r.report?.recoveryBlocked).toContain('suspended processes: Launch');
    } finally {
      await suite.sb.clients.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: group, ScalingProcesses: ['Launch'] }));
    }
  });
});

describe('losses the experiment brought about are not contamination (in-process)', () => {
  const suite = useInProcessSuite({ instances: 4, azs: 3 });

  it('a replacement that fails its health checks and is replaced in turn: the recovery failing, not a contamination', async () => {
    // The demo group uses ELB health checks: it replaces a member its target group finds unhealthy, after the grace period.
    suite.sb.emb.sandbox.ctx.knobs.replacementUnhealthy = true;
    try {
      const r = await suite.sb.runInProcess({ recoveryTimeout: '100s' });
      expect(r.outcome?.exitCode).toBe(1);
      // The replacement churned (lost, replaced again): the recovery failing, not something else acting.
      expect(r.report!.timeline.filter((t) => t.event === 'instance-lost').length).toBeGreaterThan(1);
      expect(r.report?.contaminated).toBeUndefined();
      expect(r.report?.reason).not.toMatch(/contaminated/);
    } finally {
      suite.sb.emb.sandbox.ctx.knobs.replacementUnhealthy = false;
    }
  });
});
