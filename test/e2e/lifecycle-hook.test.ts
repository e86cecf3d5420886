/**
 * End to end (issue 11 acceptance), the real binary against a sandbox on port 0: a launch lifecycle hook
 * completed by the test acting as the operator — the timeline shows the replacement in Pending:Wait, then
 * InService, and the capacity breakdown accounts for the wait (lifecycleWaitMs); and one nobody completes:
 * the recovery timeout names the held member, the hook and its heartbeat.
 */
import { CompleteLifecycleActionCommand, DeleteLifecycleHookCommand, PutLifecycleHookCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { cliFor, fastRunArgs, runWithHook, settleBeforeEachTest } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const reportOf = (stdout: string): Report => JSON.parse(stdout) as Report;

describe('launch lifecycle hooks', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-e2e-hooks-');
  const group = () => t.emb.stack.asgName;

  settleBeforeEachTest(t);

  it('a launch hook completed by the operator: Pending:Wait then InService in the timeline, the wait in the breakdown', async () => {
    await t.clients.asg.send(
      new PutLifecycleHookCommand({ AutoScalingGroupName: group(), LifecycleHookName: 'warm-up', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 300 }),
    );
    let held: string | undefined;
    try {
      // The operator completes the action once the run has seen the replacement held (its live timeline line).
      const r = await runWithHook(
        cliFor(t.emb),
        fastRunArgs(t.dir, '--yes', '--json', '--seed', 'hooked', '--recovery-timeout', '60s'),
        async (_child, text) => {
          held = /(?:replacement-launched|lifecycle) (i-[0-9a-f]+) +(?:Pending → )?Pending:Wait/.exec(text())?.[1];
          await t.clients.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: group(), LifecycleHookName: 'warm-up', LifecycleActionResult: 'CONTINUE', InstanceId: held }));
        },
        /(?:replacement-launched|lifecycle) i-[0-9a-f]+ +(?:Pending → )?Pending:Wait/,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(held).toMatch(/^i-/);
      const report = reportOf(r.stdout);
      const mine = report.timeline.filter((e) => e.instanceId === held);
      const waitAt = mine.findIndex((e) => e.to === 'Pending:Wait');
      const inServiceAt = mine.findIndex((e) => e.event === 'instance-inservice');
      expect(waitAt).toBeGreaterThanOrEqual(0);
      expect(inServiceAt).toBeGreaterThan(waitAt);
      expect(mine.some((e) => e.event === 'lifecycle' && e.from === 'Pending:Wait')).toBe(true);
      expect(report.recovery?.breakdown.lifecycleWaitMs).toBeGreaterThan(0);
      expect(report.recovery!.breakdown.lifecycleWaitMs!).toBeLessThanOrEqual(report.recovery!.capacityRecoveredMs!);
    } finally {
      await t.clients.asg.send(new DeleteLifecycleHookCommand({ AutoScalingGroupName: group(), LifecycleHookName: 'warm-up' }));
    }
  });

  it('a launch hook nobody completes: the recovery timeout names the held member, the hook and its heartbeat', async () => {
    await t.clients.asg.send(
      new PutLifecycleHookCommand({ AutoScalingGroupName: group(), LifecycleHookName: 'stuck', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 300 }),
    );
    let report: Report | undefined;
    try {
      const r = await cliFor(t.emb)(fastRunArgs(t.dir, '--yes', '--json', '--seed', 'stuck-hook', '--recovery-timeout', '6s'));
      expect(r.code, r.stderr).toBe(1);
      report = reportOf(r.stdout);
      const blocked = /(i-[0-9a-f]+) in Pending:Wait, held by launch hook 'stuck' \(heartbeat 300s, then ABANDON\)/;
      expect(report.reason).toMatch(/^not recovered within --recovery-timeout 6s; blocked by: /);
      expect(report.reason).toMatch(blocked);
      expect(report.recoveryBlocked?.some((b) => blocked.test(b))).toBe(true);
      expect(report.timeline.find((e) => e.event === 'recovery-timeout')?.detail).toMatch(blocked);
    } finally {
      // The operator lets the held replacement go on, so the group is whole for the next test.
      const held = report?.recoveryBlocked?.map((b) => /^(i-[0-9a-f]+) in Pending:Wait/.exec(b)?.[1]).filter((id): id is string => !!id) ?? [];
      for (const id of held) {
        await t.clients.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: group(), LifecycleHookName: 'stuck', LifecycleActionResult: 'CONTINUE', InstanceId: id }));
      }
      await t.clients.asg.send(new DeleteLifecycleHookCommand({ AutoScalingGroupName: group(), LifecycleHookName: 'stuck' }));
    }
  });
});
