/**
 * A group set up as a user would, through the real SDK clients: a VPC with one subnet per AZ, a launch
 * template, a target group, and an Auto Scaling group over them; resolves once `desired` members are InService.
 */
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TestSandbox } from './sandbox.js';

export interface TestGroup {
  name: string;
  subnets: string[];
  targetGroupArn: string;
  /** The members that went InService first. */
  members: string[];
}

export async function createTestGroup(sb: TestSandbox, o: { name: string; desired: number; max: number; zones?: string[] }): Promise<TestGroup> {
  const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [i, az] of (o.zones ?? ['us-east-1a', 'us-east-1b']).entries()) {
    subnets.push((await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.7.${i}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!);
  }
  await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: o.name, LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' } }));
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
