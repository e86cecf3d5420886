/**
 * terminate-instances in-process: the whole loop (inject → observe until the real group recovered), the
 * recovery timeout, and the interrupt and AWS-error points around the one mutating call — asserted from what
 * the runner did and from the sandbox's ground truth (who was terminated, when).
 */
import { describe, expect, it } from 'vitest';
import { describeInstancesById } from '../../src/faults/stop-instances/ec2.js';
import { useInProcessSuite } from '../helpers/run-harness.js';

describe('terminate-instances (in-process, sandbox ground truth)', () => {
  const suite = useInProcessSuite({ instances: 4, azs: 3 });

  const terminated = () => suite.sb.events(suite.seq).flatMap((e) => (e.type === 'instance-state' && e.to === 'shutting-down' ? [e.instanceId] : []));

  it('recovers: the planned victim and only it is terminated, the run observes the real replacement and passes (exit 0)', async () => {
    const r = await suite.sb.runInProcess({ recoveryTimeout: '10m' });
    expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    expect(r.report?.verdict).toBe('pass');
    const victim = r.report!.fault!.targets[0]!.instanceId;
    expect(terminated()).toEqual([victim]);
    expect(r.report?.recovery?.capacityRecovered).toBe(true);
    expect(r.report?.rollback?.status).toBe('not-needed');
    // The capacity story, from the real watcher's polls, in order.
    const order = ['fault-injected', 'capacity-lost', 'replacement-launched', 'instance-inservice', 'capacity-restored'];
    const idx = order.map((ev) => r.timeline.indexOf(ev));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    // The unwind runs on every path, here with nothing registered (rollback not-needed).
    expect(r.phases).toEqual(['discover', 'baseline', 'inject', 'observe', 'rollback']);
    expect(r.journal.map((e) => `${e.type}${e.action ? ` ${e.action}` : ''}`)).toEqual([
      'plan',
      'intent autoscaling:CreateOrUpdateTags',
      'intent ec2:CreateTags',
      'done ec2:CreateTags',
      'intent ec2:TerminateInstances',
      'done ec2:TerminateInstances',
      'end',
    ]);
  });

  it('interrupted while observing: stops at once, 130, the report says nothing is left injected', async () => {
    const r = await suite.sb.runInProcess({}, { on: (e, h) => e.type === 'phase' && e.phase === 'observe' && h.abort() });
    expect(r.outcome?.exitCode).toBe(130);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toBe('interrupted by the operator; nothing is left injected (terminated instances are replaced by Auto Scaling)');
    expect(terminated()).toEqual([r.report!.fault!.targets[0]!.instanceId]);
  });

  it('interrupted as injection begins: the victims are not even tagged, nothing terminated, 130 "nothing was injected"', async () => {
    const r = await suite.sb.runInProcess({}, { on: (e, h) => e.type === 'phase' && e.phase === 'inject' && h.abort() });
    expect(r.outcome?.exitCode).toBe(130);
    expect(r.report?.reason).toBe('interrupted before tagging the instances; stopping; nothing was injected');
    expect(terminated()).toEqual([]);
    expect(r.journal.map((e) => `${e.type}${e.action ? ` ${e.action}` : ''}`)).toEqual(['plan', 'intent autoscaling:CreateOrUpdateTags', 'intent ec2:CreateTags', 'end']);
  });

  it('TerminateInstances itself fails (AWS error): exit 5, verdict error, nothing terminated (the victims carry only the tags)', async () => {
    const r = await suite.sb.runInProcess({}, { on: (e, h) => e.type === 'phase' && e.phase === 'inject' && h.setKnobs({ failActions: ['TerminateInstances'] }) });
    expect(r.outcome?.exitCode).toBe(5);
    expect(r.report?.verdict).toBe('error');
    expect(r.report?.reason).toMatch(/TerminateInstances: ServiceUnavailable/);
    expect(terminated()).toEqual([]);
    const victim = r.report!.fault!.targets[0]!.instanceId;
    const info = await describeInstancesById(suite.sb.clients.ec2, [victim], 'observe');
    expect(info.get(victim)?.state).toBe('running');
    expect(info.get(victim)?.tags['chaos-ec2:experiment-id']).toBe(r.report!.id);
  });

  // Last: the unhealthy replacement it leaves takes the group a while to replace.
  it("a replacement that never becomes healthy: the recovery deadline (on the run's clock) ends it: exit 1, not recovered", async () => {
    suite.sb.emb.sandbox.ctx.knobs.replacementUnhealthy = true;
    try {
      const r = await suite.sb.runInProcess({ recoveryTimeout: '20s' });
      expect(r.outcome?.exitCode).toBe(1);
      expect(r.report?.verdict).toBe('fail');
      expect(r.report?.reason).toBe('not recovered within --recovery-timeout 20s');
      expect(r.report?.recovery?.capacityRecovered).toBe(false);
      expect(r.report?.gates.find((g) => g.name === 'capacity recovered')?.pass).toBe(false);
      const timeout = r.report!.timeline.find((t) => t.event === 'recovery-timeout')!;
      expect(timeout.atMs).toBeGreaterThanOrEqual(20_000);
      expect(timeout.atMs).toBeLessThan(20_000 + 200);
      expect(terminated()).toEqual([r.report!.fault!.targets[0]!.instanceId]);
    } finally {
      suite.sb.emb.sandbox.ctx.knobs.replacementUnhealthy = false;
    }
  });
});
