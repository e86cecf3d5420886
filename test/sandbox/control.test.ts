import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

describe('sandbox control endpoints', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${sb.endpoint}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
  };
  const post = (path: string, body: string) => call(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    sb = await startTestSandbox();
    fx = await buildWorld(sb.ctx, { desired: 2 });
    await waitForSteadyState(sb.ctx, fx, 2);
  });
  afterAll(() => sb.close());

  it('GET /_sandbox/events filters by seq and type', async () => {
    const all = await call('/_sandbox/events');
    expect(all.status).toBe(200);
    expect(all.type).toBe('application/json');
    expect(all.body.length).toBe(sb.world.events().length);
    const mid = all.body[Math.floor(all.body.length / 2)].seq;
    const since = await call(`/_sandbox/events?since=${mid}`);
    expect(since.body.every((e: { seq: number }) => e.seq > mid)).toBe(true);
    expect(since.body.length).toBeGreaterThan(0);
    const lifecycle = await call('/_sandbox/events?type=asg-lifecycle');
    expect(lifecycle.body.map((e: { to: string }) => e.to).filter((t: string) => t === 'InService')).toHaveLength(2);
    expect(lifecycle.body.every((e: { type: string }) => e.type === 'asg-lifecycle')).toBe(true);
    expect((await call('/_sandbox/events?since=abc')).status).toBe(400);
  });

  it('GET /_sandbox/state dumps the world with Maps as objects', async () => {
    const { status, body } = await call('/_sandbox/state');
    expect(status).toBe(200);
    const ids = Object.keys(body.asgInstances);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(body.instances[id].state).toBe('running');
      expect(body.targets[fx.targetGroupArn][id].state).toBe('healthy');
    }
    expect(body.naclAssociations[fx.instanceSubnets[0]!].networkAclId).toBe(fx.defaultNaclId);
    expect(body.asgs[fx.asgName].suspendedProcesses).toEqual({});
    expect(body.loadBalancers[0].listeners[0].port).toBe(fx.listenerPort);
  });

  it('POST /_sandbox/knobs merges valid knobs, emits knob events, and reset restores defaults', async () => {
    const set = await post('/_sandbox/knobs', JSON.stringify({ apiLatencyMs: 25, failActions: ['TerminateInstances'] }));
    expect(set.status).toBe(200);
    expect(sb.ctx.knobs.apiLatencyMs).toBe(25);
    expect(set.body.failActions).toEqual(['TerminateInstances']);
    expect((await call('/_sandbox/knobs')).body.apiLatencyMs).toBe(25);
    await sb.waitForEvent((e) => e.type === 'knob' && e.name === 'apiLatencyMs' && e.value === 25, 1_000);
    const reset = await post('/_sandbox/reset-knobs', '');
    expect(reset.body.apiLatencyMs).toBe(0);
    expect(sb.ctx.knobs.failActions).toEqual([]);
  });

  it('rejects unknown knobs, wrong types and bad JSON with 400 and a message, changing nothing', async () => {
    const unknown = await post('/_sandbox/knobs', JSON.stringify({ nope: 1, apiLatencyMs: 5 }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown knob "nope"/);
    expect(sb.ctx.knobs.apiLatencyMs).toBe(0);
    const wrong = await post('/_sandbox/knobs', JSON.stringify({ replacementLaunchFails: 'yes', apiErrorRate: 2 }));
    expect(wrong.status).toBe(400);
    expect(wrong.body.problems).toHaveLength(2);
    expect((await post('/_sandbox/knobs', '{oops')).status).toBe(400);
  });

  it('answers 404 in JSON for anything else', async () => {
    const r = await call('/_sandbox/nothing');
    expect(r.status).toBe(404);
    expect(r.body.message).toMatch(/no such sandbox endpoint/);
    expect((await call('/_sandbox/events', { method: 'DELETE' })).status).toBe(404);
  });
});
