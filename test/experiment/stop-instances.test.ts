/**
 * stop-instances in-process: the rollback at the end of the hold starts a victim that is still stopped, and
 * treats a victim Auto Scaling has already replaced (terminated) as recovered; a failed StopInstances is
 * undone too (its rollback is registered before the call). The clock is held while the sandbox gets there,
 * so each case is reached by ground truth, not by a race.
 */
import { ResumeProcessesCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/index.js';
import { useInProcessSuite } from '../helpers/run-harness.js';

describe('stop-instances rollback (in-process, sandbox ground truth)', () => {
  const suite = useInProcessSuite({ instances: 4, azs: 3 });

  /** The victim's EC2 state changes since the test began, as "from -> to". */
  const story = (id: string) => suite.sb.events(suite.seq).flatMap((e) => (e.type === 'instance-state' && e.instanceId === id ? [`${e.from} -> ${e.to}`] : []));
  const stateIs = (id: string, to: string) => (e: SandboxEvent) => e.type === 'instance-state' && e.instanceId === id && e.to === to;
  const processes = (cmd: typeof SuspendProcessesCommand | typeof ResumeProcessesCommand) =>
    suite.sb.clients.asg.send(new cmd({ AutoScalingGroupName: suite.sb.emb.stack.asgName, ScalingProcesses: ['ReplaceUnhealthy'] }));

  it('a victim still stopped at the end of the hold is started by the rollback (ReplaceUnhealthy suspended, so the group keeps it)', async () => {
    await processes(SuspendProcessesCommand);
    try {
      let victim = '';
      const r = await suite.sb.runInProcess(
        // A group that cannot replace the victim on purpose: preflight would refuse it without the override.
        { fault: 'stop-instances', duration: '5s', allowSuspendedProcesses: true },
        {
          on: (e, h) => {
            if (e.type === 'plan') victim = e.plan.fault.targets[0]!.instanceId;
            // Hold the run's clock until the victim is really stopped: the rollback then finds it `stopped`.
            if (e.type === 'timeline' && e.entry.event === 'fault-injected') h.pauseWhile(suite.sb.waitFor(stateIs(victim, 'stopped')));
          },
        },
      );
      expect(r.report?.rollback?.status).toBe('complete');
      expect(r.report?.reason ?? '').not.toMatch(/rollback incomplete/);
      expect(r.report!.timeline.find((t) => t.event === 'victim-restarted')?.detail).toBe(`started ${victim}: stopped → pending`);
      // Ground truth: stopped by the fault, started by the rollback, the same instance running again.
      await suite.sb.waitFor(stateIs(victim, 'running'));
      expect(story(victim)).toEqual(['running -> stopping', 'stopping -> stopped', 'stopped -> pending', 'pending -> running']);
      expect(r.journal.filter((j) => j.type === 'rollback-intent').map((j) => [j.action, j.resources])).toEqual([['ec2:StartInstances', [victim]]]);
      expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    } finally {
      await processes(ResumeProcessesCommand);
    }
  });

  it('a victim Auto Scaling replaced during the hold counts as recovered: nothing is started, rollback complete, pass', async () => {
    let victim = '';
    const r = await suite.sb.runInProcess(
      { fault: 'stop-instances', duration: '5s', recoveryTimeout: '10m' },
      {
        on: (e, h) => {
          if (e.type === 'plan') victim = e.plan.fault.targets[0]!.instanceId;
          if (e.type === 'timeline' && e.entry.event === 'fault-injected') h.pauseWhile(suite.sb.waitFor(stateIs(victim, 'terminated')));
        },
      },
    );
    expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.report!.timeline.find((t) => t.event === 'victim-restarted')?.detail).toBe(`${victim}: terminated (replaced by Auto Scaling); nothing to start`);
    expect(story(victim)).toEqual(['running -> stopping', 'stopping -> stopped', 'stopped -> shutting-down', 'shutting-down -> terminated']);
    expect(r.journal.filter((j) => j.type === 'rollback-intent')).toEqual([]);
  });

  it('StopInstances fails (AWS error) after the rollback was registered: the unwind runs anyway and finds nothing stopped; exit 1, verdict error', async () => {
    const r = await suite.sb.runInProcess(
      { fault: 'stop-instances', duration: '5s' },
      {
        on: (e, h) => e.type === 'phase' && e.phase === 'inject' && h.setKnobs({ failActions: ['StopInstances'] }),
      },
    );
    expect(r.outcome?.exitCode).toBe(1);
    expect(r.report?.verdict).toBe('error');
    expect(r.report?.reason).toMatch(/StopInstances.*ServiceUnavailable.*; every victim still stopped was started again/);
    expect(r.report?.rollback?.status).toBe('complete');
    const victim = r.report!.fault!.targets[0]!.instanceId;
    expect(story(victim)).toEqual([]);
  });
});
