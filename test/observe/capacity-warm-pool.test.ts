/**
 * The watcher on a group with a warm pool (against the sandbox, through the real SDK): one DescribeWarmPool per
 * poll on top of the usual calls, warmed instances' own lifecycle states, and a replacement drawn from the
 * pool shown as such.
 */
import { AutoScalingClient, PutWarmPoolCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { diffCapacity, snapshotCapacity, type CapacityEvent, type CapacitySnapshot } from '../../src/observe/capacity-watch.js';
import { startEmbeddedSandbox, waitForSteadyState } from '../../src/sandbox/index.js';
import { clientConfig } from '../helpers/sandbox.js';

describe('capacity watcher on a warm-pool group', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('reads the warm pool each poll and shows a replacement that was warm as from the warm pool', async () => {
    const emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 2, azs: 2 } });
    closers.push(() => emb.close());
    const cfg = clientConfig(emb.sandbox.endpoint);
    const calls: string[] = [];
    const asg = new AutoScalingClient(cfg);
    (asg.middlewareStack as unknown as { add: (mw: unknown, o: unknown) => void }).add(
      (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) => (args: unknown) => {
        calls.push(ctx.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const clients = { asg, elb: new ElasticLoadBalancingV2Client(cfg), ec2: new EC2Client(cfg) };
    closers.push(() => Object.values(clients).forEach((c) => c.destroy()));
    await waitForSteadyState(clients, emb.stack, 30_000);
    const opts = { asgName: emb.stack.asgName, targetGroupArns: [emb.stack.targetGroupArn] };
    await clients.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: opts.asgName, MinSize: 1 }));

    // Poll as the watcher does until `match` is among the events a poll explains (bounded).
    const state = { lost: false, baselineHealthy: 2 };
    let prev: CapacitySnapshot = await snapshotCapacity(clients, opts);
    const all: CapacityEvent[] = [];
    const pollUntil = async (match: (e: CapacityEvent, before: CapacitySnapshot) => boolean): Promise<{ e: CapacityEvent; before: CapacitySnapshot }> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const cur = await snapshotCapacity(clients, opts);
        const before = prev;
        const events = diffCapacity(prev, cur, state);
        all.push(...events);
        prev = cur;
        const hit = events.find((e) => match(e, before));
        if (hit) return { e: hit, before };
        if (Date.now() > deadline) throw new Error(`no matching event; saw ${all.map((x) => x.event).join(', ')}`);
      }
    };
    // The pool fills: warmed instances' lifecycle steps are events too.
    await pollUntil((e) => e.event === 'lifecycle' && e.to === 'Warmed:Stopped');
    calls.length = 0;
    await snapshotCapacity(clients, opts);
    expect(calls.sort()).toEqual(['DescribeAutoScalingGroupsCommand', 'DescribeWarmPoolCommand']);

    const victim = [...prev.instances.keys()][0]!;
    await clients.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
    const { e, before } = await pollUntil((x) => x.event === 'replacement-launched');
    expect(before.warm?.has(e.instanceId!)).toBe(true);
    expect(e).toMatchObject({ fromWarmPool: true, detail: expect.stringMatching(/from the warm pool \(Warmed:/) });
  });
});
