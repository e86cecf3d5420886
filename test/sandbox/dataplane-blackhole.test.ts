import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { addDenyAllNacl, buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

async function get(url: string): Promise<{ status: number; az: string | null }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(8_000) });
  await res.arrayBuffer();
  return { status: res.status, az: res.headers.get('x-availability-zone') };
}

type Routing = Extract<SandboxEvent, { type: 'lb-routing' }>;

describe('data plane: an AZ blackholed by a deny-all NACL', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  beforeAll(async () => {
    sb = await startTestSandbox();
    fx = await buildWorld(sb.ctx, { desired: 3, healthCheckType: 'ELB' });
    await waitForSteadyState(sb.ctx, fx, 3);
  });
  afterAll(() => sb.close());

  it('targets time out, the LB stops routing there, the ASG replaces into the dark AZ, and restoring heals it', async () => {
    const { world } = sb;
    const darkSubnet = fx.instanceSubnets[0]!;
    const darkAz = world.subnets.get(darkSubnet)!.availabilityZone;
    const dark = world.membersOf(fx.asgName).find((m) => m.availabilityZone === darkAz)!.instanceId;
    const from = world.events().at(-1)!.seq;
    world.associateNacl(darkSubnet, addDenyAllNacl(sb.ctx, fx.vpcId));

    const unhealthy = await sb.waitForEvent((e) => e.seq > from && e.type === 'target-health' && e.targetId === dark && e.to === 'unhealthy');
    expect(unhealthy.type === 'target-health' && unhealthy.reason).toBe('Target.Timeout');
    const routing = (await sb.waitForEvent((e) => e.seq > from && e.type === 'lb-routing' && e.change === 'targets' && !e.routable!.includes(dark))) as Routing;
    expect(routing.failOpen).toBe(false);
    expect(routing.routable).toHaveLength(2);

    // The ELB health check takes it out of service; the replacement goes to the AZ with the fewest
    // instances — the dark one, as AWS does (a NACL does not make launches fail).
    const health = await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-health' && e.instanceId === dark);
    expect(health.type === 'asg-health' && health.reason).toMatch(/^ELB health check/);
    const terminate = await sb.waitForEvent((e) => e.seq > from && e.type === 'activity' && e.description === `Terminating EC2 instance: ${dark}`);
    expect(terminate.type === 'activity' && terminate.cause).toMatch(/in response to an ELB system health check failure\.$/);
    const launch = await sb.waitForEvent((e) => e.seq > from && e.type === 'activity' && e.cause.endsWith('unhealthy instance needing to be replaced.') && e.statusCode === 'InProgress');
    const activity = world.activities.find((a) => a.activityId === (launch.type === 'activity' && launch.activityId))!;
    expect(JSON.parse(activity.details)).toEqual({ 'Subnet ID': darkSubnet, 'Availability Zone': darkAz });

    // Meanwhile the clients only get answers from the lit AZs.
    for (let i = 0; i < 8; i++) {
      const r = await get(fx.url);
      expect(r.status).toBe(200);
      expect(r.az).not.toBe(darkAz);
    }

    world.associateNacl(darkSubnet, fx.defaultNaclId);
    await waitForSteadyState(sb.ctx, fx, 3, 20_000);
    const members = world.membersOf(fx.asgName).filter((m) => m.lifecycleState === 'InService');
    expect(members.filter((m) => m.availabilityZone === darkAz)).toHaveLength(1);
    const azs = new Set<string>();
    for (let i = 0; i < 6; i++) azs.add((await get(fx.url)).az!);
    expect(azs.has(darkAz)).toBe(true);
  });

  it('a blackholed load-balancer node leaves its share of clients with no answer at all (not an error)', async () => {
    const { world } = sb;
    const from = world.events().at(-1)!.seq;
    world.associateNacl(fx.lbSubnets[1]!, addDenyAllNacl(sb.ctx, fx.vpcId));
    // Six requests at once: round-robin over three nodes gives each node two of them, whatever their order.
    // The dark node's are given up on once the lit nodes' four have answered: the cut-off is that event, not a
    // per-request timeout that a slow answer on a loaded machine could also hit. (The dark node would hold
    // them until the LB's idle timeout, seconds later.)
    const quit = new AbortController();
    let answered200 = 0;
    let litAnswered!: () => void;
    const lit = new Promise<void>((r) => (litAnswered = r));
    const requests = Array.from({ length: 6 }, () =>
      fetch(fx.url, { signal: AbortSignal.any([quit.signal, AbortSignal.timeout(8_000)]) }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status === 200 && ++answered200 === 4) litAnswered();
          return res.status;
        },
        () => 'no answer' as const,
      ),
    );
    await Promise.race([lit, Promise.all(requests)]);
    quit.abort();
    const outcomes = await Promise.all(requests);
    // One node in three is dark: round-robin sends every third request there.
    expect(outcomes.filter((o) => o === 'no answer')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 200)).toHaveLength(4);
    // The LB did not answer those with an error of its own; the per-second counts say 'no-response'.
    expect(world.events(from).some((e) => e.type === 'lb-routing' && e.change === 'error')).toBe(false);
    const sec = await sb.waitForEvent((e) => e.seq > from && e.type === 'lb-second' && (e.byStatus['no-response'] ?? 0) > 0, 5_000);
    expect(sec.type === 'lb-second' && sec.byStatus['200']).toBeGreaterThan(0);
    world.associateNacl(fx.lbSubnets[1]!, fx.defaultNaclId);
  });
});

describe('data plane: every target unhealthy', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  beforeAll(async () => {
    sb = await startTestSandbox();
    // EC2 health checks only: the group leaves unhealthy targets alone, so the LB must fail open.
    fx = await buildWorld(sb.ctx, { desired: 2, healthCheckType: 'EC2' });
    await waitForSteadyState(sb.ctx, fx, 2);
  });
  afterAll(() => sb.close());

  it('fails open: routes to all registered targets, and says so in an lb-routing event', async () => {
    const from = sb.world.events().at(-1)!.seq;
    for (const m of sb.world.membersOf(fx.asgName)) sb.world.instances.get(m.instanceId)!.appBroken = true;
    const failOpen = (await sb.waitForEvent((e) => e.seq > from && e.type === 'lb-routing' && e.change === 'targets' && e.failOpen === true)) as Routing;
    expect(failOpen.routable).toHaveLength(2);
    const regs = [...sb.world.targetsOf(fx.targetGroupArn).values()];
    expect(regs.map((r) => r.state)).toEqual(['unhealthy', 'unhealthy']);
    expect(regs[0]!.reason).toBe('Target.ResponseCodeMismatch');
    expect(regs[0]!.description).toBe('Health checks failed with these codes: [500]');
    for (let i = 0; i < 4; i++) expect((await get(fx.url)).status).toBe(200);

    // One target recovers (healthy threshold 2 in a row): routing narrows to it, fail-open ends.
    const fixed = regs[0]!.targetId;
    sb.world.instances.get(fixed)!.appBroken = false;
    const narrowed = (await sb.waitForEvent((e) => e.seq > failOpen.seq && e.type === 'lb-routing' && e.change === 'targets' && e.failOpen === false)) as Routing;
    expect(narrowed.routable).toEqual([fixed]);
  });
});
