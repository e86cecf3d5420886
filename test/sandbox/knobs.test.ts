import { DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateNetworkAclCommand, DescribeNetworkAclsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { validateKnobs } from '../../src/sandbox/knob-control.js';
import { DEFAULT_KNOBS } from '../../src/sandbox/knobs.js';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { startTestSandbox, TEST_CREDENTIALS, type TestSandbox } from '../helpers/sandbox.js';
import { buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

type StateEvent = Extract<SandboxEvent, { type: 'instance-state' }>;

/** Settles every call, returning the error code (or 'ok') and HTTP status of each, in order. */
async function outcomes(calls: (() => Promise<unknown>)[]): Promise<string[]> {
  const out: string[] = [];
  for (const call of calls) {
    try {
      await call();
      out.push('ok');
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number } };
      out.push(`${e.name}/${e.$metadata?.httpStatusCode}`);
    }
  }
  return out;
}

describe('sandbox fault knobs', () => {
  let sb: TestSandbox;
  let fx: Fixture;

  beforeAll(async () => {
    sb = await startTestSandbox({ seed: 'knobs-1' });
    fx = await buildWorld(sb.ctx, { desired: 2 });
    await waitForSteadyState(sb.ctx, fx, 2);
  });
  afterEach(() => Object.assign(sb.ctx.knobs, DEFAULT_KNOBS, { failActions: [] }));
  afterAll(() => sb.close());

  it('throttles Auto Scaling and ELBv2 with Throttling / HTTP 400 "Rate exceeded" under apiRateLimit', async () => {
    sb.ctx.knobs.apiRateLimit = 1;
    const asg = await outcomes(Array.from({ length: 3 }, () => () => sb.asg.send(new DescribeAutoScalingGroupsCommand({}))));
    const elb = await outcomes(Array.from({ length: 3 }, () => () => sb.elb.send(new DescribeLoadBalancersCommand({}))));
    // One token per service per second: the first call of each service passes, the next ones in the same second don't.
    expect(asg).toEqual(['ok', 'Throttling/400', 'Throttling/400']);
    expect(elb).toEqual(['ok', 'Throttling/400', 'Throttling/400']);
    const err = await sb.elb.send(new DescribeLoadBalancersCommand({})).catch((e: Error) => e);
    expect((err as Error).message).toBe('Rate exceeded');
  });

  it('draws apiErrorRate failures from the seeded rng: the same seed fails the same calls', async () => {
    const run = async (seed: string) => {
      const other = await startTestSandbox({ seed, knobs: { apiErrorRate: 0.4 } });
      try {
        return await outcomes(Array.from({ length: 30 }, () => () => other.ec2.send(new DescribeVpcsCommand({}))));
      } finally {
        await other.close();
      }
    };
    const a = await run('replay-me');
    expect(await run('replay-me')).toEqual(a);
    expect(await run('another-seed')).not.toEqual(a);
    const failed = a.filter((o) => o !== 'ok');
    expect(new Set(failed)).toEqual(new Set(['InternalError/500']));
    expect(failed.length).toBeGreaterThan(3); // 40 % of 30, loosely: the knob really fires
    expect(failed.length).toBeLessThan(27);
  });

  it("chaos-ec2's own clients (adaptive retry) ride out throttling and injected 5xx", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
    const clients = await createClients({ region: 'us-east-1', endpoint: sb.endpoint });
    try {
      Object.assign(sb.ctx.knobs, { apiRateLimit: 5, apiErrorRate: 0.1 });
      const attempts: number[] = [];
      for (let i = 0; i < 8; i++) {
        for (const out of [
          await clients.asg.send(new DescribeAutoScalingGroupsCommand({})),
          await clients.elb.send(new DescribeLoadBalancersCommand({})),
          await clients.ec2.send(new DescribeVpcsCommand({})),
        ]) {
          attempts.push(out.$metadata.attempts ?? 1);
        }
      }
      // Every call succeeded, and the knobs really bit: some needed more than one attempt.
      expect(attempts).toHaveLength(24);
      expect(attempts.some((a) => a > 1)).toBe(true);
    } finally {
      clients.destroy();
      vi.unstubAllEnvs();
    }
  }, 30_000);

  it('replacementBootDelayMs slows only instances Auto Scaling launches from then on', async () => {
    const delayMs = 1_500;
    sb.ctx.knobs.replacementBootDelayMs = delayMs;
    const from = sb.world.events().at(-1)!.seq;
    const victim = sb.world.membersOf(fx.asgName)[0]!.instanceId;
    // An instance launched outside Auto Scaling in the same tick as the replacement (a microtask queued by the
    // replacement's pending event, so no timer can run in between): both boots start together.
    let plainId: string | undefined;
    const off = sb.world.subscribe((e) => {
      if (e.seq > from && e.type === 'instance-state' && e.to === 'pending' && e.asgName === fx.asgName && !plainId) {
        plainId = 'queued';
        queueMicrotask(() => {
          plainId = sb.ctx.lifecycle.launch({ subnetId: fx.instanceSubnets[0]!, imageId: 'ami-0123456789abcdef0', instanceType: 't3.micro' }).instanceId;
        });
      }
    });
    try {
      await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
      const pending = (await sb.waitForEvent((e) => e.seq > from && e.type === 'instance-state' && e.to === 'pending' && e.asgName === fx.asgName)) as StateEvent;
      const running = (await sb.waitForEvent(
        (e) => e.type === 'instance-state' && e.instanceId === pending.instanceId && e.to === 'running',
        sb.ctx.timings.bootMs + delayMs + 10_000,
      )) as StateEvent;
      // Ground-truth times of one clock: boot took the profile's boot time plus the knob's delay. Exact,
      // because sandbox timers never end a modelled duration early on the event clock (src/sandbox/timers.ts).
      expect(running.atMs - pending.atMs).toBeGreaterThanOrEqual(sb.ctx.timings.bootMs + delayMs);

      // The plain instance, pending at the same moment, boots at the normal pace: it is running before the
      // replacement. Ordering, not a wall-clock cap: timers fire in due order however loaded the machine is.
      expect(plainId).toMatch(/^i-/);
      const plainPending = sb.world.events().find((e) => e.type === 'instance-state' && e.instanceId === plainId && e.to === 'pending')!;
      const plainRunning = await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === plainId && e.to === 'running');
      // The premise of the ordering: both boots began within one tick, far less apart than the knob's delay.
      expect(plainPending.atMs - pending.atMs).toBeLessThan(delayMs);
      expect(plainRunning.seq).toBeLessThan(running.seq);
      expect(plainRunning.atMs - plainPending.atMs).toBeGreaterThanOrEqual(sb.ctx.timings.bootMs);
    } finally {
      off();
    }
  });

  it('ignoreDryRunActions: the listed action is carried out despite DryRun=true; every other still answers DryRunOperation', async () => {
    sb.ctx.knobs.ignoreDryRunActions = ['CreateNetworkAcl'];
    const out = await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: fx.vpcId, DryRun: true }));
    const id = out.NetworkAcl?.NetworkAclId;
    expect(id).toMatch(/^acl-/);
    expect(sb.world.networkAcls.has(id!)).toBe(true);
    expect(await outcomes([() => sb.ec2.send(new DescribeVpcsCommand({ DryRun: true }))])).toEqual(['DryRunOperation/412']);
    sb.ctx.knobs.ignoreDryRunActions = [];
    expect(await outcomes([() => sb.ec2.send(new CreateNetworkAclCommand({ VpcId: fx.vpcId, DryRun: true }))])).toEqual(['DryRunOperation/412']);
  });

  it('unsupportedFilters: a listed EC2 filter is refused as EC2 refuses an unknown one; other filters still work', async () => {
    sb.ctx.knobs.unsupportedFilters = ['network-acl-id'];
    expect(await outcomes([() => sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'network-acl-id', Values: [fx.defaultNaclId] }] }))])).toEqual(['InvalidParameterValue/400']);
    const byVpc = await sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [fx.vpcId] }] }));
    expect(byVpc.NetworkAcls?.some((a) => a.NetworkAclId === fx.defaultNaclId)).toBe(true);
    expect((await sb.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [fx.vpcId] }] }))).Subnets?.length).toBeGreaterThan(0);
  });

  it('validates the emulator knobs as lists of names', () => {
    expect(validateKnobs({ ignoreDryRunActions: ['CreateNetworkAcl'], unsupportedFilters: ['network-acl-id'] })).toEqual([]);
    expect(validateKnobs({ ignoreDryRunActions: 'CreateNetworkAcl', unsupportedFilters: [1] })).toEqual([
      'knob "ignoreDryRunActions" must be an array of strings',
      'knob "unsupportedFilters" must be an array of strings',
    ]);
  });
});
