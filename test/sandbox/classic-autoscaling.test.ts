import {
  AttachTrafficSourcesCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLoadBalancersCommand as DescribeAsgLoadBalancersCommand,
  DescribeTrafficSourcesCommand,
  DetachLoadBalancersCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceHealthCommand, ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleStack, waitForSteadyState, type SampleStack, type SandboxEvent } from '../../src/sandbox/index.js';
import { clientConfig, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * An Auto Scaling group behind a Classic Load Balancer (the sample stack with lb 'classic'): the group's
 * LoadBalancerNames and `elb` traffic sources, registration before InService, deregistration before
 * termination, and the group's ELB health check driven by the Classic Load Balancer's OutOfService.
 */
describe('sandbox Auto Scaling + Classic ELB', () => {
  let sb: TestSandbox;
  let classic: ElasticLoadBalancingClient;
  let stack: SampleStack;
  let name: string;

  beforeAll(async () => {
    sb = await startTestSandbox();
    classic = new ElasticLoadBalancingClient(clientConfig(sb.endpoint));
    stack = await createSampleStack({ ...sb, classic }, { instances: 2, azs: 2, lb: 'classic' });
    name = stack.classicLoadBalancerName!;
    await waitForSteadyState({ ...sb, classic }, stack, 20_000, 100);
  });
  afterAll(async () => {
    classic.destroy();
    await sb.close();
  });

  it('lists the Classic Load Balancer as the group sees it and serves the URL built from its DNS name and listener', async () => {
    const g = (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }))).AutoScalingGroups![0]!;
    expect(g.LoadBalancerNames).toEqual([name]);
    expect(g.TargetGroupARNs).toEqual([]);
    expect(g.TrafficSources).toEqual([{ Identifier: name, Type: 'elb' }]);
    const lbs = await sb.asg.send(new DescribeAsgLoadBalancersCommand({ AutoScalingGroupName: stack.asgName }));
    expect(lbs.LoadBalancers).toEqual([{ LoadBalancerName: name, State: 'InService' }]);
    const sources = await sb.asg.send(new DescribeTrafficSourcesCommand({ AutoScalingGroupName: stack.asgName, TrafficSourceType: 'elb' }));
    expect(sources.TrafficSources).toEqual([{ TrafficSource: name, Identifier: name, Type: 'elb', State: 'InService' }]);
    const res = await fetch(stack.url);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });

  it('deregisters a terminated member before it terminates and registers its replacement before InService', async () => {
    const from = sb.world.events().at(-1)!.seq;
    const victim = sb.world.membersOf(stack.asgName)[0]!.instanceId;
    await sb.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }));
    const inService = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-lifecycle' && e.to === 'InService')) as Extract<SandboxEvent, { type: 'asg-lifecycle' }>;
    const events = sb.world.events(from);
    const out = events.find((e) => e.type === 'classic-instance-health' && e.instanceId === victim && e.to === null)!;
    const terminated = events.find((e) => e.type === 'instance-state' && e.instanceId === victim && e.to === 'shutting-down')!;
    expect(out.seq).toBeLessThan(terminated.seq);
    const joined = events.find((e) => e.type === 'classic-instance-health' && e.instanceId === inService.instanceId && e.from === null)!;
    expect(joined.seq).toBeLessThan(inService.seq);
    await sb.waitForEvent((e) => e.seq > from && e.type === 'classic-instance-health' && e.instanceId === inService.instanceId && e.to === 'InService');
    const health = await classic.send(new DescribeInstanceHealthCommand({ LoadBalancerName: name }));
    expect(health.InstanceStates!.map((s) => s.InstanceId)).not.toContain(victim);
  });

  it("replaces a member the Classic Load Balancer reports OutOfService (the group's ELB health check)", async () => {
    await waitForSteadyState({ ...sb, classic }, stack, 20_000, 100);
    const from = sb.world.events().at(-1)!.seq;
    const sick = sb.world.membersOf(stack.asgName).find((m) => m.lifecycleState === 'InService')!;
    // Past the grace period: the ELB health check only counts after it.
    sick.launchedAt -= 60_000;
    sb.world.instances.get(sick.instanceId)!.appBroken = true;
    const unhealthy = (await sb.waitForEvent((e) => e.seq > from && e.type === 'asg-health' && e.instanceId === sick.instanceId && e.healthStatus === 'Unhealthy')) as Extract<
      SandboxEvent,
      { type: 'asg-health' }
    >;
    expect(unhealthy.reason).toContain(`${name} reports OutOfService`);
    await sb.waitForEvent(
      (e) => e.seq > unhealthy.seq && e.type === 'activity' && e.description === `Terminating EC2 instance: ${sick.instanceId}` && e.cause.includes('ELB system health check failure'),
    );
  });

  it('detaching the load balancer deregisters the members; attaching it as an elb traffic source registers them again', async () => {
    const from = sb.world.events().at(-1)!.seq;
    await sb.asg.send(new DetachLoadBalancersCommand({ AutoScalingGroupName: stack.asgName, LoadBalancerNames: [name] }));
    expect(sb.world.classicLoadBalancers.get(name)!.instances.size).toBe(0);
    expect(sb.world.events(from).some((e) => e.type === 'classic-instance-health' && e.to === null)).toBe(true);
    await sb.asg.send(new AttachTrafficSourcesCommand({ AutoScalingGroupName: stack.asgName, TrafficSources: [{ Identifier: name, Type: 'elb' }] }));
    const g = (await sb.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [stack.asgName] }))).AutoScalingGroups![0]!;
    expect(g.LoadBalancerNames).toEqual([name]);
    const inService = sb.world.membersOf(stack.asgName).filter((m) => m.lifecycleState === 'InService');
    expect(sb.world.classicLoadBalancers.get(name)!.instances.size).toBe(inService.length);
  });
});
