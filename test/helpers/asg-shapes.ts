/**
 * Set-up shared by the tests of the sandbox's group shapes (weights, instance refresh, scheduled actions, Spot
 * interruptions): a VPC with one subnet in each of two AZs and a launch template, made through the real SDK
 * as a user would, and waits on the group's real state.
 */
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, type RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import { unitsOf } from '../../src/sandbox/autoscaling/capacity-units.js';
import type { AsgInstance } from '../../src/sandbox/world/types.js';
import type { TestSandbox } from './sandbox.js';

export async function twoZoneNetwork(
  sb: TestSandbox,
  templateName: string,
  data: RequestLaunchTemplateData = {},
  zones: readonly string[] = ['us-east-1a', 'us-east-1b'],
): Promise<{ subnets: string[]; vpcId: string }> {
  const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [i, az] of zones.entries()) {
    const s = await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.7.${i}.0/24`, AvailabilityZone: az }));
    subnets.push(s.Subnet!.SubnetId!);
  }
  await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: templateName, LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', ...data } }));
  return { subnets, vpcId };
}

/** The group's InService members (ground truth, from the world). */
export function inService(sb: TestSandbox, asgName: string): AsgInstance[] {
  return sb.world.membersOf(asgName).filter((m) => m.lifecycleState === 'InService');
}

/** Units the group's InService members count. */
export function inServiceUnits(sb: TestSandbox, asgName: string): number {
  return inService(sb, asgName).reduce((sum, m) => sum + unitsOf(m), 0);
}

/** Resolves once `check` holds, re-checked after every ground-truth event (no fixed sleeps). */
export async function until(sb: TestSandbox, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  if (check()) return;
  await sb.waitForEvent(() => check(), timeoutMs);
}

/** Polls an API-side condition (one with no ground-truth event of its own) every 100 ms until it holds. */
export async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates a plain group (MinSize 0) from `template` over `subnets` and resolves once `desired` are InService. */
export async function steadyGroup(sb: TestSandbox, opts: { name: string; template: string; subnets: string[]; desired: number; maxSize: number }): Promise<void> {
  await sb.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: opts.name,
      LaunchTemplate: { LaunchTemplateName: opts.template },
      MinSize: 0,
      MaxSize: opts.maxSize,
      DesiredCapacity: opts.desired,
      VPCZoneIdentifier: opts.subnets.join(','),
    }),
  );
  await until(sb, () => inService(sb, opts.name).length >= opts.desired);
}
