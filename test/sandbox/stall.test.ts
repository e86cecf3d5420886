/**
 * The stallActions knob: calls past `after` are held open with an `api-stalled` event, released by clearing
 * the knob, and answered (never left hanging) when the sandbox closes — so e2e tests can kill the CLI while
 * it is blocked inside an exact call.
 */
import { CreateVpcCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

type Stalled = Extract<SandboxEvent, { type: 'api-stalled' }>;
type Released = Extract<SandboxEvent, { type: 'api-released' }>;

/** A promise's outcome so far, without waiting for it. */
function track<T>(p: Promise<T>): { settled: () => boolean; p: Promise<T> } {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, p };
}

describe('sandbox stallActions knob', () => {
  let sb: TestSandbox;
  const knobs = async (body: unknown) => {
    const res = await fetch(`${sb.endpoint}/_sandbox/knobs`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  afterAll(() => sb.close());

  it('answers the first `after` calls, holds the next with an event, and completes it when the knob is cleared', async () => {
    expect((await knobs({ stallActions: [{ action: 'DescribeVpcs', after: 2 }] })).status).toBe(200);
    const from = sb.world.events().at(-1)!.seq;
    await sb.ec2.send(new DescribeVpcsCommand({}));
    await sb.ec2.send(new DescribeVpcsCommand({}));
    const third = track(sb.ec2.send(new DescribeVpcsCommand({})));
    const stalled = (await sb.waitForEvent((e) => e.seq > from && e.type === 'api-stalled', 5_000)) as Stalled;
    expect(stalled).toMatchObject({ action: 'DescribeVpcs', call: 3, held: 1, applied: false });
    // The events endpoint shows it too, which is what a test driving the CLI polls.
    const listed = (await (await fetch(`${sb.endpoint}/_sandbox/events?type=api-stalled&since=${from}`)).json()) as Stalled[];
    expect(listed.map((e) => e.call)).toEqual([3]);
    // Other actions are not held, and the held call is still waiting.
    await sb.ec2.send(new DescribeSubnetsCommand({}));
    expect(third.settled()).toBe(false);

    await knobs({ stallActions: [] });
    const released = (await sb.waitForEvent((e) => e.seq > from && e.type === 'api-released', 5_000)) as Released;
    expect(released).toMatchObject({ action: 'DescribeVpcs', released: 1, reason: 'knob-cleared' });
    const out = await third.p;
    expect(out.Vpcs).toEqual([]);
    await sb.ec2.send(new DescribeVpcsCommand({})); // not held any more
  });

  it('counts again from a newly set list, and `after: 0` holds the very first call', async () => {
    await knobs({ stallActions: [{ action: 'DescribeVpcs', after: 0 }] });
    const from = sb.world.events().at(-1)!.seq;
    const first = track(sb.ec2.send(new DescribeVpcsCommand({})));
    const second = track(sb.ec2.send(new DescribeVpcsCommand({})));
    await sb.waitForEvent((e) => e.seq > from && e.type === 'api-stalled' && e.call === 2, 5_000);
    const stalls = sb.world.events(from).filter((e): e is Stalled => e.type === 'api-stalled');
    expect(stalls.map((e) => [e.call, e.held])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(first.settled() || second.settled()).toBe(false);
    await knobs({ stallActions: [] });
    await Promise.all([first.p, second.p]);
  });

  it('rejects malformed rules, all problems at once', async () => {
    const bad = await knobs({ stallActions: [{ action: 'DescribeVpcs', after: -1 }], apiLatencyMs: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toHaveLength(2);
    expect((await knobs({ stallActions: [{ action: 'DescribeVpcs' }] })).status).toBe(400);
    expect((await knobs({ stallActions: ['DescribeVpcs'] })).status).toBe(400);
    expect(sb.ctx.knobs.stallActions).toEqual([]);
  });
});

describe('sandbox stallActions knob at shutdown', () => {
  it('with `applied` the change is made but unanswered; closing the sandbox answers held calls and does not hang', async () => {
    const sb = await startTestSandbox({ knobs: { stallActions: [{ action: 'CreateVpc', after: 0, applied: true }] } });
    let closed = false;
    try {
      const create = track(sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })));
      const stalled = (await sb.waitForEvent((e) => e.type === 'api-stalled', 5_000)) as Stalled;
      expect(stalled).toMatchObject({ action: 'CreateVpc', call: 1, applied: true });
      // The VPC exists although the client never heard back.
      expect(sb.world.vpcs.size).toBe(1);
      expect(create.settled()).toBe(false);

      await sb.close();
      closed = true;
      await expect(create.p).rejects.toThrow();
      expect(sb.world.events().some((e) => e.type === 'api-released' && e.reason === 'closed' && e.released === 1)).toBe(true);
    } finally {
      if (!closed) await sb.close();
    }
  });
});
