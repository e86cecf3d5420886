/**
 * Benchmark: a 200-instance Auto Scaling group behind the sandbox's ALB, from an empty group to 200
 * InService + healthy, then traffic through the load balancer. Reports wall-clock figures from the ground-
 * truth events (not from polling), so they are reproducible to within a tick.
 *
 * Run: npx vitest run test/sandbox/reconciler-scale.test.ts   (prints the figures; asserts the outcome)
 */
import { startSandbox } from '../src/sandbox/server.js';
import { buildWorld, waitForSteadyState } from '../test/helpers/world-fixture.js';

export interface Sandbox200Result {
  instances: number;
  /** ms from the group's creation to its first / last InService member. */
  firstInServiceMs: number;
  allInServiceMs: number;
  /** ms from creation to the last target turning healthy. */
  allHealthyMs: number;
  /** Scale-out phase: launch activities and failed activities. */
  launchActivities: number;
  failedActivities: number;
  /** 5xx answers the LB itself gave during scale-out and the traffic phase. */
  lbErrors: number;
  requests: number;
  requestsOk: number;
  distinctBackends: number;
  requestsPerSecond: number;
  /** After killing `killed` instances at once: most terminate activities in progress at one time, and the time back to all healthy. */
  killed: number;
  maxConcurrentReplacements: number;
  recoveredMs: number;
  events: number;
  rssMb: number;
  /** lb-routing 'targets' announcements while the group filled (one per turn of the event loop, not per target). */
  routingAnnouncements: number;
}

export async function runSandbox200(instances = 200, requests = 1000): Promise<Sandbox200Result> {
  const sb = await startSandbox({ port: 0, profile: 'fast' });
  try {
    const t0 = Date.now();
    const fx = await buildWorld(sb.ctx, { desired: instances, zones: 3 });
    await waitForSteadyState(sb.ctx, fx, instances, 25_000);
    const events = sb.world.events();
    const inService = events.filter((e) => e.type === 'asg-lifecycle' && e.to === 'InService').map((e) => e.atMs);
    const healthy = events.filter((e) => e.type === 'target-health' && e.to === 'healthy').map((e) => e.atMs);

    const started = Date.now();
    const backends = new Set<string>();
    let ok = 0;
    const worker = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const res = await fetch(fx.url);
        await res.arrayBuffer();
        if (res.status === 200) ok++;
        backends.add(res.headers.get('x-instance-id') ?? '');
      }
    };
    const concurrency = 20;
    await Promise.all(Array.from({ length: concurrency }, () => worker(Math.ceil(requests / concurrency))));
    const elapsed = Date.now() - started;
    const sent = Math.ceil(requests / concurrency) * concurrency;
    // Figures of the scale-out phase, taken before the kill phase adds its own activities.
    const launchActivities = sb.world.activities.filter((a) => a.description.startsWith('Launching')).length;
    const failedActivities = sb.world.activities.filter((a) => a.statusCode === 'Failed').length;
    const lbErrors = sb.world.events().filter((e) => e.type === 'lb-routing' && e.change === 'error').length;
    const routingAnnouncements = sb.world.events().filter((e) => e.type === 'lb-routing' && e.change === 'targets').length;

    // Kill 15 % at once: Auto Scaling replaces at most 10 % of desired at a time.
    const killed = Math.ceil(instances * 0.15);
    const from = sb.world.events().at(-1)!.seq;
    const k0 = Date.now();
    const victims = sb.world
      .membersOf(fx.asgName)
      .slice(0, killed)
      .map((m) => m.instanceId);
    for (const id of victims) sb.ctx.lifecycle.terminate(id);
    await new Promise<void>((resolve) => {
      const off = sb.world.subscribe(() => {
        if (victims.some((id) => sb.world.asgInstances.has(id))) return;
        off();
        resolve();
      });
    });
    await waitForSteadyState(sb.ctx, fx, instances, 25_000);
    const recoveredMs = Date.now() - k0;
    let inFlight = 0;
    let maxConcurrentReplacements = 0;
    for (const e of sb.world.events(from)) {
      if (e.type !== 'activity' || !e.description.startsWith('Terminating')) continue;
      if (e.statusCode === 'InProgress') maxConcurrentReplacements = Math.max(maxConcurrentReplacements, ++inFlight);
      else if (e.statusCode === 'Successful') inFlight--;
    }

    const all = sb.world.events();
    return {
      killed,
      maxConcurrentReplacements,
      recoveredMs,
      instances,
      firstInServiceMs: Math.min(...inService) - t0,
      allInServiceMs: Math.max(...inService) - t0,
      allHealthyMs: Math.max(...healthy) - t0,
      launchActivities,
      failedActivities,
      lbErrors,
      requests: sent,
      requestsOk: ok,
      distinctBackends: backends.size,
      requestsPerSecond: Math.round((sent / elapsed) * 1000),
      events: all.length,
      routingAnnouncements,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    };
  } finally {
    await sb.close();
  }
}
