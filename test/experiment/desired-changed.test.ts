/**
 * Desired lowered mid-run (in-process, against the sandbox): the watcher records desired-changed (from → to)
 * and the run recovers against the new desired — healthy ≥ min(baseline, current desired) — instead of
 * waiting out the timeout for the baseline's healthy count (a false failure).
 */
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { useInProcessSuite } from '../helpers/run-harness.js';

describe('desired capacity changed mid-run (in-process)', () => {
  const suite = useInProcessSuite({ instances: 4, azs: 3 });

  it('SetDesiredCapacity 4 → 3 right after the terminate: desired-changed in the timeline, recovered, exit 0', async () => {
    const group = suite.sb.emb.stack.asgName;
    try {
      const r = await suite.sb.runInProcess(
        { recoveryTimeout: '60s' },
        {
          on: (e, h) => {
            if (e.type === 'timeline' && e.entry.event === 'fault-injected')
              h.pauseWhile(h.sb.clients.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: 3 })));
          },
        },
      );
      expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
      expect(r.report?.recovery?.capacityRecovered).toBe(true);
      expect(r.report!.timeline.find((e) => e.event === 'desired-changed')).toMatchObject({ from: 4, to: 3, detail: 'desired 4 → 3' });
      // Recovered at 3 healthy, below the baseline's 4: the lowered desired is what it was judged against.
      const restored = r.report!.timeline.find((e) => e.event === 'capacity-restored');
      expect(restored?.detail).toMatch(/^InService 3\/3, healthy 3/);
      expect(r.report?.capacity.baselineHealthy).toBe(4);
    } finally {
      await suite.sb.clients.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: 4 }));
    }
  });
});
