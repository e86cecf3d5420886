import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleStack, waitForSteadyState, type SampleStack, type SandboxEvent } from '../../src/sandbox/index.js';
import { clientConfig, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { addDenyAllNacl } from '../helpers/world-fixture.js';

type Classic = Extract<SandboxEvent, { type: 'classic-instance-health' }>;

/** One request through the Classic Load Balancer; 'hung' when nothing answered within `ms`. */
async function get(url: string, ms = 8_000): Promise<{ status: number | 'hung'; az: string | null }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
    await res.arrayBuffer();
    return { status: res.status, az: res.headers.get('x-availability-zone') };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { status: 'hung', az: null };
    throw err;
  }
}

/**
 * The Classic Load Balancer's data plane under deny-all NACLs, as for the ALB: an instance subnet cut off
 * fails its health checks (OutOfService), the group replaces it through its ELB health check, clients are
 * served from the lit AZs only; a load balancer subnet cut off leaves that node's clients without an answer.
 */
describe('data plane: a Classic Load Balancer with a blackholed AZ', () => {
  let sb: TestSandbox;
  let classic: ElasticLoadBalancingClient;
  let stack: SampleStack;

  beforeAll(async () => {
    sb = await startTestSandbox();
    classic = new ElasticLoadBalancingClient(clientConfig(sb.endpoint));
    stack = await createSampleStack({ ...sb, classic }, { instances: 3, azs: 3, lb: 'classic' });
    await waitForSteadyState({ ...sb, classic }, stack, 20_000, 100);
  });
  afterAll(async () => {
    classic.destroy();
    await sb.close();
  });

  it('a dark instance subnet: OutOfService, replaced through the ELB health check, and only lit AZs serve', async () => {
    const { world } = sb;
    const dark = stack.subnets[0]!;
    const victim = world.membersOf(stack.asgName).find((m) => m.availabilityZone === dark.availabilityZone)!.instanceId;
    // Past the grace period, so the ELB health check counts.
    for (const m of world.membersOf(stack.asgName)) m.launchedAt -= 60_000;
    const from = world.events().at(-1)!.seq;
    const acl = addDenyAllNacl(sb.ctx, stack.vpcId);
    const original = world.naclOfSubnet(dark.subnetId)!.networkAclId;
    world.associateNacl(dark.subnetId, acl);

    const out = (await sb.waitForEvent((e) => e.seq > from && e.type === 'classic-instance-health' && e.instanceId === victim && e.to === 'OutOfService')) as Classic;
    expect(out.description).toBe('Instance has failed at least the UnhealthyThreshold number of health checks consecutively.');
    const health = await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-health' && e.instanceId === victim);
    expect(health.type === 'asg-health' && health.reason).toMatch(/^ELB health check: demo-asg-elb reports OutOfService/);
    const terminate = await sb.waitForEvent((e) => e.seq > from && e.type === 'activity' && e.description === `Terminating EC2 instance: ${victim}`);
    expect(terminate.type === 'activity' && terminate.cause).toMatch(/in response to an ELB system health check failure\.$/);
    for (let i = 0; i < 6; i++) {
      const r = await get(stack.url);
      expect(r.status).toBe(200);
      expect(r.az).not.toBe(dark.availabilityZone);
    }
    world.associateNacl(dark.subnetId, original);
    await waitForSteadyState({ ...sb, classic }, stack, 20_000, 100);
  });

  it("a dark load balancer subnet: that node's clients get no answer, the other nodes serve", async () => {
    const { world } = sb;
    const dark = stack.lbSubnets[1]!;
    const original = world.naclOfSubnet(dark.subnetId)!.networkAclId;
    world.associateNacl(dark.subnetId, addDenyAllNacl(sb.ctx, stack.vpcId));
    try {
      // The node is picked round-robin per request over the three AZs: one request in three reaches the dark one.
      const results = [];
      for (let i = 0; i < 6; i++) results.push((await get(stack.url, 1_000)).status);
      expect(results.filter((s) => s === 'hung')).toHaveLength(2);
      expect(results.filter((s) => s === 200)).toHaveLength(4);
    } finally {
      world.associateNacl(dark.subnetId, original);
    }
  });
});
