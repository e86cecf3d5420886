import { CreateAutoScalingGroupCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inService, twoZoneNetwork, until } from '../helpers/asg-shapes.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * POST /_sandbox/instances/<id>/spot-interruption: EC2 takes a Spot member back; it leaves with the Spot
 * state reason, the group's EC2 health check takes it out of service with AWS's Cause, and the group
 * launches a replacement.
 */
describe('sandbox: Spot interruption of a group member', () => {
  let sb: TestSandbox;
  let subnets: string[];
  const interrupt = (id: string) => fetch(`${sb.endpoint}/_sandbox/instances/${id}/spot-interruption`, { method: 'POST' });

  beforeAll(async () => {
    sb = await startTestSandbox();
    // A Spot launch template: the group's members are Spot Instances, as on AWS.
    ({ subnets } = await twoZoneNetwork(sb, 'spot', { InstanceMarketOptions: { MarketType: 'spot' } }));
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'spot',
        LaunchTemplate: { LaunchTemplateName: 'spot' },
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: 2,
        VPCZoneIdentifier: subnets.join(','),
      }),
    );
    await until(sb, () => inService(sb, 'spot').length >= 2);
  });
  afterAll(() => sb.close());

  it('terminates the instance with Server.SpotInstanceTermination; the group records the EC2 health-check cause and replaces it', async () => {
    const victim = inService(sb, 'spot')[0]!.instanceId;
    const res = await interrupt(victim);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ instanceId: victim, state: 'shutting-down', stateReason: { code: 'Server.SpotInstanceTermination' } });
    const [inst] = (await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [victim] }))).Reservations![0]!.Instances!;
    expect(inst!.InstanceLifecycle).toBe('spot');
    expect(inst!.StateReason).toEqual({ Code: 'Server.SpotInstanceTermination', Message: 'Server.SpotInstanceTermination: Spot instance termination' });

    await until(sb, () => !sb.world.asgInstances.has(victim) && inService(sb, 'spot').length >= 2);
    const acts = (await sb.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'spot' }))).Activities!;
    const out = acts.find((a) => a.Description === `Terminating EC2 instance: ${victim}`)!;
    expect(out.Cause).toMatch(/^At \S+Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\.$/);
    expect(out.StatusCode).toBe('Successful');
    expect(acts.some((a) => /an instance was launched in response to an unhealthy instance needing to be replaced\.$/.test(a.Cause ?? ''))).toBe(true);
    expect(inService(sb, 'spot').map((m) => m.instanceId)).not.toContain(victim);
  });

  it('refuses On-Demand, unknown and already-terminated instances', async () => {
    const onDemand = (await sb.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnets[0] })))
      .Instances![0]!.InstanceId!;
    const refused = await interrupt(onDemand);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(/On-Demand/);
    expect((await interrupt('i-0123456789abcdef0')).status).toBe(404);
    const gone = sb.world.events().find((e) => e.type === 'instance-state' && e.to === 'terminated' && e.asgName === 'spot');
    expect(gone).toBeDefined();
    expect((await interrupt((gone as { instanceId: string }).instanceId)).status).toBe(409);
  });
});
