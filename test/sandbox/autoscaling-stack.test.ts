import { DescribeLoadBalancerTargetGroupsCommand, DescribeScalingActivitiesCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleStack, waitForSteadyState, type SampleStack } from '../../src/sandbox/stack.js';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { lbNodeAddresses, startTestSandbox, viaNode, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The sample stack built purely through the SDK (EC2, ELBv2, Auto Scaling APIs), then one user-requested
 * replacement: the whole API surface chaos-ec2 relies on, end to end.
 */
describe('sandbox Auto Scaling + ELBv2: the sample stack through the APIs', () => {
  let sb: TestSandbox;
  let stack: SampleStack;

  beforeAll(async () => {
    sb = await startTestSandbox();
    stack = await createSampleStack(sb, { instances: 2, azs: 2 });
    await waitForSteadyState(sb, stack, 20_000, 100);
  });
  afterAll(() => sb.close());

  it('serves the URL a client builds from DNSName and the listener port, on every node address of the name', async () => {
    expect(new URL(stack.url).hostname).toMatch(/^demo-asg-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    const addresses = await lbNodeAddresses(sb.ec2, stack.loadBalancerArn);
    expect(addresses).toHaveLength(2);
    for (const a of addresses) {
      const res = await fetch(viaNode(stack.url, a));
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
  });

  it('reports the target group InService once an instance passed the ELB health check', async () => {
    const out = await sb.asg.send(new DescribeLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: stack.asgName }));
    expect(out.LoadBalancerTargetGroups).toEqual([{ LoadBalancerTargetGroupARN: stack.targetGroupArn, State: 'InService' }]);
  });

  it('replaces an instance terminated without decrement, with terminate and launch activities', async () => {
    const from = sb.world.events().at(-1)!.seq;
    const victim = sb.world.membersOf(stack.asgName)[0]!.instanceId;
    const out = await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
    const replacement = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.asgName === stack.asgName && e.to === 'InService')) as Extract<
      SandboxEvent,
      { type: 'asg-lifecycle' }
    >;
    expect(replacement.instanceId).not.toBe(victim);
    await waitForSteadyState(sb, stack, 20_000, 100);
    await sb.waitForEvent((e) => e.type === 'activity' && e.activityId === out.Activity!.ActivityId && e.statusCode === 'Successful');
    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: stack.asgName, MaxRecords: 10 }))).Activities!;
    const terminate = acts.find((a) => a.ActivityId === out.Activity!.ActivityId)!;
    expect(terminate.StatusCode).toBe('Successful');
    expect(terminate.EndTime).toBeInstanceOf(Date);
    expect(terminate.Progress).toBe(100);
    expect(acts.find((a) => a.Description === `Launching a new EC2 instance: ${replacement.instanceId}`)?.StatusCode).toBe('Successful');
  });
});
