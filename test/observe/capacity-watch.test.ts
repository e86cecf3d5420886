/**
 * The capacity watcher: constant API cost per poll however large the group, and the events it derives from
 * two snapshots.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { diffCapacity, failOpenGroups, snapshotCapacity, type CapacitySnapshot } from '../../src/observe/capacity-watch.js';
import { startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/embedded.js';
import { clientConfig, waitForWorldEvent } from '../helpers/sandbox.js';

/** Counts every API call a client makes, by operation name, through the SDK's middleware stack. */
function countCalls<C extends { middlewareStack: { add: (...a: never[]) => void } }>(client: C, calls: string[]): C {
  (client.middlewareStack as unknown as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      calls.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return client;
}

describe('capacity watcher API cost', () => {
  const sandboxes: EmbeddedSandbox[] = [];
  afterAll(async () => {
    await Promise.all(sandboxes.map((s) => s.close()));
  });

  it('makes one DescribeAutoScalingGroups and one DescribeTargetHealth per target group per poll, for 2 or 60 instances', async () => {
    const perPoll: Record<number, string[]> = {};
    for (const instances of [2, 60]) {
      const emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances, azs: 3 } });
      sandboxes.push(emb);
      const calls: string[] = [];
      const cfg = clientConfig(emb.sandbox.endpoint);
      const clients = { asg: countCalls(new AutoScalingClient(cfg), calls), elb: countCalls(new ElasticLoadBalancingV2Client(cfg), calls) };
      const snap = await snapshotCapacity(clients, { asgName: emb.stack.asgName, targetGroupArns: [emb.stack.targetGroupArn] });
      expect(snap.inService).toBe(instances);
      expect(snap.healthy).toBe(instances);
      perPoll[instances] = calls.sort();
      clients.asg.destroy();
      clients.elb.destroy();
    }
    expect(perPoll[2]).toEqual(['DescribeAutoScalingGroupsCommand', 'DescribeTargetHealthCommand']);
    expect(perPoll[60]).toEqual(perPoll[2]);
  });

  it('sees an instance terminated outside the group as lost, and the group short of capacity', async () => {
    const emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 3, azs: 3 } });
    sandboxes.push(emb);
    const cfg = clientConfig(emb.sandbox.endpoint);
    const clients = { asg: new AutoScalingClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg) };
    const ec2 = new EC2Client(cfg);
    const opts = { asgName: emb.stack.asgName, targetGroupArns: [emb.stack.targetGroupArn] };
    const before = await snapshotCapacity(clients, opts);
    const victim = [...before.instances.keys()][0]!;
    emb.sandbox.ctx.lifecycle.terminate(victim);
    // Once the group itself has marked the victim Unhealthy, the watcher's next poll must see the loss.
    await waitForWorldEvent(emb.sandbox.world, (e) => e.type === 'asg-health' && e.instanceId === victim && e.healthStatus === 'Unhealthy', 10_000);
    const after = await snapshotCapacity(clients, opts);
    expect(after.instances.get(victim)?.healthStatus).not.toBe('Healthy');
    const state = { lost: false, baselineHealthy: before.healthy };
    const events = diffCapacity(before, after, state);
    expect(events.map((e) => e.event)).toContain('instance-lost');
    expect(events.find((e) => e.event === 'instance-lost')?.instanceId).toBe(victim);
    expect(events.map((e) => e.event)).toContain('capacity-lost');
    expect(state.lost).toBe(true);
    // Restored only when InService == desired and healthy is back to the baseline.
    expect(diffCapacity(after, { ...before, atMs: Date.now() }, state).map((e) => e.event)).toContain('capacity-restored');
    for (const c of [clients.asg, clients.elb, ec2]) c.destroy();
  });

  it('flags fail-open when every registered target of a group is unhealthy', () => {
    const base = (states: string[]): CapacitySnapshot => {
      const targets = new Map([['tg', new Map(states.map((s, i) => [`i-${i}`, s]))]]);
      return {
        atMs: 0,
        desired: states.length,
        inService: states.length,
        capacity: states.length,
        healthy: states.filter((s) => s === 'healthy').length,
        healthyByAz: {},
        instances: new Map(states.map((_, i) => [`i-${i}`, { instanceId: `i-${i}`, availabilityZone: 'az', lifecycleState: 'InService', healthStatus: 'Healthy', weightedCapacity: 1 }])),
        targets,
        failOpen: failOpenGroups(targets),
      };
    };
    expect(base(['unhealthy', 'draining']).failOpen).toEqual(['tg']);
    expect(base(['unhealthy', 'healthy']).failOpen).toEqual([]);
    // Only draining targets left: nothing is routed to, so that is not fail-open.
    expect(base(['draining']).failOpen).toEqual([]);
    const events = diffCapacity(base(['healthy', 'healthy']), base(['unhealthy', 'unhealthy']), { lost: false, baselineHealthy: 2 });
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['fail-open', 'capacity-lost']));
  });
});
