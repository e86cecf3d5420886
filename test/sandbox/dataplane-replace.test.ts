import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

async function get(url: string): Promise<{ status: number; instanceId: string | null; az: string | null }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(8_000) });
  await res.arrayBuffer();
  return { status: res.status, instanceId: res.headers.get('x-instance-id'), az: res.headers.get('x-availability-zone') };
}

describe('data plane: an instance dies behind the load balancer', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  beforeAll(async () => {
    sb = await startTestSandbox();
    fx = await buildWorld(sb.ctx, { desired: 3 });
    await waitForSteadyState(sb.ctx, fx, 3);
  });
  afterAll(() => sb.close());

  it('serves from every instance round-robin once the group is healthy', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await get(fx.url);
      expect(r.status).toBe(200);
      seen.add(r.instanceId!);
    }
    expect(seen.size).toBe(3);
    const direct = sb.world.instances.get([...seen][0]!)!;
    const health = await fetch(`http://127.0.0.1:${direct.port}/health`);
    expect(health.status).toBe(200);
  });

  it('keeps serving from the others, replaces the instance, and records every step in order', async () => {
    const from = sb.world.events().at(-1)!.seq;
    const victim = sb.world.membersOf(fx.asgName)[0]!.instanceId;
    const oldPort = sb.world.instances.get(victim)!.port!;
    sb.ctx.lifecycle.terminate(victim);
    // The dead instance's server is closed at once: connections to it are refused.
    await expect(fetch(`http://127.0.0.1:${oldPort}/`)).rejects.toThrow();

    const inService = sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.to === 'InService', 15_000);
    const statuses: { status: number }[] = [];
    let done = false;
    void inService.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      const r = await get(fx.url);
      statuses.push({ status: r.status });
    }
    const replacement = ((await inService) as Extract<SandboxEvent, { type: 'asg-lifecycle' }>).instanceId;
    await sb.waitForEvent((e) => e.type === 'target-health' && e.targetId === replacement && e.to === 'healthy', 10_000);

    const ok = statuses.filter((s) => s.status === 200).length;
    const failed = statuses.filter((s) => s.status !== 200);
    expect(ok).toBeGreaterThan(failed.length);
    // Every failure the client saw is one the LB itself recorded (a 502 from the dead target), and they all
    // came before the LB took the victim out of its routing set.
    const lbErrors = sb.world.events(from).filter((e) => e.type === 'lb-routing' && e.change === 'error');
    expect(failed.every((f) => f.status === 502)).toBe(true);
    expect(lbErrors.length).toBe(failed.length);
    expect(lbErrors.every((e) => e.type === 'lb-routing' && e.targetId === victim)).toBe(true);
    const dropped = sb.world.events(from).find((e) => e.type === 'lb-routing' && e.change === 'targets' && !e.routable!.includes(victim));
    expect(dropped).toBeDefined();
    // The LB's own clock, not the client's: each error it answered came before it dropped the victim.
    for (const e of lbErrors) expect(e.atMs).toBeLessThanOrEqual(dropped!.atMs);
    expect(lbErrors.every((e) => e.seq < dropped!.seq)).toBe(true);

    const ev = sb.world.events(from);
    const idx = (pred: (e: SandboxEvent) => boolean, label: string) => {
      const i = ev.findIndex(pred);
      expect(i, label).toBeGreaterThanOrEqual(0);
      return i;
    };
    const steps = [
      idx((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'shutting-down', 'victim shutting-down'),
      idx((e) => e.type === 'asg-health' && e.instanceId === victim && e.healthStatus === 'Unhealthy', 'asg-health Unhealthy'),
      idx((e) => e.type === 'activity' && e.description === `Terminating EC2 instance: ${victim}`, 'terminate activity'),
      idx((e) => e.type === 'activity' && e.cause.endsWith('an unhealthy instance needing to be replaced.'), 'launch activity'),
      idx((e) => e.type === 'instance-state' && e.instanceId === replacement && e.to === 'pending', 'replacement pending'),
      idx((e) => e.type === 'instance-state' && e.instanceId === replacement && e.to === 'running', 'replacement running'),
      idx((e) => e.type === 'target-health' && e.targetId === replacement && e.to === 'initial', 'target initial'),
      idx((e) => e.type === 'asg-lifecycle' && e.instanceId === replacement && e.to === 'InService', 'InService'),
    ];
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    const healthy = idx((e) => e.type === 'target-health' && e.targetId === replacement && e.to === 'healthy', 'target healthy');
    expect(healthy).toBeGreaterThan(steps[6]!);
    const terminate = ev[steps[2]!]!;
    expect(terminate.type === 'activity' && terminate.cause).toMatch(
      /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\.$/,
    );
    // The victim's target left routing and the group (draining, then removed).
    await sb.waitForEvent((e) => e.type === 'target-health' && e.targetId === victim && e.to === null, 10_000);
    await waitForSteadyState(sb.ctx, fx, 3);
    expect(sb.world.asgInstances.has(victim)).toBe(false);
  });

  it('counts traffic per second as lb-second events', async () => {
    const sec = await sb.waitForEvent((e) => e.type === 'lb-second' && e.requests > 0, 5_000);
    expect(sec.type === 'lb-second' && sec.loadBalancerArn).toBe(fx.loadBalancerArn);
    const total = sb.world
      .events()
      .filter((e) => e.type === 'lb-second')
      .reduce((n, e) => n + (e.type === 'lb-second' ? e.requests : 0), 0);
    expect(total).toBeGreaterThan(6);
  });

  it('answers 503 when no target is registered', async () => {
    for (const reg of [...sb.world.targetsOf(fx.targetGroupArn).values()]) sb.world.removeTarget(reg);
    sb.ctx.world.asgs.get(fx.asgName)!.suspendedProcesses.set('HealthCheck', 'test');
    const r = await get(fx.url);
    expect(r.status).toBe(503);
    await sb.waitForEvent((e) => e.type === 'lb-routing' && e.change === 'error' && e.status === 503, 1_000);
  });
});
