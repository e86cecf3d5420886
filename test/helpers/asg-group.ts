/**
 * A group set up as a user would, through the real SDK clients: a VPC with one subnet per AZ and a launch
 * template (asg-shapes.ts), a target group, and an Auto Scaling group over them; resolves once `desired` members are InService.
 */
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { twoZoneNetwork } from './asg-shapes.js';
import type { TestSandbox } from './sandbox.js';

export interface TestGroup {
  name: string;
  subnets: string[];
  targetGroupArn: string;
  /** The members that went InService first. */
  members: string[];
}

export async function createTestGroup(sb: TestSandbox, o: { name: string; desired: number; max: number; zones?: string[] }): Promise<TestGroup> {
  const { vpcId, subnets } = await twoZoneNetwork(sb, o.name, {}, o.zones);
  const targetGroupArn = (await sb.elb.send(new CreateTargetGroupCommand({ Name: o.name, Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!.TargetGroupArn!;
  const inService = new Set<string>();
  const off = sb.world.subscribe((e) => {
    if (e.type === 'asg-lifecycle' && e.asgName === o.name && e.to === 'InService') inService.add(e.instanceId);
  });
  await sb.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: o.name,
      LaunchTemplate: { LaunchTemplateName: o.name },
      MinSize: 1,
      MaxSize: o.max,
      DesiredCapacity: o.desired,
      VPCZoneIdentifier: subnets.join(','),
      TargetGroupARNs: [targetGroupArn],
    }),
  );
  await sb.waitForEvent((e) => e.type === 'asg-lifecycle' && e.asgName === o.name && e.to === 'InService' && inService.size >= o.desired);
  off();
  return { name: o.name, subnets, targetGroupArn, members: [...inService] };
}
